// A double-precision evaluator of loom IR built from the naive reference ops: the oracle that
// checks autodiff and the optimizer pass independently of the Halide back end. Test infrastructure
// only.
#pragma once

#include "LoomDialect.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loom::interpreter {

/// A row-major tensor. i32 tensors hold exact integers as doubles; a scalar has an empty shape.
struct Value {
  std::vector<int64_t> shape;
  std::vector<double> data;
};

using NamedValues = std::map<std::string, Value>;

struct Result {
  NamedValues outputs;        // loom.output values by name
  std::optional<double> loss; // the loom.loss value, if the function has one
  NamedValues gradients;      // loom.parameter_gradient values by parameter name
  NamedValues
      parameters; // every parameter the function reads or updates, after its loom.adam_update ops
};

/// Optimizer state per parameter, carried across calls like the generated class's: Adam's first
/// and second moments in m and v, SGD's velocity in m, RMSprop's average of squares in v. `step`
/// counts the runs that contained updates; the first such run uses step 1.
struct OptimizerState {
  std::map<std::string, Value> m, v;
  int64_t step = 0;
};

/// Runs `function`, whose values must all have static shapes. Inputs and parameters are looked up
/// by the loom.input / loom.parameter name (loom.random_state reads the input "random_state", [seed,
/// step]); a missing or wrongly shaped one, an unsupported op or a
/// value that disagrees with its declared type throws std::runtime_error saying which. Functions
/// with optimizer updates advance `state` by one step; without one they start from fresh state
/// (step 1).
Result run(mlir::FuncOp function, const NamedValues &inputs, const NamedValues &parameters,
           OptimizerState *state = nullptr);

} // namespace loom::interpreter
