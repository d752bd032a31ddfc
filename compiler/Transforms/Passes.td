// Loom's passes, in the order the pipeline (Pipeline.cpp) runs them.
#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Checking and shapes
//===----------------------------------------------------------------------===//

def VerifyModel : Pass<"loom-verify-model", "::mlir::ModuleOp"> {
  let summary = "Checks model-level rules that single ops cannot see";
  let description = [{
    Input, parameter and output names are unique and non-empty, a parameter
    name is declared once, and a model has at most one `loom.loss`.
  }];
  let constructor = "::loom::createVerifyModelPass()";
}

def InferShapes : Pass<"loom-infer-shapes", "::mlir::FuncOp"> {
  let summary = "Gives every value a static shape";
  let description = [{
    Propagates shapes forward from inputs, parameters and constants through
    every op's shape rule, entering `loom.scan` bodies. Fails, naming the op,
    where a rule fails or a shape stays unknown.
  }];
  let constructor = "::loom::createInferShapesPass()";
  let dependentDialects = ["::loom::LoomDialect"];
}

#endif // LOOM_PASSES_TD
