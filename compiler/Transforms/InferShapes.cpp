// loom-infer-shapes: gives every value in a function a static shape.
#include "PassDetail.h"

using namespace mlir;

namespace {

bool isStatic(Type type) {
  auto tensor = type.dyn_cast<RankedTensorType>();
  return !type.isa<TensorType>() || (tensor && tensor.hasStaticShape());
}

/// Algorithm:
///  1. Visit the ops of a block in order; operands are defined before use, so
///     each op sees its operands' final shapes.
///  2. For a loom.scan, first give the body's arguments their types (carried
///     state as initialised, one time step of each sequence), then visit the
///     body (step 1, recursively), then take the scan's own results from its
///     rule, which reads the body's loom.yield.
///  3. For any other op, apply its shape rule and set its result types.
///  4. Finally, any value whose shape is still not static is an error on the op
///     that defines it (or on the scan whose body it enters).
class InferShapesPass : public loom::InferShapesBase<InferShapesPass> {
  void runOnOperation() override {
    if (failed(inferBlock(getOperation().front())) || failed(checkAllStatic()))
      signalPassFailure();
  }

  LogicalResult inferBlock(Block &block) {
    for (Operation &op : block) {
      if (auto scan = dyn_cast<loom::ScanOp>(op)) {
        Block &body = scan.getBodyBlock();
        size_t numCarried = scan.carried().size();
        for (auto init : llvm::enumerate(scan.carried()))
          body.getArgument(init.index()).setType(init.value().getType());
        for (auto sequence : llvm::enumerate(scan.sequences())) {
          auto type = sequence.value().getType().dyn_cast<RankedTensorType>();
          if (type && type.getRank() >= 1)
            body.getArgument(numCarried + sequence.index())
                .setType(RankedTensorType::get(type.getShape().drop_front(), type.getElementType()));
        }
        if (failed(inferBlock(body)))
          return failure();
      }
      if (failed(loom::applyInferredTypes(&op)))
        return failure();
    }
    return success();
  }

  LogicalResult checkAllStatic() {
    WalkResult walk = getOperation().walk([](Operation *op) {
      for (Value result : op->getResults()) {
        if (!isStatic(result.getType())) {
          op->emitOpError() << "result #" << result.cast<OpResult>().getResultNumber()
                            << " has no static shape after shape inference: "
                            << result.getType();
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    return failure(walk.wasInterrupted());
  }
};

} // namespace

std::unique_ptr<Pass> loom::createInferShapesPass() { return std::make_unique<InferShapesPass>(); }
