// Shared by the LoomToHalide tests: parses a small .mlir function, lowers its loom ops to Halide with
// random inputs, JIT-realizes what it returns, and compares that with the naive reference ops.
#pragma once

#include "loom/testing/ParsedFunction.h"

#include "CpuSchedule.h"
#include "LoomDialect.h"
#include "LoomToHalide.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "llvm/ADT/DenseMap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::conversion::testing {

/// Row-major values of one tensor; the reference ops compute in double.
struct Tensor {
  std::vector<int64_t> shape;
  std::vector<double> values;
};

inline size_t element_count(const std::vector<int64_t> &shape) {
  size_t n = 1;
  for (int64_t d : shape)
    n *= static_cast<size_t>(d);
  return n;
}

/// Uniform values in [low, high) from a fixed seed.
inline Tensor random_tensor(std::vector<int64_t> shape, double low = -1, double high = 1,
                            unsigned seed = 1) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(static_cast<float>(low), static_cast<float>(high));
  Tensor t{std::move(shape), {}};
  for (size_t n = 0; n < element_count(t.shape); ++n)
    t.values.push_back(uniform(generator));
  return t;
}

/// Integer labels in [0, classes).
inline Tensor random_labels(int64_t rows, int64_t classes, unsigned seed = 2) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> uniform(0, static_cast<int>(classes) - 1);
  Tensor t{{rows}, {}};
  for (int64_t n = 0; n < rows; ++n)
    t.values.push_back(uniform(generator));
  return t;
}

/// A Halide buffer holding `t` as element type T: dimension 0 is the last tensor axis, so the dense
/// buffer's memory is the row-major tensor.
template <typename T> Halide::Buffer<T> to_buffer(const Tensor &t) {
  std::vector<int> sizes(t.shape.rbegin(), t.shape.rend());
  Halide::Buffer<T> buffer(sizes);
  std::transform(t.values.begin(), t.values.end(), buffer.data(),
                 [](double v) { return static_cast<T>(v); });
  return buffer;
}

/// The values of a dense f32 or i32 buffer that holds a tensor of `shape`.
inline Tensor from_buffer(const Halide::Buffer<> &buffer, std::vector<int64_t> shape) {
  Tensor t{std::move(shape), {}};
  const size_t count = element_count(t.shape);
  if (buffer.type().is_float()) {
    const float *data = Halide::Buffer<float>(buffer).data();
    t.values.assign(data, data + count);
  } else {
    const int32_t *data = Halide::Buffer<int32_t>(buffer).data();
    t.values.assign(data, data + count);
  }
  return t;
}

/// A kernel input: a Func that reads a buffer holding `t`.
inline HalideTensor input(const Tensor &t, Halide::Type type = Halide::Float(32)) {
  std::vector<Halide::Var> vars(t.shape.size());
  std::vector<Halide::Expr> args(vars.begin(), vars.end());
  Halide::Func f;
  if (type.is_float())
    f(vars) = to_buffer<float>(t)(args);
  else
    f(vars) = to_buffer<int32_t>(t)(args);
  return {f, t.shape, type};
}

using loom::testing::ParsedFunction;

/// A function lowered the way the code generator lowers a kernel: arguments bound to `inputs`, every
/// loom op translated by lower_op, the returned values as outputs.
struct LoweredFunction {
  std::vector<HalideTensor> all, outputs;
};

inline LoweredFunction lower_function(mlir::FuncOp function, const std::vector<HalideTensor> &inputs) {
  llvm::DenseMap<mlir::Value, HalideTensor> values;
  for (auto [argument, tensor] : llvm::zip(function.getArguments(), inputs))
    values.try_emplace(argument, tensor);
  LoweredFunction lowered;
  for (mlir::Operation &op : function.getBody().front()) {
    std::vector<HalideTensor> operands;
    for (mlir::Value operand : op.getOperands())
      operands.push_back(values.lookup(operand));
    if (mlir::isa<mlir::ReturnOp>(op)) {
      lowered.outputs = operands;
      break;
    }
    std::vector<HalideTensor> results = lower_op(&op, operands);
    for (auto [result, tensor] : llvm::zip(op.getResults(), results)) {
      values.try_emplace(result, tensor);
      lowered.all.push_back(tensor);
    }
  }
  return lowered;
}

/// Realizes the outputs in one JIT-compiled pipeline. With `schedule_for`, the Funcs get the default CPU
/// schedule for that target and run on it; without, they run unscheduled on the host.
inline std::vector<Tensor> realize(const LoweredFunction &lowered,
                                   std::optional<Halide::Target> schedule_for = std::nullopt) {
  Halide::Target target = schedule_for.value_or(Halide::get_jit_target_from_environment());
  if (schedule_for)
    schedule_cpu(lowered.all, lowered.outputs, target);
  std::vector<Halide::Func> funcs;
  std::vector<Halide::Buffer<>> buffers;
  for (const HalideTensor &t : lowered.outputs) {
    funcs.push_back(t.func);
    buffers.emplace_back(t.type, std::vector<int>(t.shape.rbegin(), t.shape.rend()));
  }
  Halide::Realization realization(buffers);
  Halide::Pipeline(funcs).realize(realization, target);
  std::vector<Tensor> results;
  for (size_t i = 0; i < buffers.size(); ++i)
    results.push_back(from_buffer(buffers[i], lowered.outputs[i].shape));
  return results;
}

/// Parses `source`, lowers it with `inputs` and realizes what it returns.
inline std::vector<Tensor> run(const std::string &source, const std::vector<HalideTensor> &inputs,
                               std::optional<Halide::Target> schedule_for = std::nullopt) {
  ParsedFunction parsed(source);
  return realize(lower_function(parsed.function(), inputs), schedule_for);
}

/// Asserts that every value is within 1e-5 of the expected one relative to max(1, |expected|), so values
/// near zero are compared absolutely, and prints the largest difference.
inline void expect_close(const Tensor &actual, const std::vector<double> &expected, const std::string &what) {
  ASSERT_EQ(actual.values.size(), expected.size()) << what;
  double worst = 0;
  size_t worst_at = 0;
  for (size_t n = 0; n < expected.size(); ++n) {
    double difference = std::abs(actual.values[n] - expected[n]) / std::max(1.0, std::abs(expected[n]));
    if (std::isnan(difference))
      difference = INFINITY;
    if (difference > worst) {
      worst = difference;
      worst_at = n;
    }
  }
  std::printf("%-40s max relative difference %.3g\n", what.c_str(), worst);
  EXPECT_LE(worst, 1e-5) << what << ": element " << worst_at << " is " << actual.values[worst_at]
                         << ", expected " << expected[worst_at];
}

inline void expect_close(const Tensor &actual, const Tensor &expected, const std::string &what) {
  EXPECT_EQ(actual.shape, expected.shape) << what;
  expect_close(actual, expected.values, what);
}

/// Target strings with explicit features, as Loom ships them, for this x86-64 host.
inline Halide::Target avx2_target() { return Halide::Target("x86-64-linux-sse41-avx-f16c-fma-avx2"); }
inline Halide::Target avx512_target() {
  return Halide::Target("x86-64-linux-sse41-avx-f16c-fma-avx2-avx512-avx512_skylake");
}

} // namespace loom::conversion::testing
