// loom-optimizer: replaces @train_step's parameter gradients by the model's optimizer updates,
// after global-norm clipping when the model asks for it.
#include "PassDetail.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

/// Reads the hyperparameters of one loom.optimizer (or loom.clip_global_norm) dictionary,
/// reporting the first one missing.
class Hyperparameters {
public:
  Hyperparameters(ModuleOp module, DictionaryAttr dictionary, StringRef attribute)
      : module_(module), dictionary_(dictionary), attribute_(attribute) {}

  FloatAttr number(StringRef name) {
    auto value = dictionary_.getAs<FloatAttr>(name);
    if (!value && ok_) {
      module_.emitError() << attribute_ << " is missing the float '" << name << "'";
      ok_ = false;
    }
    return value;
  }
  StringAttr semantics() {
    auto value = dictionary_.getAs<StringAttr>("semantics");
    return value ? value : StringAttr::get(module_.getContext(), "pytorch");
  }
  bool ok() const { return ok_; }

private:
  ModuleOp module_;
  DictionaryAttr dictionary_;
  StringRef attribute_;
  bool ok_ = true;
};

Value splat(OpBuilder &b, Location loc, RankedTensorType type, float value) {
  return b.create<loom::ConstantOp>(loc, type, DenseElementsAttr::get(type, llvm::makeArrayRef(value)));
}

Value build(OpBuilder &b, Location loc, StringRef name, ValueRange operands,
            ArrayRef<NamedAttribute> attributes = {}) {
  return loom::buildWithInferredTypes(b, loc, name, operands, attributes, b.getF32Type())->getResult(0);
}

SmallVector<int64_t> allAxes(Value v) {
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d < v.getType().cast<RankedTensorType>().getRank(); ++d)
    axes.push_back(d);
  return axes;
}

/// Scales every gradient by one factor from their global norm, before the first update:
/// PyTorch min(1, max_norm / (norm + 1e-6)), Keras max_norm / max(norm, max_norm).
void clipByGlobalNorm(OpBuilder &b, MutableArrayRef<loom::ParameterGradientOp> gradients, double maxNorm,
                      bool keras) {
  Location loc = gradients.front().getLoc();
  auto scalar = RankedTensorType::get({}, b.getF32Type());
  Value sumOfSquares;
  for (loom::ParameterGradientOp g : gradients) {
    Value squares = build(b, loc, loom::MulOp::getOperationName(), {g.gradient(), g.gradient()});
    Value sum = build(b, loc, loom::ReduceSumOp::getOperationName(), {squares},
                      {b.getNamedAttr("axes", b.getI64ArrayAttr(allAxes(g.gradient())))});
    sumOfSquares = sumOfSquares ? build(b, loc, loom::AddOp::getOperationName(), {sumOfSquares, sum}) : sum;
  }
  Value norm = build(b, loc, loom::SqrtOp::getOperationName(), {sumOfSquares});
  Value limit = splat(b, loc, scalar, float(maxNorm));
  Value factor;
  if (keras) {
    Value larger = build(b, loc, loom::MaximumOp::getOperationName(), {norm, limit});
    factor = build(b, loc, loom::DivOp::getOperationName(), {limit, larger});
  } else {
    Value padded = build(b, loc, loom::AddOp::getOperationName(), {norm, splat(b, loc, scalar, 1e-6f)});
    Value ratio = build(b, loc, loom::DivOp::getOperationName(), {limit, padded});
    factor = build(b, loc, loom::MinimumOp::getOperationName(), {ratio, splat(b, loc, scalar, 1.0f)});
  }
  for (loom::ParameterGradientOp g : gradients) {
    auto type = g.gradient().getType().cast<RankedTensorType>();
    Value spread = build(b, loc, loom::BroadcastOp::getOperationName(), {factor},
                         {b.getNamedAttr("axes", b.getI64ArrayAttr(allAxes(g.gradient()))),
                          b.getNamedAttr("shape", b.getI64ArrayAttr(type.getShape()))});
    g.gradientMutable().assign(build(b, loc, loom::MulOp::getOperationName(), {g.gradient(), spread}));
  }
}

/// Algorithm:
///  1. Read the module's loom.optimizer dictionary (kind sgd, adam or rmsprop, its
///     hyperparameters and semantics) and the optional loom.clip_global_norm.
///  2. With clipping, scale every gradient by the factor computed from all of them.
///  3. Replace each loom.parameter_gradient in @train_step by that optimizer's update op.
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
    auto kindAttr = optimizer.getAs<StringAttr>("kind");
    StringRef kind = kindAttr ? kindAttr.getValue() : "";
    if (kind != "sgd" && kind != "adam" && kind != "rmsprop") {
      module.emitError() << "unknown optimizer " << optimizer.get("kind")
                         << " in loom.optimizer; Loom knows \"sgd\", \"adam\" and \"rmsprop\"";
      return signalPassFailure();
    }
    Hyperparameters h(module, optimizer, "loom.optimizer");
    FloatAttr lr = h.number("learning_rate");
    SmallVector<FloatAttr> extra;
    if (kind == "sgd")
      extra = {h.number("momentum")};
    else if (kind == "adam")
      extra = {h.number("beta1"), h.number("beta2"), h.number("epsilon")};
    else
      extra = {h.number("rho"), h.number("epsilon")};
    StringAttr semantics = h.semantics();
    if (!h.ok())
      return signalPassFailure();

    OpBuilder builder(gradients.back());
    builder.setInsertionPointAfter(gradients.back());
    if (auto clip = module->getAttrOfType<DictionaryAttr>("loom.clip_global_norm")) {
      Hyperparameters c(module, clip, "loom.clip_global_norm");
      FloatAttr maxNorm = c.number("max_norm");
      if (!c.ok())
        return signalPassFailure();
      clipByGlobalNorm(builder, gradients, maxNorm.getValueAsDouble(), c.semantics().getValue() == "keras");
    }
    for (loom::ParameterGradientOp gradient : gradients) {
      Location loc = gradient.getLoc();
      if (kind == "sgd")
        builder.create<loom::SgdUpdateOp>(loc, gradient.nameAttr(), gradient.gradient(), lr, extra[0], semantics);
      else if (kind == "adam")
        builder.create<loom::AdamUpdateOp>(loc, gradient.nameAttr(), gradient.gradient(), lr, extra[0],
                                           extra[1], extra[2], semantics);
      else
        builder.create<loom::RmspropUpdateOp>(loc, gradient.nameAttr(), gradient.gradient(), lr, extra[0],
                                              extra[1], semantics);
    }
    for (loom::ParameterGradientOp gradient : gradients)
      gradient.erase();
  }
};

} // namespace

std::unique_ptr<Pass> loom::createOptimizerPass() { return std::make_unique<OptimizerPass>(); }
