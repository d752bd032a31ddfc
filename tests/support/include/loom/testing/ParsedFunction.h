// Shared by tests that start from IR text: parses a small .mlir module with the loom and standard
// dialects loaded, and keeps the context that owns it alive.
#pragma once

#include "LoomDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"

#include <stdexcept>
#include <string>

namespace loom::testing {

class ParsedFunction {
public:
  explicit ParsedFunction(const std::string &source) {
    context_.loadDialect<LoomDialect, mlir::StandardOpsDialect>();
    module_ = mlir::parseSourceString(source, &context_);
    if (!module_)
      throw std::runtime_error("the test's IR does not parse or verify (diagnostics above)");
  }

  /// The module's first function.
  mlir::FuncOp function() { return *module_->getOps<mlir::FuncOp>().begin(); }

  /// The first op of the function's body.
  mlir::Operation *first_op() { return &function().getBody().front().front(); }

private:
  mlir::MLIRContext context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
};

} // namespace loom::testing
