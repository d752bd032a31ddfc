// The DSL's recorder: builds the model's loom module op by op, checking each op as it is added.
#include "Recorder.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <variant>

using namespace mlir;

namespace loom::dsl {

std::string to_string(const Shape &shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

struct Model::State {
  MLIRContext context;
  OwningOpRef<ModuleOp> module;
  FuncOp forward;
  OpBuilder builder{&context};
  /// Parameters are grouped at the top of the function, in declaration order, so that scan
  /// bodies can use them; this is the last one declared so far.
  Operation *lastParameter = nullptr;
};

Model::Model(std::string name) : name_(std::move(name)), state_(std::make_unique<State>()) {
  state_->context.loadDialect<LoomDialect, StandardOpsDialect>();
  Location loc = FileLineColLoc::get(&state_->context, name_, 0, 0);
  state_->module = ModuleOp::create(loc, StringRef(name_));
  state_->module->getOperation()->setAttr("loom.model", state_->builder.getStringAttr(name_));
  state_->forward = FuncOp::create(loc, "forward", state_->builder.getFunctionType({}, {}));
  state_->module->push_back(state_->forward);
  Block *entry = state_->forward.addEntryBlock();
  state_->builder.setInsertionPointToEnd(entry);
  auto ret = state_->builder.create<ReturnOp>(loc);
  state_->builder.setInsertionPoint(ret);
}

Model::~Model() = default;

MLIRContext &Model::context() { return state_->context; }
ModuleOp Model::module() { return *state_->module; }

void Model::fail(const std::string &message) const {
  std::string prefix = file_and_line(where_) + ": ";
  if (!layer_.empty())
    prefix += kind_ + " '" + layer_ + "': ";
  throw ModelError(prefix + message);
}

Model::LayerScope::LayerScope(Model &model, std::string layer, std::string kind,
                              Where where)
    : model_(model), saved_layer_(std::move(model.layer_)), saved_kind_(std::move(model.kind_)),
      saved_where_(model.where_) {
  model.layer_ = std::move(layer);
  model.kind_ = std::move(kind);
  model.where_ = where;
}

Model::LayerScope::~LayerScope() {
  model_.layer_ = std::move(saved_layer_);
  model_.kind_ = std::move(saved_kind_);
  model_.where_ = saved_where_;
}

mlir::Value Tensor::value() const { return mlir::Value::getFromOpaquePointer(value_); }

//===----------------------------------------------------------------------===//
// Recorder
//===----------------------------------------------------------------------===//

OpBuilder &Recorder::builder(Model &model) { return model.state_->builder; }

Location Recorder::location(Model &model) {
  MLIRContext *context = &model.context();
  Location line = FileLineColLoc::get(context, model.where_.file_name(), model.where_.line(),
                                      model.where_.column());
  if (model.layer_.empty())
    return line;
  return NameLoc::get(StringAttr::get(context, model.layer_), line);
}

Tensor Recorder::wrap(Model &model, Value value) {
  auto type = value.getType().cast<RankedTensorType>();
  return Tensor(&model, value.getAsOpaquePointer(), Shape(type.getShape().begin(), type.getShape().end()),
                type.getElementType().isInteger(32));
}

void Recorder::inferAndVerify(Model &model, Operation *op) {
  std::string messages;
  LogicalResult ok = success();
  {
    ScopedDiagnosticHandler capture(&model.context(), [&](Diagnostic &diagnostic) {
      if (diagnostic.getSeverity() == DiagnosticSeverity::Error)
        messages += (messages.empty() ? "" : "; ") + diagnostic.str();
      return success();
    });
    ok = applyInferredTypes(op);
    if (succeeded(ok))
      ok = verify(op);
  }
  if (failed(ok)) {
    op->erase();
    model.fail(messages);
  }
}

Tensor Recorder::record(Model &model, StringRef opName, ArrayRef<Tensor> operands,
                        ArrayRef<NamedAttribute> attributes, bool integerResult) {
  for (const Tensor &operand : operands) {
    if (&operand.model() != &model)
      model.fail("uses a tensor recorded in another model");
  }
  OperationState state(location(model), opName);
  for (const Tensor &operand : operands)
    state.addOperands(operand.value());
  state.addAttributes(attributes);
  Type element = integerResult ? Type(builder(model).getI32Type()) : builder(model).getF32Type();
  state.addTypes(UnrankedTensorType::get(element));
  Operation *op = builder(model).createOperation(state);
  inferAndVerify(model, op);
  return wrap(model, op->getResult(0));
}

std::vector<Tensor> Recorder::scan(Model &model, const std::vector<Tensor> &initial,
                                   const std::vector<Tensor> &sequences,
                                   const std::function<ScanStep(const std::vector<Tensor> &,
                                                                const std::vector<Tensor> &)> &body,
                                   bool reverse) {
  OpBuilder &b = builder(model);
  Location loc = location(model);
  OperationState state(loc, ScanOp::getOperationName());
  for (const Tensor &t : initial)
    state.addOperands(t.value());
  for (const Tensor &t : sequences)
    state.addOperands(t.value());
  state.addAttribute("operand_segment_sizes",
                     b.getI32VectorAttr({int32_t(initial.size()), int32_t(sequences.size())}));
  if (reverse)
    state.addAttribute("reverse", b.getUnitAttr());
  Region *region = state.addRegion();
  Block *block = new Block();
  region->push_back(block);
  std::vector<Tensor> stateArgs, stepArgs;
  for (const Tensor &t : initial)
    stateArgs.push_back(wrap(model, block->addArgument(t.value().getType(), loc)));
  for (const Tensor &t : sequences) {
    auto type = t.value().getType().cast<RankedTensorType>();
    auto stepType = RankedTensorType::get(type.getShape().drop_front(), type.getElementType());
    stepArgs.push_back(wrap(model, block->addArgument(stepType, loc)));
  }

  ScanStep step;
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(block);
    step = body(stateArgs, stepArgs);
    SmallVector<Value> yielded;
    for (const Tensor &t : step.carried)
      yielded.push_back(t.value());
    for (const Tensor &t : step.outputs)
      yielded.push_back(t.value());
    b.create<YieldOp>(loc, yielded);
  }
  state.addAttribute("result_segment_sizes",
                     b.getI32VectorAttr({int32_t(step.carried.size()), int32_t(step.outputs.size())}));
  for (size_t i = 0; i < step.carried.size() + step.outputs.size(); ++i)
    state.addTypes(UnrankedTensorType::get(b.getF32Type()));
  Operation *op = b.createOperation(state);
  inferAndVerify(model, op);
  std::vector<Tensor> results;
  for (Value v : op->getResults())
    results.push_back(wrap(model, v));
  return results;
}

//===----------------------------------------------------------------------===//
// Model interface
//===----------------------------------------------------------------------===//

static void checkName(Model &model, const std::string &name, const char *what) {
  model.require(!name.empty(), std::string("a model ") + what + " needs a non-empty name");
}

static void checkShape(Model &model, const std::string &name, const Shape &shape) {
  for (int64_t size : shape)
    model.require(size > 0, "'" + name + "' has shape " + to_string(shape) +
                                "; every dimension must be positive (shapes are static)");
}

static Tensor declare(Model &model, llvm::StringRef opName, const std::string &name,
                      const Shape &shape, Type element, ArrayRef<NamedAttribute> extra) {
  OpBuilder &b = Recorder::builder(model);
  OperationState state(Recorder::location(model), opName);
  state.addAttribute("name", b.getStringAttr(name));
  state.addAttributes(extra);
  state.addTypes(RankedTensorType::get(shape, element));
  Operation *op = b.createOperation(state);
  Recorder::inferAndVerify(model, op);
  return Recorder::wrap(model, op->getResult(0));
}

static Tensor declareInput(Model &model, const std::string &name, const Shape &shape, Type element,
                           Where where) {
  Model::LayerScope scope(model, name, "input", where);
  checkName(model, name, "input");
  checkShape(model, name, shape);
  return declare(model, InputOp::getOperationName(), name, shape, element, {});
}

Tensor Model::input(const std::string &name, Shape shape, Where where) {
  return declareInput(*this, name, shape, Recorder::builder(*this).getF32Type(), where);
}

Tensor Model::integer_input(const std::string &name, Shape shape, Where where) {
  return declareInput(*this, name, shape, Recorder::builder(*this).getI32Type(), where);
}

Tensor Model::parameter(const std::string &name, Shape shape, Initializer init,
                        Where where) {
  LayerScope scope(*this, layer_.empty() ? name : layer_, kind_.empty() ? "parameter" : kind_,
                   layer_.empty() ? where : where_);
  checkName(*this, name, "parameter");
  require(!name.starts_with("optimizer.") && !name.starts_with("training."),
          "parameter '" + name + "' starts with a prefix that checkpoints reserve for training state "
          "(optimizer., training.); rename it");
  checkShape(*this, name, shape);
  bool duplicate = false;
  module().walk([&](ParameterOp op) { duplicate |= op.name() == name; });
  require(!duplicate, "parameter '" + name +
                          "' is already declared; give each layer a unique name");
  OpBuilder &b = Recorder::builder(*this);
  NamedAttribute attrs[] = {b.getNamedAttr("init", b.getStringAttr(init.kind)),
                            b.getNamedAttr("scale", b.getF64FloatAttr(init.scale))};
  OpBuilder::InsertionGuard guard(b);
  if (state_->lastParameter)
    b.setInsertionPointAfter(state_->lastParameter);
  else
    b.setInsertionPointToStart(&state_->forward.front());
  Tensor result = declare(*this, ParameterOp::getOperationName(), name, shape, b.getF32Type(), attrs);
  state_->lastParameter = result.value().getDefiningOp();
  return result;
}

/// Records a loom.constant of `shape` holding `values` (one value: a splat).
template <typename T>
static Tensor constantOf(Model &model, const Shape &shape, llvm::ArrayRef<T> values, Type element) {
  checkShape(model, "constant", shape);
  int64_t count = 1;
  for (int64_t d : shape)
    count *= d;
  model.require(values.size() == 1 || int64_t(values.size()) == count,
                "a constant " + to_string(shape) + " needs " + std::to_string(count) + " values, got " +
                    std::to_string(values.size()));
  auto type = RankedTensorType::get(shape, element);
  auto op = Recorder::builder(model).create<ConstantOp>(Recorder::location(model), type,
                                                        DenseElementsAttr::get(type, values));
  return Recorder::wrap(model, op.getResult());
}

Tensor Model::constant(Shape shape, float value, Where where) {
  LayerScope scope(*this, layer_, kind_, layer_.empty() ? where : where_);
  return constantOf<float>(*this, shape, llvm::makeArrayRef(value), Recorder::builder(*this).getF32Type());
}

Tensor Model::constant(Shape shape, const std::vector<float> &values, Where where) {
  LayerScope scope(*this, layer_, kind_, layer_.empty() ? where : where_);
  return constantOf<float>(*this, shape, values, Recorder::builder(*this).getF32Type());
}

Tensor Model::integer_constant(Shape shape, int32_t value, Where where) {
  LayerScope scope(*this, layer_, kind_, layer_.empty() ? where : where_);
  return constantOf<int32_t>(*this, shape, llvm::makeArrayRef(value), Recorder::builder(*this).getI32Type());
}

void Model::output(const std::string &name, const Tensor &value, Where where) {
  LayerScope scope(*this, name, "output", where);
  checkName(*this, name, "output");
  bool duplicate = false;
  module().walk([&](OutputOp op) { duplicate |= op.name() == name; });
  require(!duplicate, "output '" + name + "' is already declared");
  OpBuilder &b = Recorder::builder(*this);
  b.create<OutputOp>(Recorder::location(*this), b.getStringAttr(name), value.value());
}

namespace {

/// The loom.optimizer dictionary that loom-optimizer reads, after checking the hyperparameters.
class OptimizerAttributes {
public:
  OptimizerAttributes(Model &model, OpBuilder &b) : model_(model), b_(b) {}

  DictionaryAttr operator()(const SGD &sgd) {
    model_.require(sgd.learning_rate > 0 && sgd.momentum >= 0 && sgd.momentum < 1,
                   "SGD needs learning_rate > 0 and 0 <= momentum < 1");
    return dictionary("sgd", sgd.semantics, {{"learning_rate", sgd.learning_rate}, {"momentum", sgd.momentum}});
  }
  DictionaryAttr operator()(const Adam &adam) {
    model_.require(adam.learning_rate > 0 && adam.beta1 >= 0 && adam.beta1 < 1 && adam.beta2 >= 0 &&
                       adam.beta2 < 1 && adam.epsilon > 0,
                   "Adam needs learning_rate > 0, 0 <= beta1, beta2 < 1 and epsilon > 0");
    return dictionary("adam", adam.semantics,
                      {{"learning_rate", adam.learning_rate}, {"beta1", adam.beta1},
                       {"beta2", adam.beta2}, {"epsilon", adam.epsilon}});
  }
  DictionaryAttr operator()(const RMSprop &rmsprop) {
    model_.require(rmsprop.learning_rate > 0 && rmsprop.rho >= 0 && rmsprop.rho < 1 && rmsprop.epsilon > 0,
                   "RMSprop needs learning_rate > 0, 0 <= rho < 1 and epsilon > 0");
    return dictionary("rmsprop", rmsprop.semantics,
                      {{"learning_rate", rmsprop.learning_rate}, {"rho", rmsprop.rho},
                       {"epsilon", rmsprop.epsilon}});
  }

private:
  Model &model_;
  OpBuilder &b_;

  DictionaryAttr dictionary(StringRef kind, Semantics semantics,
                            std::initializer_list<std::pair<StringRef, double>> values) {
    SmallVector<NamedAttribute> attrs{b_.getNamedAttr("kind", b_.getStringAttr(kind)),
                                      b_.getNamedAttr("semantics", semanticsAttr(b_, semantics))};
    for (auto [name, value] : values)
      attrs.push_back(b_.getNamedAttr(name, b_.getF64FloatAttr(value)));
    return b_.getDictionaryAttr(attrs);
  }

public:
  static StringAttr semanticsAttr(OpBuilder &b, Semantics semantics) {
    return b.getStringAttr(semantics == Semantics::Keras ? "keras" : "pytorch");
  }
};

} // namespace

void Model::minimize(const Tensor &loss, Optimizer optimizer, ClipByGlobalNorm clip,
                     Where where) {
  LayerScope scope(*this, "loss", "loss", where);
  require(!has_loss_, "the model already has a loss; a model minimizes one scalar");
  require(loss.rank() == 0 && !loss.is_integer(),
          "the loss must be a float scalar, got " + to_string(loss.shape()) +
              "; reduce it first (for example with reduce_mean)");
  require(clip.max_norm >= 0, "ClipByGlobalNorm needs max_norm >= 0 (0 turns clipping off)");
  OpBuilder &b = Recorder::builder(*this);
  DictionaryAttr attributes = std::visit(OptimizerAttributes(*this, b), optimizer);
  b.create<LossOp>(Recorder::location(*this), loss.value());
  module()->setAttr("loom.optimizer", attributes);
  if (clip.max_norm > 0)
    module()->setAttr("loom.clip_global_norm",
                      b.getDictionaryAttr(
                          {b.getNamedAttr("max_norm", b.getF64FloatAttr(clip.max_norm)),
                           b.getNamedAttr("semantics", OptimizerAttributes::semanticsAttr(b, clip.semantics))}));
  has_loss_ = true;
}

void Model::variant_of(const std::string &family, Where where) {
  LayerScope scope(*this, name_, "model", where);
  require(!family.empty(), "variant_of needs the name of the model whose parameters this one shares");
  module()->setAttr("loom.parameter_family", Recorder::builder(*this).getStringAttr(family));
}

Tensor Model::random_state() {
  Value existing;
  state_->forward.walk([&](RandomStateOp op) { existing = op.getResult(); });
  if (existing)
    return Recorder::wrap(*this, existing);
  // Recorded at the top, after the parameters, so that every later op can read it.
  OpBuilder &b = Recorder::builder(*this);
  OpBuilder::InsertionGuard guard(b);
  if (state_->lastParameter)
    b.setInsertionPointAfter(state_->lastParameter);
  else
    b.setInsertionPointToStart(&state_->forward.front());
  auto op = b.create<RandomStateOp>(Recorder::location(*this),
                                    RankedTensorType::get({2}, b.getI32Type()));
  return Recorder::wrap(*this, op.getResult());
}

} // namespace loom::dsl
