// Entry points of Loom's passes and of the ordered pipeline that runs them.
#pragma once

#include "LoomDialect.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace loom {

std::unique_ptr<mlir::Pass> createVerifyModelPass();
std::unique_ptr<mlir::Pass> createInferShapesPass();
std::unique_ptr<mlir::Pass> createAutodiffPass();
std::unique_ptr<mlir::Pass> createOptimizerPass();
std::unique_ptr<mlir::Pass> createInferenceModePass();
std::unique_ptr<mlir::Pass> createHoistSequenceOpsPass();
std::unique_ptr<mlir::Pass> createHoistAccumulatorsPass();

/// Adds Loom's passes to `pm` in their one fixed order (see Pipeline.cpp for why that order).
void buildPipeline(mlir::OpPassManager &pm);

#define GEN_PASS_REGISTRATION
#include "Passes.h.inc"

} // namespace loom
