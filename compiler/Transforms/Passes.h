// Entry points of Loom's passes and of the ordered pipeline that runs them.
#pragma once

#include "LoomDialect.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

#include <memory>

namespace loom {

std::unique_ptr<mlir::Pass> createVerifyModelPass();
std::unique_ptr<mlir::Pass> createInferShapesPass();

/// What the pipeline builds: an inference model, or one that also trains.
struct PipelineOptions {
  bool training = false;
};

/// Adds Loom's passes to `pm` in their one fixed order (see Pipeline.cpp for why that order).
void buildPipeline(mlir::OpPassManager &pm, const PipelineOptions &options);

#define GEN_PASS_REGISTRATION
#include "Passes.h.inc"

} // namespace loom
