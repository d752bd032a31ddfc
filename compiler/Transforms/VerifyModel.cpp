// loom-verify-model: model-level rules that single-op verifiers cannot see.
#include "PassDetail.h"

#include "llvm/ADT/StringMap.h"

using namespace mlir;

namespace {

/// Algorithm:
///  1. Walk every op of the module once, in order.
///  2. For each input, parameter and output, check the name is non-empty and
///     record where it was first declared in its kind's table; a second
///     declaration is an error that points at the first.
///  3. Count loom.loss ops; a second one is an error.
class VerifyModelPass : public loom::VerifyModelBase<VerifyModelPass> {
  void runOnOperation() override {
    llvm::StringMap<Operation *> inputs, parameters, outputs;
    Operation *loss = nullptr;
    bool ok = true;
    auto declare = [&](llvm::StringMap<Operation *> &table, Operation *op, StringRef name,
                       StringRef kind) {
      if (name.empty()) {
        op->emitError() << "a model " << kind << " needs a non-empty name";
        ok = false;
        return;
      }
      auto [it, inserted] = table.try_emplace(name, op);
      if (!inserted) {
        op->emitError() << "model " << kind << " '" << name << "' is declared twice";
        it->second->emitRemark() << "first declared here";
        ok = false;
      }
    };
    getOperation().walk([&](Operation *op) {
      if (auto input = dyn_cast<loom::InputOp>(op))
        declare(inputs, op, input.name(), "input");
      else if (auto parameter = dyn_cast<loom::ParameterOp>(op))
        declare(parameters, op, parameter.name(), "parameter");
      else if (auto output = dyn_cast<loom::OutputOp>(op))
        declare(outputs, op, output.name(), "output");
      else if (isa<loom::LossOp>(op)) {
        if (loss) {
          op->emitError() << "a model has at most one loss";
          loss->emitRemark() << "the first loss is here";
          ok = false;
        }
        loss = op;
      }
    });
    if (!ok)
      signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> loom::createVerifyModelPass() { return std::make_unique<VerifyModelPass>(); }
