// loom-optimizer: replaces @train_step's parameter gradients by the model's optimizer updates.
#include "PassDetail.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

/// Algorithm:
///  1. Read the module's loom.optimizer dictionary; only "adam" is known today.
///  2. Replace each loom.parameter_gradient in @train_step by a loom.adam_update of the same
///     parameter with the dictionary's hyperparameters.
class OptimizerPass : public loom::OptimizerBase<OptimizerPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto train = module.lookupSymbol<FuncOp>("train_step");
    if (!train)
      return;
    SmallVector<loom::ParameterGradientOp> gradients;
    train.walk([&](loom::ParameterGradientOp op) { gradients.push_back(op); });
    if (gradients.empty())
      return;
    auto optimizer = module->getAttrOfType<DictionaryAttr>("loom.optimizer");
    if (!optimizer) {
      module.emitError() << "@train_step has parameter gradients but the module names no "
                            "optimizer (attribute loom.optimizer, set by model.minimize)";
      return signalPassFailure();
    }
    auto kind = optimizer.getAs<StringAttr>("kind");
    if (!kind || kind.getValue() != "adam") {
      module.emitError() << "unknown optimizer " << optimizer.get("kind")
                         << " in loom.optimizer; Loom knows \"adam\"";
      return signalPassFailure();
    }
    auto hyperparameter = [&](StringRef name) { return optimizer.getAs<FloatAttr>(name); };
    for (StringRef name : {"learning_rate", "beta1", "beta2", "epsilon"}) {
      if (!hyperparameter(name)) {
        module.emitError() << "loom.optimizer is missing the float '" << name << "'";
        return signalPassFailure();
      }
    }
    for (loom::ParameterGradientOp gradient : gradients) {
      OpBuilder builder(gradient);
      builder.create<loom::AdamUpdateOp>(gradient.getLoc(), gradient.nameAttr(), gradient.gradient(),
                                         hyperparameter("learning_rate"), hyperparameter("beta1"),
                                         hyperparameter("beta2"), hyperparameter("epsilon"));
      gradient.erase();
    }
  }
};

} // namespace

std::unique_ptr<Pass> loom::createOptimizerPass() { return std::make_unique<OptimizerPass>(); }
