// loom-inference-mode: @forward is for inference, so training-only behaviour leaves it.
#include "PassDetail.h"

using namespace mlir;

namespace {

/// Replaces every loom.dropout in @forward by its input. @train_step (already cloned from @forward
/// by loom-autodiff) keeps its dropouts.
class InferenceModePass : public loom::InferenceModeBase<InferenceModePass> {
  void runOnOperation() override {
    auto forward = getOperation().lookupSymbol<FuncOp>("forward");
    if (!forward)
      return;
    forward.walk([](loom::DropoutOp dropout) {
      dropout.replaceAllUsesWith(dropout.input());
      dropout.erase();
    });
  }
};

} // namespace

std::unique_ptr<Pass> loom::createInferenceModePass() { return std::make_unique<InferenceModePass>(); }
