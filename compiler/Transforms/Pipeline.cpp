// Loom's pass pipeline: one ordered list, so --print-ir-after-all shows each step in turn.
#include "Passes.h"

#include "mlir/Transforms/Passes.h"

void loom::buildPipeline(mlir::OpPassManager &pm) {
  // Model-level rules first: later passes assume unique names and a single loss.
  pm.addPass(createVerifyModelPass());
  // Every later pass (and the Halide lowering) needs static shapes.
  pm.addNestedPass<mlir::FuncOp>(createInferShapesPass());
  // Canonicalize before autodiff so gradients are derived for the simplest graph.
  pm.addPass(mlir::createCanonicalizerPass());
  // Training models (those with a loss) get @train_step: forward, then backprop through time.
  pm.addPass(createAutodiffPass());
  // Gradients become optimizer updates; this needs the gradients, so it follows autodiff.
  pm.addPass(createOptimizerPass());
  // @forward is inference: dropout leaves it once @train_step has been cloned from it.
  pm.addPass(createInferenceModePass());
  // Autodiff leaves identities (x * 1, zero adjoints added in) and duplicate constants behind.
  pm.addPass(mlir::createCanonicalizerPass());
  pm.addPass(mlir::createCSEPass());
  // Last, on the final graph of both functions: batches the input projections of the forward
  // scans and of the backprop scans (which recompute them) into one GEMM each.
  pm.addPass(createHoistSequenceOpsPass());
  // Then the backprop scans output each step's gate gradients and the weight gradients become one
  // GEMM over all steps each, instead of a [4H, I] accumulator read and written at every step.
  pm.addPass(createHoistAccumulatorsPass());
  pm.addPass(mlir::createCSEPass());
}
