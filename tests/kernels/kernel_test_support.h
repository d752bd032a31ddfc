// Shared by the compiled-kernel tests: random inputs, widening to the double-precision reference, the
// llm.c-style comparison that prints every tensor's max difference, and the CPU variants a test can run.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "loom/reference/recurrent.h"
#include "loom/runtime/recurrent_loop.h"

namespace loom::kernel_test {

using Doubles = std::vector<double>;

// A float array placed 4 bytes past a 16-byte boundary: Halide may assume no more than float alignment for
// the caller's buffers, and a kernel that assumes vector alignment faults here instead of in a model.
class Floats {
 public:
  Floats() = default;
  explicit Floats(std::size_t n) : storage_(n + 1) {}

  void resize(std::size_t n) { storage_.assign(n + 1, 0.0f); }
  std::size_t size() const { return storage_.empty() ? 0 : storage_.size() - 1; }
  float* data() { return storage_.data() + 1; }
  const float* data() const { return storage_.data() + 1; }
  float* begin() { return data(); }
  float* end() { return data() + size(); }
  const float* begin() const { return data(); }
  const float* end() const { return data() + size(); }

 private:
  std::vector<float> storage_;
};

inline Floats uniform(std::size_t n, float bound, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-bound, bound);
  Floats v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline Doubles widen(const Floats& v) { return Doubles(v.begin(), v.end()); }

// A recurrent layer's weights in PyTorch layout with G*H = rows, drawn like PyTorch's U(-1/sqrt(H), 1/sqrt(H)).
struct Parameters {
  Floats w_ih, w_hh, b_ih, b_hh;

  Parameters(int rows, int I, int H, std::mt19937& rng)
      : w_ih(uniform(std::size_t(rows) * I, 1.0f / std::sqrt(float(H)), rng)),
        w_hh(uniform(std::size_t(rows) * H, 1.0f / std::sqrt(float(H)), rng)),
        b_ih(uniform(rows, 1.0f / std::sqrt(float(H)), rng)),
        b_hh(uniform(rows, 1.0f / std::sqrt(float(H)), rng)) {}

  loom::recurrent::Weights weights() const { return {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()}; }
  loom::reference::RecurrentParams<double> reference() const {
    return {widen(w_ih), widen(w_hh), widen(b_ih), widen(b_hh)};
  }
};

// Gradients of the same shapes, as the backward drivers write them.
struct Gradients {
  Floats w_ih, w_hh, b_ih, b_hh;

  explicit Gradients(const Parameters& like)
      : w_ih(like.w_ih.size()), w_hh(like.w_hh.size()), b_ih(like.b_ih.size()), b_hh(like.b_hh.size()) {}

  loom::recurrent::WeightGradients pointers() { return {w_ih.data(), w_hh.data(), b_ih.data(), b_hh.data()}; }
};

// An initial state [B,H] followed by room for T more: the [T+1,B,H] layout of recurrent_loop.h.
inline Floats with_initial_state(const Floats& initial, int T) {
  Floats states(initial.size() * (T + 1));
  std::copy(initial.begin(), initial.end(), states.begin());
  return states;
}

// Tolerances relative to the tensor's magnitude (at least 1): float kernels against the double reference.
inline constexpr double kForwardTolerance = 1e-5;
inline constexpr double kGradientTolerance = 2e-5;

// Prints the max absolute difference of `actual` (float, compiled kernel) from `expected` (double
// reference) and expects it within tolerance * max(1, max |expected|).
inline void expect_close(const std::string& name, const float* actual, const Doubles& expected, double tolerance) {
  double max_diff = 0, max_ref = 0;
  for (std::size_t i = 0; i < expected.size(); i++) {
    max_diff = std::max(max_diff, std::abs(double(actual[i]) - expected[i]));
    max_ref = std::max(max_ref, std::abs(expected[i]));
  }
  std::printf("  %-12s max |diff| %.3g  (max |ref| %.3g)\n", name.c_str(), max_diff, max_ref);
  EXPECT_LE(max_diff, tolerance * std::max(1.0, max_ref)) << name;
}

inline void expect_close(const std::string& name, const Floats& actual, const Doubles& expected, double tolerance) {
  ASSERT_EQ(actual.size(), expected.size()) << name;
  expect_close(name, actual.data(), expected, tolerance);
}

// Both bias gradients and both weight gradients of a recurrent layer.
inline void expect_weight_gradients_close(Gradients& actual, const loom::reference::RecurrentParams<double>& expected) {
  expect_close("dw_ih", actual.w_ih, expected.w_ih, kGradientTolerance);
  expect_close("dw_hh", actual.w_hh, expected.w_hh, kGradientTolerance);
  expect_close("db_ih", actual.b_ih, expected.b_ih, kGradientTolerance);
  expect_close("db_hh", actual.b_hh, expected.b_hh, kGradientTolerance);
}

// The entry points a test calls: the dispatching ones, or one target's variant directly.
enum class Variant { Dispatch, Avx512, Avx2 };

inline const char* variant_name(Variant variant) {
  switch (variant) {
    case Variant::Dispatch: return "dispatch";
    case Variant::Avx512: return "avx512";
    case Variant::Avx2: return "avx2";
  }
  return "?";
}

// The features loom::lower::kAvx512Target and kAvx2Target require.
inline bool cpu_runs(Variant variant) {
  __builtin_cpu_init();
  switch (variant) {
    case Variant::Dispatch: return true;
    case Variant::Avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
             __builtin_cpu_supports("avx512vl");
    case Variant::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  return false;
}

inline const Variant kAllVariants[] = {Variant::Dispatch, Variant::Avx512, Variant::Avx2};

}  // namespace loom::kernel_test
