// The DSL's single-op functions: each records one loom op and reports misuse at the caller's line.
#include "Recorder.h"

#include <optional>
#include <sstream>

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
Tensor sqrt(const Tensor &x, Where w) { return unary(x, SqrtOp::getOperationName(), "sqrt", w); }
Tensor relu(const Tensor &x, Where w) { return unary(x, ReluOp::getOperationName(), "relu", w); }
Tensor maximum(const Tensor &l, const Tensor &r, Where w) {
  return binary(l, r, MaximumOp::getOperationName(), "maximum", w);
}
Tensor minimum(const Tensor &l, const Tensor &r, Where w) {
  return binary(l, r, MinimumOp::getOperationName(), "minimum", w);
}

Tensor scale(const Tensor &x, float factor, Where where) {
  OpScope scope(x, "scale", where);
  return mul(x, scope.model().constant(x.shape(), factor, where), where);
}

Tensor concat(const std::vector<Tensor> &parts, int64_t axis, Where where) {
  if (parts.empty())
    throw ModelError("concat needs at least one tensor");
  OpScope scope(parts.front(), "concat", where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("axis", b.getI64IntegerAttr(axis));
  return Recorder::record(scope.model(), ConcatOp::getOperationName(), parts, {attr},
                          parts.front().is_integer());
}

Tensor broadcast(const Tensor &x, std::vector<int64_t> axes, Shape shape, Where where) {
  OpScope scope(x, "broadcast", where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attrs[] = {b.getNamedAttr("axes", b.getI64ArrayAttr(axes)),
                            b.getNamedAttr("shape", b.getI64ArrayAttr(shape))};
  return Recorder::record(scope.model(), BroadcastOp::getOperationName(), {x}, attrs);
}

namespace {
void requireIds(Model &model, const Tensor &ids, const char *what) {
  model.require(ids.is_integer(), std::string(what) +
                                      " must be an int32 tensor (declare them with integer_input), got float " +
                                      to_string(ids.shape()));
}
} // namespace

Tensor gather(const Tensor &table, const Tensor &ids, Where where) {
  OpScope scope(table, "gather", where);
  requireIds(scope.model(), ids, "ids");
  return Recorder::record(scope.model(), GatherOp::getOperationName(), {table, ids});
}

Tensor one_hot(const Tensor &ids, int64_t depth, Where where) {
  OpScope scope(ids, "one_hot", where);
  requireIds(scope.model(), ids, "ids");
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("depth", b.getI64IntegerAttr(depth));
  return Recorder::record(scope.model(), OneHotOp::getOperationName(), {ids}, {attr});
}

Tensor sequence_mask(const Tensor &lengths, int64_t steps, Where where) {
  OpScope scope(lengths, "sequence_mask", where);
  requireIds(scope.model(), lengths, "lengths");
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("steps", b.getI64IntegerAttr(steps));
  return Recorder::record(scope.model(), SequenceMaskOp::getOperationName(), {lengths}, {attr});
}

Tensor dropout(const Tensor &x, double rate, Where where) {
  OpScope scope(x, "dropout", where);
  Model &model = scope.model();
  std::ostringstream given;
  given << rate;
  model.require(rate >= 0 && rate < 1, "needs a rate in [0, 1), got " + given.str());
  if (rate == 0)
    return x;
  OpBuilder &b = Recorder::builder(model);
  NamedAttribute attrs[] = {b.getNamedAttr("rate", b.getF64FloatAttr(rate)),
                            b.getNamedAttr("stream", b.getI64IntegerAttr(model.next_random_stream()))};
  return Recorder::record(model, DropoutOp::getOperationName(), {x, model.random_state()}, attrs);
}
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

Tensor transpose(const Tensor &x, std::vector<int64_t> permutation, Where where) {
  OpScope scope(x, "transpose", where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("permutation", b.getI64ArrayAttr(permutation));
  return Recorder::record(scope.model(), TransposeOp::getOperationName(), {x}, {attr});
}
Tensor softmax(const Tensor &x, Where w) { return unary(x, SoftmaxOp::getOperationName(), "softmax", w); }
Tensor log_softmax(const Tensor &x, Where w) {
  return unary(x, LogSoftmaxOp::getOperationName(), "log_softmax", w);
}

Tensor masked_softmax(const Tensor &logits, const Tensor &mask, Where where) {
  OpScope scope(logits, "masked_softmax", where);
  Model &model = scope.model();
  model.require(!logits.is_integer() && !mask.is_integer() && logits.rank() >= 1 && mask.shape() == logits.shape(),
                "needs float logits and a float mask of the same shape, got " + to_string(logits.shape()) + " and " +
                    std::string(mask.is_integer() ? "int32 " : "") + to_string(mask.shape()));
  // logits - (1 - mask) * 1e9: exact where the mask is 1, far below any logit where it is 0.
  Tensor ones = model.constant(mask.shape(), 1.0f, where);
  return softmax(sub(logits, scale(sub(ones, mask, where), 1e9f, where), where), where);
}

Tensor argmax(const Tensor &x, Where where) {
  OpScope scope(x, "argmax", where);
  return Recorder::record(scope.model(), ArgmaxOp::getOperationName(), {x}, {},
                          /*integerResult=*/true);
}

Tensor top_k(const Tensor &x, int64_t k, Where where) {
  OpScope scope(x, "top_k", where);
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("k", b.getI64IntegerAttr(k));
  return Recorder::record(scope.model(), TopKOp::getOperationName(), {x}, {attr}, /*integerResult=*/true);
}

Tensor gather_beams(const Tensor &x, const Tensor &indices, Where where) {
  OpScope scope(x, "gather_beams", where);
  requireIds(scope.model(), indices, "indices");
  return Recorder::record(scope.model(), GatherBeamsOp::getOperationName(), {x, indices}, {}, x.is_integer());
}

namespace {
Tensor integerDivision(const Tensor &x, int64_t divisor, StringRef opName, const char *name, Where where) {
  OpScope scope(x, name, where);
  requireIds(scope.model(), x, "the dividend");
  OpBuilder &b = Recorder::builder(scope.model());
  NamedAttribute attr = b.getNamedAttr("divisor", b.getI64IntegerAttr(divisor));
  return Recorder::record(scope.model(), opName, {x}, {attr}, /*integerResult=*/true);
}
} // namespace

Tensor quotient(const Tensor &x, int64_t divisor, Where where) {
  return integerDivision(x, divisor, QuotientOp::getOperationName(), "quotient", where);
}
Tensor remainder(const Tensor &x, int64_t divisor, Where where) {
  return integerDivision(x, divisor, RemainderOp::getOperationName(), "remainder", where);
}

Tensor repeat_each(const Tensor &x, int64_t axis, int64_t times, Where where) {
  OpScope scope(x, "repeat_each", where);
  Model &model = scope.model();
  model.require(!x.is_integer(), "repeats float tensors, got int32 " + to_string(x.shape()));
  model.require(axis >= 0 && axis < x.rank() && times >= 1,
                "needs an axis of " + to_string(x.shape()) + " and a positive count, got axis " + std::to_string(axis) +
                    " and " + std::to_string(times));
  // [..., n, ...] -> [..., n, times, ...] -> [..., n * times, ...]
  Shape spread = x.shape(), repeated = x.shape();
  spread.insert(spread.begin() + axis + 1, times);
  repeated[size_t(axis)] *= times;
  return reshape(broadcast(x, {axis + 1}, spread, where), repeated, where);
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
  requireIds(scope.model(), labels, "labels");
  return Recorder::record(scope.model(), SparseSoftmaxCrossEntropyOp::getOperationName(),
                          {logits, labels});
}

Tensor softmax_cross_entropy(const Tensor &logits, const Tensor &labels, Where where) {
  OpScope scope(logits, "softmax_cross_entropy", where);
  Model &model = scope.model();
  model.require(!labels.is_integer() && logits.rank() == 2 && labels.shape() == logits.shape(),
                "needs logits [N, C] and float labels of the same shape, got logits " +
                    to_string(logits.shape()) + " and labels " + to_string(labels.shape()));
  Tensor picked = reduce_sum(mul(labels, log_softmax(logits, where), where), {1}, where);
  return scale(reduce_mean(picked, {0}, where), -1.0f, where);
}

Tensor sequence_loss(const Tensor &logits, const Tensor &labels, const Tensor &weights, Where where) {
  OpScope scope(logits, "sequence_loss", where);
  Model &model = scope.model();
  requireIds(model, labels, "labels");
  bool fits = logits.rank() == 3 && labels.rank() == 2 && weights.rank() == 2 && !weights.is_integer() &&
              labels.shape()[0] == logits.shape()[0] && labels.shape()[1] == logits.shape()[1] &&
              weights.shape() == labels.shape();
  model.require(fits, "needs logits [T, B, C], int32 labels [T, B] and float weights [T, B], got " +
                          to_string(logits.shape()) + ", " + to_string(labels.shape()) + " and " +
                          to_string(weights.shape()));
  Tensor targets = one_hot(labels, logits.shape()[2], where);
  Tensor crossEntropy = reduce_sum(mul(targets, log_softmax(logits, where), where), {2}, where);
  Tensor total = scale(reduce_sum(mul(weights, crossEntropy, where), {0, 1}, where), -1.0f, where);
  // TensorFlow adds 1e-12 so that an all-zero weight batch gives 0 rather than NaN.
  Tensor weight = add(reduce_sum(weights, {0, 1}, where), model.constant({}, 1e-12f, where), where);
  return div(total, weight, where);
}

Tensor sigmoid_cross_entropy(const Tensor &logits, const Tensor &targets, Where where) {
  OpScope scope(logits, "sigmoid_cross_entropy", where);
  Model &model = scope.model();
  model.require(!targets.is_integer() && targets.shape() == logits.shape(),
                "needs float targets shaped like the logits " + to_string(logits.shape()) + ", got " +
                    std::string(targets.is_integer() ? "int32 " : "") + to_string(targets.shape()));
  // max(x, 0) - x*z + log(1 + exp(-|x|)), with |x| = relu(x) + relu(-x).
  Tensor positive = relu(logits, where);
  Tensor magnitude = add(positive, relu(scale(logits, -1.0f, where), where), where);
  Tensor softplus = log(add(model.constant(logits.shape(), 1.0f, where),
                            exp(scale(magnitude, -1.0f, where), where), where),
                        where);
  Tensor elementwise = add(sub(positive, mul(logits, targets, where), where), softplus, where);
  std::vector<int64_t> axes;
  for (int64_t d = 0; d < logits.rank(); ++d)
    axes.push_back(d);
  return reduce_mean(elementwise, axes, where);
}

std::vector<Tensor> scan(int64_t steps, const std::vector<Tensor> &initial,
                         const std::vector<Tensor> &sequences,
                         const std::function<ScanStep(const std::vector<Tensor> &,
                                                      const std::vector<Tensor> &)> &body,
                         bool reverse, Where where) {
  const Tensor *any = !sequences.empty() ? &sequences.front() : !initial.empty() ? &initial.front() : nullptr;
  if (!any)
    throw ModelError("scan needs a carried state or a sequence");
  OpScope scope(*any, "scan", where);
  Model &model = scope.model();
  model.require(steps > 0, "scan needs a positive number of steps, got " + std::to_string(steps));
  for (const Tensor &sequence : sequences)
    model.require(sequence.rank() >= 1 && sequence.shape()[0] == steps,
                  "every sequence must have the " + std::to_string(steps) + " steps first, got " +
                      to_string(sequence.shape()));
  if (!sequences.empty())
    return Recorder::scan(model, initial, sequences, body, reverse);
  // loom.scan takes its step count from a sequence: a loop with none reads one it ignores.
  std::vector<Tensor> counter{model.constant({steps, 1}, 0.0f, where)};
  return Recorder::scan(
      model, initial, counter,
      [&](const std::vector<Tensor> &state, const std::vector<Tensor> &) { return body(state, {}); },
      reverse);
}

} // namespace loom::dsl
