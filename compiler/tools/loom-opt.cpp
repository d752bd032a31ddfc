// loom-opt: runs Loom's passes (and MLIR's generic ones) on .mlir files, for tests and debugging.
#include "LoomDialect.h"
#include "Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/Dialect.h"
#include "mlir/Support/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<loom::LoomDialect, mlir::StandardOpsDialect>();
  loom::registerLoomPasses();
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::PassPipelineRegistration<>(
      "loom-pipeline", "Loom's inference pipeline: verify, infer shapes, canonicalize",
      [](mlir::OpPassManager &pm) { loom::buildPipeline(pm); });
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom graph IR optimizer driver\n", registry));
}
