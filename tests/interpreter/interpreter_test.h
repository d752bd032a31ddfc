// Shared by the interpreter tests: parses a small .mlir function and compares results with a
// tolerance.
#pragma once

#include "loom/interpreter/Interpreter.h"
#include "loom/testing/ParsedFunction.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::interpreter::testing {

/// A parsed module whose first function the interpreter runs.
class ParsedFunction : public loom::testing::ParsedFunction {
public:
  using loom::testing::ParsedFunction::ParsedFunction;

  Result run(const NamedValues &inputs = {}, const NamedValues &parameters = {},
             OptimizerState *adam = nullptr) {
    return interpreter::run(function(), inputs, parameters, adam);
  }
};

/// Runs a function without inputs or parameters and returns its output `name`.
inline Value outputOf(const std::string &source, const std::string &name = "y",
                      const NamedValues &inputs = {}) {
  return ParsedFunction(source).run(inputs).outputs.at(name);
}

/// Element-wise comparison; every test's expected values are computed in double, so 1e-12 is
/// generous.
inline void expectNear(const std::vector<double> &actual, const std::vector<double> &expected,
                       double tolerance = 1e-12) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t n = 0; n < actual.size(); ++n)
    EXPECT_NEAR(actual[n], expected[n], tolerance) << "at element " << n;
}

inline void expectValue(const Value &actual, const std::vector<int64_t> &shape,
                        const std::vector<double> &data, double tolerance = 1e-12) {
  EXPECT_EQ(actual.shape, shape);
  expectNear(actual.data, data, tolerance);
}

} // namespace loom::interpreter::testing
