// Loom's pass pipeline: one ordered list, so --print-ir-after-all shows each step in turn.
#include "Passes.h"

#include "mlir/Transforms/Passes.h"

void loom::buildPipeline(mlir::OpPassManager &pm) {
  // Model-level rules first: later passes assume unique names and a single loss.
  pm.addPass(createVerifyModelPass());
  // Every later pass (and the Halide lowering) needs static shapes.
  pm.addNestedPass<mlir::FuncOp>(createInferShapesPass());
  // Canonicalize last for now; autodiff will follow it, so gradients are derived for the
  // simplest graph.
  pm.addPass(mlir::createCanonicalizerPass());
}
