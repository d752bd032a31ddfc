// The DSL's single-op functions: each records one loom op and reports misuse at the caller's line.
#include "Recorder.h"

#include <optional>

using namespace mlir;

namespace loom::dsl {
namespace {

/// Outside a layer, an op's errors name the op and the line that called it; inside a layer, the
/// layer's own name and line stay in charge.
class OpScope {
public:
  OpScope(const Tensor &first, const char *op, Where where)
      : model_(first.model()) {
    if (!model_.in_layer())
      scope_.emplace(model_, op, "op", where);
  }
  Model &model() { return model_; }

private:
  Model &model_;
  std::optional<Model::LayerScope> scope_;
};

Tensor unary(const Tensor &x, StringRef opName, const char *name, Where where) {
  OpScope scope(x, name, where);
  return Recorder::record(scope.model(), opName, {x});
}

Tensor binary(const Tensor &lhs, const Tensor &rhs, StringRef opName, const char *name,
              Where where) {
  OpScope scope(lhs, name, where);
  return Recorder::record(scope.model(), opName, {lhs, rhs});
}

Tensor reduce(const Tensor &x, std::vector<int64_t> axes, StringRef opName, const char *name,
              Where where) {
  OpScope scope(x, name, where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("axes", b.getI64ArrayAttr(axes));
  return Recorder::record(scope.model(), opName, {x}, {attr});
}

} // namespace

Tensor matmul(const Tensor &lhs, const Tensor &rhs, bool transpose_lhs, bool transpose_rhs,
              Where where) {
  OpScope scope(lhs, "matmul", where);
  OpBuilder &b = Recorder::builder(scope.model());
  SmallVector<NamedAttribute> attrs;
  if (transpose_lhs)
    attrs.push_back(b.getNamedAttr("transpose_lhs", b.getUnitAttr()));
  if (transpose_rhs)
    attrs.push_back(b.getNamedAttr("transpose_rhs", b.getUnitAttr()));
  return Recorder::record(scope.model(), MatmulOp::getOperationName(), {lhs, rhs}, attrs);
}

Tensor add(const Tensor &l, const Tensor &r, Where w) { return binary(l, r, AddOp::getOperationName(), "add", w); }
Tensor sub(const Tensor &l, const Tensor &r, Where w) { return binary(l, r, SubOp::getOperationName(), "sub", w); }
Tensor mul(const Tensor &l, const Tensor &r, Where w) { return binary(l, r, MulOp::getOperationName(), "mul", w); }
Tensor div(const Tensor &l, const Tensor &r, Where w) { return binary(l, r, DivOp::getOperationName(), "div", w); }
Tensor bias_add(const Tensor &x, const Tensor &b, Where w) {
  return binary(x, b, BiasAddOp::getOperationName(), "bias_add", w);
}
Tensor tanh(const Tensor &x, Where w) { return unary(x, TanhOp::getOperationName(), "tanh", w); }
Tensor sigmoid(const Tensor &x, Where w) { return unary(x, SigmoidOp::getOperationName(), "sigmoid", w); }
Tensor exp(const Tensor &x, Where w) { return unary(x, ExpOp::getOperationName(), "exp", w); }
Tensor log(const Tensor &x, Where w) { return unary(x, LogOp::getOperationName(), "log", w); }
Tensor reshape(const Tensor &x, Shape shape, Where where) {
  OpScope scope(x, "reshape", where);
  Model &model = scope.model();
  for (int64_t size : shape)
    model.require(size > 0, "cannot reshape " + to_string(x.shape()) + " to " + to_string(shape) +
                                ": every dimension must be positive");
  OpBuilder &b = Recorder::builder(model);
  Type element = x.is_integer() ? Type(b.getI32Type()) : Type(b.getF32Type());
  auto op = b.create<ReshapeOp>(Recorder::location(model), RankedTensorType::get(shape, element), x.value());
  Recorder::inferAndVerify(model, op);
  return Recorder::wrap(model, op.getResult());
}

Tensor transpose(const Tensor &x, Where w) {
  return unary(x, TransposeOp::getOperationName(), "transpose", w);
}
Tensor softmax(const Tensor &x, Where w) { return unary(x, SoftmaxOp::getOperationName(), "softmax", w); }
Tensor log_softmax(const Tensor &x, Where w) {
  return unary(x, LogSoftmaxOp::getOperationName(), "log_softmax", w);
}

Tensor argmax(const Tensor &x, Where where) {
  OpScope scope(x, "argmax", where);
  return Recorder::record(scope.model(), ArgmaxOp::getOperationName(), {x}, {},
                          /*integerResult=*/true);
}

Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t size, Where where) {
  OpScope scope(x, "slice", where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attrs[] = {b.getNamedAttr("axis", b.getI64IntegerAttr(axis)),
                            b.getNamedAttr("start", b.getI64IntegerAttr(start)),
                            b.getNamedAttr("size", b.getI64IntegerAttr(size))};
  return Recorder::record(scope.model(), SliceOp::getOperationName(), {x}, attrs);
}

Tensor reduce_sum(const Tensor &x, std::vector<int64_t> axes, Where w) {
  return reduce(x, std::move(axes), ReduceSumOp::getOperationName(), "reduce_sum", w);
}
Tensor reduce_mean(const Tensor &x, std::vector<int64_t> axes, Where w) {
  return reduce(x, std::move(axes), ReduceMeanOp::getOperationName(), "reduce_mean", w);
}
Tensor reduce_max(const Tensor &x, std::vector<int64_t> axes, Where w) {
  return reduce(x, std::move(axes), ReduceMaxOp::getOperationName(), "reduce_max", w);
}

Tensor sparse_softmax_cross_entropy(const Tensor &logits, const Tensor &labels, Where where) {
  OpScope scope(logits, "sparse_softmax_cross_entropy", where);
  scope.model().require(labels.is_integer(),
                        "labels must be an int32 tensor (declare them with integer_input), got "
                        "float " + to_string(labels.shape()));
  return Recorder::record(scope.model(), SparseSoftmaxCrossEntropyOp::getOperationName(),
                          {logits, labels});
}

} // namespace loom::dsl
