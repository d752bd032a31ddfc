// Shared by the interpreter tests: parses a small .mlir function and compares results with a
// tolerance.
#pragma once

#include "loom/interpreter/Interpreter.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace loom::interpreter::testing {

/// One parsed module and the context that owns it; the function is the module's first.
class ParsedFunction {
public:
  explicit ParsedFunction(const std::string &source) {
    context_.loadDialect<LoomDialect, mlir::StandardOpsDialect>();
    module_ = mlir::parseSourceString(source, &context_);
    if (!module_)
      throw std::runtime_error("the test's IR does not parse or verify (diagnostics above)");
  }

  mlir::FuncOp function() { return *module_->getOps<mlir::FuncOp>().begin(); }

  Result run(const NamedValues &inputs = {}, const NamedValues &parameters = {},
             AdamState *adam = nullptr) {
    return interpreter::run(function(), inputs, parameters, adam);
  }

private:
  mlir::MLIRContext context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
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
