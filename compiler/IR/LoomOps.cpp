// Per-op C++ of the loom dialect: shape rules (ShapeInference), verifiers, folders and
// canonicalization patterns. Each op's rule sits under a banner with its name.
#include "LoomDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

#include <optional>
#include <set>
#include <string>

using namespace mlir;
using namespace loom;

namespace loom {

/// True when `value` is a splat elements attribute whose float value is `x`.
bool isSplatOf(Attribute value, double x) {
  auto splat = value.dyn_cast_or_null<SplatElementsAttr>();
  if (!splat || !splat.getElementType().isa<FloatType>())
    return false;
  return splat.getSplatValue<APFloat>().convertToDouble() == x;
}

} // namespace loom

namespace {

using Types = SmallVector<Type>;

/// Turns an emitted diagnostic into a failure for a function returning LogicalResult or FailureOr.
LogicalResult reject(const InFlightDiagnostic &) { return failure(); }

RankedTensorType ranked(Type type) { return type.dyn_cast<RankedTensorType>(); }

Type unranked(Type type) {
  return UnrankedTensorType::get(type.cast<TensorType>().getElementType());
}

Type tensorOf(ArrayRef<int64_t> shape, Type elementType) {
  return RankedTensorType::get(shape, elementType);
}

/// "[128, 28]": shapes in messages read as in the DSL and in PyTorch.
std::string shapeString(Type type) {
  auto tensor = ranked(type);
  if (!tensor)
    return "[unranked]";
  std::string text = "[";
  for (auto dim : llvm::enumerate(tensor.getShape()))
    text += (dim.index() ? ", " : "") +
            (ShapedType::isDynamic(dim.value()) ? std::string("?") : std::to_string(dim.value()));
  return text + "]";
}

/// Reads an I64ArrayAttr as plain integers.
SmallVector<int64_t> integers(ArrayAttr array) {
  SmallVector<int64_t> values;
  for (Attribute a : array)
    values.push_back(a.cast<IntegerAttr>().getInt());
  return values;
}

/// Shape rule shared by ops whose result is shaped like their (only) operand.
FailureOr<Types> sameAsOperand(Operation *op, unsigned minRank = 0) {
  Type input = op->getOperand(0).getType();
  if (auto tensor = ranked(input); tensor && tensor.getRank() < minRank)
    return reject(op->emitOpError() << "needs an operand of rank " << minRank << " or more, got "
                             << shapeString(input));
  return Types{input};
}

/// Shape rule for ops whose result type is given, not derived: it must be static.
FailureOr<Types> givenStaticResult(Operation *op) {
  Type result = op->getResult(0).getType();
  auto tensor = ranked(result);
  if (!tensor || !tensor.hasStaticShape())
    return reject(op->emitOpError() << "needs a static result shape, got " << result);
  return Types{result};
}

} // namespace

LogicalResult loom::verifyInferredResultTypes(Operation *op) {
  FailureOr<Types> inferred = cast<ShapeInference>(op).inferResultTypes();
  if (failed(inferred))
    return failure();
  for (auto [result, expected] : llvm::zip(op->getResults(), *inferred)) {
    if (ranked(result.getType()) && ranked(expected) && result.getType() != expected)
      return reject(op->emitOpError() << "result type " << result.getType()
                               << " does not match the type its operands give, " << expected);
  }
  return success();
}

LogicalResult loom::applyInferredTypes(Operation *op) {
  auto shaped = dyn_cast<ShapeInference>(op);
  if (!shaped)
    return success();
  FailureOr<Types> types = shaped.inferResultTypes();
  if (failed(types))
    return failure();
  for (auto [result, type] : llvm::zip(op->getResults(), *types))
    result.setType(type);
  return success();
}

Operation *loom::buildWithInferredTypes(OpBuilder &builder, Location loc, StringRef name,
                                        ValueRange operands, ArrayRef<NamedAttribute> attributes,
                                        Type resultElementType) {
  OperationState state(loc, name);
  state.addOperands(operands);
  state.addAttributes(attributes);
  state.addTypes(UnrankedTensorType::get(resultElementType));
  Operation *op = builder.createOperation(state);
  if (failed(applyInferredTypes(op))) {
    op->erase();
    return nullptr;
  }
  return op;
}

//===----------------------------------------------------------------------===//
// InputOp, ParameterOp, ConstantOp
//===----------------------------------------------------------------------===//

FailureOr<Types> InputOp::inferResultTypes() { return givenStaticResult(*this); }

FailureOr<Types> ParameterOp::inferResultTypes() {
  static const llvm::StringRef known[] = {"zeros",  "ones",       "uniform",         "normal",
                                          "glorot_uniform", "orthogonal", "unit_forget_bias"};
  if (!llvm::is_contained(known, init()))
    return reject(emitOpError() << "has unknown initializer '" << init()
                         << "'; expected zeros, ones, uniform, normal, glorot_uniform, orthogonal or "
                            "unit_forget_bias");
  double scale = this->scale().convertToDouble();
  bool scaled = init() == "uniform" || init() == "normal" || init() == "orthogonal";
  if (scaled && !(scale > 0))
    return reject(emitOpError() << "uses initializer '" << init() << "' and needs a positive scale");
  auto type = ranked(getResult().getType());
  if (type && init() == "orthogonal" && type.getRank() != 2)
    return reject(emitOpError() << "uses initializer 'orthogonal', which needs a matrix, got "
                                << shapeString(type));
  if (type && init() == "unit_forget_bias" &&
      (type.getRank() != 1 || scale < 1 || type.getDimSize(0) != 4 * int64_t(scale)))
    return reject(emitOpError() << "uses initializer 'unit_forget_bias' with scale (units) " << int64_t(scale)
                                << ", which needs an LSTM bias [4 * units], got " << shapeString(type));
  return givenStaticResult(*this);
}

FailureOr<Types> ConstantOp::inferResultTypes() { return Types{value().getType()}; }

OpFoldResult ConstantOp::fold(ArrayRef<Attribute>) { return value(); }

ParseResult loom::parseConstant(OpAsmParser &parser, OperationState &result) {
  ElementsAttr value;
  if (parser.parseAttribute(value, "value", result.attributes) ||
      parser.parseOptionalAttrDict(result.attributes))
    return failure();
  result.addTypes(value.getType());
  return success();
}

void loom::printConstant(OpAsmPrinter &printer, ConstantOp op) {
  printer << ' ' << op.value();
  printer.printOptionalAttrDict(op->getAttrs(), /*elidedAttrs=*/{"value"});
}

//===----------------------------------------------------------------------===//
// LossOp
//===----------------------------------------------------------------------===//

LogicalResult loom::verifyLoss(LossOp op) {
  auto type = ranked(op.value().getType());
  if (type && type.getRank() != 0)
    return op.emitOpError() << "needs a scalar loss, got " << shapeString(type)
                            << "; reduce it first (for example with loom.reduce_mean)";
  return success();
}

LogicalResult loom::verifySemantics(Operation *op, StringRef semantics) {
  if (semantics != "pytorch" && semantics != "keras")
    return op->emitOpError() << "has semantics \"" << semantics << "\"; Loom knows \"pytorch\" and \"keras\"";
  return success();
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

FailureOr<Types> MatmulOp::inferResultTypes() {
  auto lhsType = ranked(lhs().getType()), rhsType = ranked(rhs().getType());
  if (!lhsType || !rhsType)
    return Types{unranked(lhs().getType())};
  if (lhsType.getRank() != 2 || rhsType.getRank() != 2)
    return reject(emitOpError() << "multiplies rank-2 tensors, got " << shapeString(lhsType) << " and "
                         << shapeString(rhsType));
  int64_t m = lhsType.getDimSize(transpose_lhs() ? 1 : 0);
  int64_t lhsK = lhsType.getDimSize(transpose_lhs() ? 0 : 1);
  int64_t rhsK = rhsType.getDimSize(transpose_rhs() ? 1 : 0);
  int64_t n = rhsType.getDimSize(transpose_rhs() ? 0 : 1);
  if (lhsK != rhsK)
    return reject(emitOpError() << "contraction sizes differ: lhs " << shapeString(lhsType)
                         << (transpose_lhs() ? " (transposed)" : "") << " gives " << lhsK
                         << ", rhs " << shapeString(rhsType)
                         << (transpose_rhs() ? " (transposed)" : "") << " gives " << rhsK);
  return Types{tensorOf({m, n}, lhsType.getElementType())};
}

//===----------------------------------------------------------------------===//
// Element-wise binary ops: AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp
//===----------------------------------------------------------------------===//

static FailureOr<Types> sameShapeBinary(Operation *op) {
  Type lhs = op->getOperand(0).getType(), rhs = op->getOperand(1).getType();
  if (!ranked(lhs))
    return Types{rhs};
  if (ranked(rhs) && lhs != rhs)
    return reject(op->emitOpError() << "needs operands of one shape, got " << shapeString(lhs)
                             << " and " << shapeString(rhs));
  return Types{lhs};
}

FailureOr<Types> AddOp::inferResultTypes() { return sameShapeBinary(*this); }
FailureOr<Types> SubOp::inferResultTypes() { return sameShapeBinary(*this); }
FailureOr<Types> MulOp::inferResultTypes() { return sameShapeBinary(*this); }
FailureOr<Types> DivOp::inferResultTypes() { return sameShapeBinary(*this); }
FailureOr<Types> MaximumOp::inferResultTypes() { return sameShapeBinary(*this); }
FailureOr<Types> MinimumOp::inferResultTypes() { return sameShapeBinary(*this); }

namespace {
#include "LoomCanonicalize.inc"
} // namespace

namespace {

/// x + y where x and y are concatenations along one axis, and wherever one of them has a piece that
/// is not a splat of zero the other has only zeros: the sum is one concatenation of the nonzero pieces
/// (zeros where both are zero). Backprop through slices leaves such sums: each slice's adjoint is its
/// gradient padded with zeros to the whole tensor, and the adjoints of an LSTM's four gate slices add
/// up to the gate gradient. Summed as written, every element would evaluate every piece.
struct MergeZeroPaddedConcats : public OpRewritePattern<AddOp> {
  using OpRewritePattern<AddOp>::OpRewritePattern;

  struct Piece {
    int64_t start, end;
    Value value;
    bool zero;
  };

  static bool isZero(Value v) {
    auto constant = v.getDefiningOp<ConstantOp>();
    return constant && isSplatOf(constant.value(), 0.0);
  }

  static std::optional<SmallVector<Piece>> pieces(Value v, uint64_t axis) {
    auto concat = v.getDefiningOp<ConcatOp>();
    if (!concat || concat.axis() != axis)
      return std::nullopt;
    SmallVector<Piece> result;
    int64_t start = 0;
    for (Value input : concat.inputs()) {
      auto type = ranked(input.getType());
      if (!type || !type.hasStaticShape())
        return std::nullopt;
      const int64_t end = start + type.getDimSize(static_cast<unsigned>(axis));
      result.push_back({start, end, input, isZero(input)});
      start = end;
    }
    return result;
  }

  LogicalResult matchAndRewrite(AddOp add, PatternRewriter &rewriter) const override {
    auto type = ranked(add.getType());
    auto lhsConcat = add.lhs().getDefiningOp<ConcatOp>();
    if (!type || !type.hasStaticShape() || !lhsConcat)
      return failure();
    const uint64_t axis = lhsConcat.axis();
    std::optional<SmallVector<Piece>> lhs = pieces(add.lhs(), axis), rhs = pieces(add.rhs(), axis);
    if (!lhs || !rhs)
      return failure();
    std::set<int64_t> boundaries;
    for (const SmallVector<Piece> *side : {&*lhs, &*rhs})
      for (const Piece &piece : *side)
        boundaries.insert({piece.start, piece.end});
    auto covering = [](const SmallVector<Piece> &side, int64_t at) -> const Piece & {
      return *llvm::find_if(side, [&](const Piece &p) { return p.start <= at && at < p.end; });
    };

    SmallVector<Value> inputs;
    int64_t zerosFrom = -1;
    auto flushZeros = [&](int64_t to) {
      if (zerosFrom < 0)
        return;
      SmallVector<int64_t> shape(type.getShape().begin(), type.getShape().end());
      shape[axis] = to - zerosFrom;
      auto zerosType = RankedTensorType::get(shape, type.getElementType());
      inputs.push_back(rewriter.create<ConstantOp>(add.getLoc(), zerosType,
                                                   DenseElementsAttr::get(zerosType, rewriter.getZeroAttr(type.getElementType()))));
      zerosFrom = -1;
    };
    for (auto it = boundaries.begin(); std::next(it) != boundaries.end(); ++it) {
      const Piece &a = covering(*lhs, *it), &b = covering(*rhs, *it);
      if (!a.zero && !b.zero)
        return failure();
      if (a.zero && b.zero) {
        if (zerosFrom < 0)
          zerosFrom = *it;
        continue;
      }
      const Piece &nonzero = a.zero ? b : a;
      flushZeros(*it);
      if (nonzero.start == *it)
        inputs.push_back(nonzero.value);
    }
    flushZeros(*boundaries.rbegin());
    if (inputs.size() == 1)
      rewriter.replaceOp(add, inputs.front());
    else
      rewriter.replaceOpWithNewOp<ConcatOp>(add, add.getType(), inputs, rewriter.getI64IntegerAttr(static_cast<int64_t>(axis)));
    return success();
  }
};

} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<AddZero, MergeZeroPaddedConcats>(context);
}

void MulOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<MulOne>(context);
}

//===----------------------------------------------------------------------===//
// BiasAddOp
//===----------------------------------------------------------------------===//

FailureOr<Types> BiasAddOp::inferResultTypes() {
  auto inputType = ranked(input().getType()), biasType = ranked(bias().getType());
  if (!inputType || !biasType)
    return Types{input().getType()};
  if (inputType.getRank() < 1 || biasType.getRank() != 1 ||
      inputType.getShape().back() != biasType.getDimSize(0))
    return reject(emitOpError() << "adds a bias [C] to an input [..., C], got input "
                         << shapeString(inputType) << " and bias " << shapeString(biasType));
  return Types{inputType};
}

//===----------------------------------------------------------------------===//
// Element-wise unary ops: TanhOp, SigmoidOp, ExpOp, LogOp, SqrtOp, ReluOp, HeavisideOp
//===----------------------------------------------------------------------===//

FailureOr<Types> TanhOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> SigmoidOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> ExpOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> LogOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> SqrtOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> ReluOp::inferResultTypes() { return sameAsOperand(*this); }
FailureOr<Types> HeavisideOp::inferResultTypes() { return sameAsOperand(*this); }

//===----------------------------------------------------------------------===//
// GatherOp, ScatterAddOp, OneHotOp, SequenceMaskOp
//===----------------------------------------------------------------------===//

static Type f32Tensor(MLIRContext *context, ArrayRef<int64_t> shape) {
  return tensorOf(shape, Float32Type::get(context));
}

/// `[d..., last]`: the shape of `indices` with one more axis.
static SmallVector<int64_t> withTrailing(RankedTensorType indices, int64_t last) {
  SmallVector<int64_t> shape(indices.getShape().begin(), indices.getShape().end());
  shape.push_back(last);
  return shape;
}

FailureOr<Types> GatherOp::inferResultTypes() {
  auto tableType = ranked(table().getType()), indicesType = ranked(indices().getType());
  if (tableType && tableType.getRank() != 2)
    return reject(emitOpError() << "needs a table [rows, features], got " << shapeString(tableType));
  if (!tableType || !indicesType)
    return Types{unranked(table().getType())};
  return Types{f32Tensor(getContext(), withTrailing(indicesType, tableType.getDimSize(1)))};
}

FailureOr<Types> ScatterAddOp::inferResultTypes() {
  if (int64_t(rows()) <= 0)
    return reject(emitOpError() << "needs a positive number of rows, got " << int64_t(rows()));
  auto indicesType = ranked(indices().getType()), updatesType = ranked(updates().getType());
  if (!indicesType || !updatesType)
    return Types{unranked(updates().getType())};
  if (updatesType.getRank() != indicesType.getRank() + 1 ||
      updatesType.getShape().drop_back() != indicesType.getShape())
    return reject(emitOpError() << "needs updates [d..., features] for indices [d...], got indices "
                                << shapeString(indicesType) << " and updates " << shapeString(updatesType));
  return Types{f32Tensor(getContext(), {int64_t(rows()), updatesType.getShape().back()})};
}

FailureOr<Types> OneHotOp::inferResultTypes() {
  if (int64_t(depth()) <= 0)
    return reject(emitOpError() << "needs a positive depth, got " << int64_t(depth()));
  auto indicesType = ranked(indices().getType());
  if (!indicesType)
    return Types{UnrankedTensorType::get(Float32Type::get(getContext()))};
  return Types{f32Tensor(getContext(), withTrailing(indicesType, int64_t(depth())))};
}

FailureOr<Types> SequenceMaskOp::inferResultTypes() {
  if (int64_t(steps()) <= 0)
    return reject(emitOpError() << "needs a positive number of steps, got " << int64_t(steps()));
  auto lengthsType = ranked(lengths().getType());
  if (!lengthsType)
    return Types{UnrankedTensorType::get(Float32Type::get(getContext()))};
  if (lengthsType.getRank() != 1)
    return reject(emitOpError() << "needs lengths [batch], got " << shapeString(lengthsType));
  return Types{f32Tensor(getContext(), {int64_t(steps()), lengthsType.getDimSize(0)})};
}

//===----------------------------------------------------------------------===//
// RandomStateOp, DropoutOp
//===----------------------------------------------------------------------===//

FailureOr<Types> RandomStateOp::inferResultTypes() {
  return Types{tensorOf({2}, IntegerType::get(getContext(), 32))};
}

FailureOr<Types> DropoutOp::inferResultTypes() {
  double rate = this->rate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return reject(emitOpError() << "needs a rate in [0, 1), got " << rate);
  if (auto stateType = ranked(state().getType());
      stateType && (stateType.getRank() != 1 || stateType.getDimSize(0) != 2))
    return reject(emitOpError() << "needs the random state [2] (seed, step), got " << shapeString(stateType));
  if (getOperation()->getParentOfType<ScanOp>())
    return reject(emitOpError() << "is inside a loom.scan, where every step would drop the same "
                                   "entries; apply dropout to the whole sequence instead");
  return Types{input().getType()};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

FailureOr<Types> SliceOp::inferResultTypes() {
  auto inputType = ranked(input().getType());
  if (!inputType)
    return Types{unranked(input().getType())};
  int64_t rank = inputType.getRank(), a = static_cast<int64_t>(axis());
  int64_t first = static_cast<int64_t>(start()), count = static_cast<int64_t>(size());
  if (a < 0 || a >= rank)
    return reject(emitOpError() << "slices axis " << a << " of a rank-" << rank << " tensor "
                         << shapeString(inputType));
  int64_t extent = inputType.getDimSize(a);
  if (first < 0 || count <= 0 || first + count > extent)
    return reject(emitOpError() << "takes [" << first << ", " << first + count << ") of axis " << a
                         << ", which has size " << extent << " in " << shapeString(inputType));
  SmallVector<int64_t> shape = llvm::to_vector(inputType.getShape());
  shape[a] = count;
  return Types{tensorOf(shape, inputType.getElementType())};
}

OpFoldResult SliceOp::fold(ArrayRef<Attribute>) {
  if (input().getType() == getType())
    return input();
  return {};
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

FailureOr<Types> ConcatOp::inferResultTypes() {
  if (inputs().empty())
    return reject(emitOpError() << "needs at least one operand");
  SmallVector<RankedTensorType> types;
  for (Value v : inputs()) {
    if (!ranked(v.getType()))
      return Types{unranked(v.getType())};
    types.push_back(ranked(v.getType()));
  }
  int64_t rank = types[0].getRank(), a = static_cast<int64_t>(axis());
  if (a < 0 || a >= rank)
    return reject(emitOpError() << "joins along axis " << a << " of rank-" << rank << " tensors");
  SmallVector<int64_t> shape = llvm::to_vector(types[0].getShape());
  shape[a] = 0;
  for (RankedTensorType t : types) {
    bool fits = t.getRank() == rank && t.getElementType() == types[0].getElementType();
    for (int64_t d = 0; fits && d < rank; ++d)
      fits = d == a || t.getDimSize(d) == types[0].getDimSize(d);
    if (!fits)
      return reject(emitOpError() << "needs operands that agree except along axis " << a << ", got "
                           << shapeString(types[0]) << " and " << shapeString(t));
    shape[a] += t.getDimSize(a);
  }
  return Types{tensorOf(shape, types[0].getElementType())};
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

FailureOr<Types> ReshapeOp::inferResultTypes() {
  FailureOr<Types> result = givenStaticResult(*this);
  auto inputType = ranked(input().getType());
  if (failed(result) || !inputType)
    return result;
  auto resultType = ranked(getType());
  if (inputType.getNumElements() != resultType.getNumElements())
    return reject(emitOpError() << "cannot reshape " << shapeString(inputType) << " ("
                         << inputType.getNumElements() << " elements) to "
                         << shapeString(resultType) << " (" << resultType.getNumElements()
                         << " elements)");
  return result;
}

OpFoldResult ReshapeOp::fold(ArrayRef<Attribute>) {
  if (input().getType() == getType())
    return input();
  // A reshape of a reshape reads the first one's input (imported models chain them: an ONNX
  // Unsqueeze after a recurrent layer, then a Squeeze).
  if (auto inner = input().getDefiningOp<ReshapeOp>()) {
    inputMutable().assign(inner.input());
    return inner.input().getType() == getType() ? inner.input() : Value(getResult());
  }
  return {};
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

SmallVector<int64_t> TransposeOp::axes() {
  if (permutation())
    return integers(*permutation());
  return {1, 0};
}

FailureOr<Types> TransposeOp::inferResultTypes() {
  auto inputType = ranked(input().getType());
  if (!inputType)
    return Types{unranked(input().getType())};
  SmallVector<int64_t> order = axes();
  if (!permutation() && inputType.getRank() != 2)
    return reject(emitOpError() << "without a permutation transposes a rank-2 tensor, got " << shapeString(inputType));
  SmallVector<int64_t> sorted(order.begin(), order.end());
  llvm::sort(sorted);
  bool isPermutation = int64_t(sorted.size()) == inputType.getRank();
  for (size_t d = 0; isPermutation && d < sorted.size(); ++d)
    isPermutation = sorted[d] == int64_t(d);
  if (!isPermutation) {
    std::string listed;
    for (int64_t axis : order)
      listed += (listed.empty() ? "" : ", ") + std::to_string(axis);
    return reject(emitOpError() << "permutation [" << listed << "] is not a permutation of the axes of "
                                << shapeString(inputType));
  }
  SmallVector<int64_t> shape;
  for (int64_t axis : order)
    shape.push_back(inputType.getDimSize(axis));
  return Types{tensorOf(shape, inputType.getElementType())};
}

//===----------------------------------------------------------------------===//
// BroadcastOp
//===----------------------------------------------------------------------===//

FailureOr<Types> BroadcastOp::inferResultTypes() {
  SmallVector<int64_t> shape = integers(this->shape()), newAxes = integers(axes());
  Type result = tensorOf(shape, input().getType().cast<TensorType>().getElementType());
  auto inputType = ranked(input().getType());
  if (!inputType)
    return Types{result};
  llvm::SmallSet<int64_t, 4> inserted;
  for (int64_t a : newAxes)
    inserted.insert(a);
  SmallVector<int64_t> kept;
  for (auto dim : llvm::enumerate(shape)) {
    if (!inserted.count(static_cast<int64_t>(dim.index())))
      kept.push_back(dim.value());
  }
  bool axesValid = inserted.size() == newAxes.size() &&
                   llvm::all_of(newAxes, [&](int64_t a) { return a >= 0 && a < int64_t(shape.size()); });
  if (!axesValid || llvm::ArrayRef<int64_t>(kept) != inputType.getShape())
    return reject(emitOpError() << "cannot broadcast " << shapeString(inputType) << " to "
                         << shapeString(result) << " by inserting axes " << axes());
  return Types{result};
}

//===----------------------------------------------------------------------===//
// Reductions: ReduceSumOp, ReduceMeanOp, ReduceMaxOp
//===----------------------------------------------------------------------===//

static FailureOr<Types> reduceAxes(Operation *op, ArrayAttr axesAttr) {
  Type input = op->getOperand(0).getType();
  auto inputType = ranked(input);
  if (!inputType)
    return Types{unranked(input)};
  SmallVector<int64_t> axes = integers(axesAttr);
  llvm::SmallSet<int64_t, 4> removed;
  for (int64_t a : axes) {
    if (a < 0 || a >= inputType.getRank() || !removed.insert(a).second)
      return reject(op->emitOpError() << "has invalid or repeated axis " << a << " for an operand "
                               << shapeString(inputType));
  }
  SmallVector<int64_t> shape;
  for (auto dim : llvm::enumerate(inputType.getShape())) {
    if (!removed.count(static_cast<int64_t>(dim.index())))
      shape.push_back(dim.value());
  }
  return Types{tensorOf(shape, inputType.getElementType())};
}

FailureOr<Types> ReduceSumOp::inferResultTypes() { return reduceAxes(*this, axes()); }
FailureOr<Types> ReduceMeanOp::inferResultTypes() { return reduceAxes(*this, axes()); }
FailureOr<Types> ReduceMaxOp::inferResultTypes() { return reduceAxes(*this, axes()); }

//===----------------------------------------------------------------------===//
// SoftmaxOp, LogSoftmaxOp, ArgmaxOp
//===----------------------------------------------------------------------===//

FailureOr<Types> SoftmaxOp::inferResultTypes() { return sameAsOperand(*this, 1); }
FailureOr<Types> LogSoftmaxOp::inferResultTypes() { return sameAsOperand(*this, 1); }

FailureOr<Types> ArgmaxOp::inferResultTypes() {
  auto i32 = IntegerType::get(getContext(), 32);
  auto inputType = ranked(input().getType());
  if (!inputType)
    return Types{UnrankedTensorType::get(i32)};
  if (inputType.getRank() < 1)
    return reject(emitOpError() << "needs an operand of rank 1 or more, got a scalar");
  return Types{tensorOf(inputType.getShape().drop_back(), i32)};
}

//===----------------------------------------------------------------------===//
// TopKOp, GatherBeamsOp, QuotientOp, RemainderOp
//===----------------------------------------------------------------------===//

FailureOr<Types> TopKOp::inferResultTypes() {
  auto i32 = IntegerType::get(getContext(), 32);
  auto inputType = ranked(input().getType());
  const int64_t count = int64_t(k());
  if (count < 1)
    return reject(emitOpError() << "needs k >= 1, got " << count);
  if (!inputType)
    return Types{UnrankedTensorType::get(i32)};
  if (inputType.getRank() < 1 || inputType.getShape().back() < count)
    return reject(emitOpError() << "needs an operand [..., N] with N >= k = " << count << ", got "
                                << shapeString(inputType));
  SmallVector<int64_t> shape(inputType.getShape().begin(), inputType.getShape().end());
  shape.back() = count;
  return Types{tensorOf(shape, i32)};
}

FailureOr<Types> GatherBeamsOp::inferResultTypes() {
  auto inputType = ranked(input().getType()), indicesType = ranked(indices().getType());
  if (!inputType || !indicesType)
    return Types{unranked(input().getType())};
  if (inputType.getRank() < 2 || indicesType.getRank() != 2 ||
      inputType.getDimSize(0) != indicesType.getDimSize(0))
    return reject(emitOpError() << "needs input [B, K, ...] and indices [B, J], got "
                                << shapeString(inputType) << " and " << shapeString(indicesType));
  SmallVector<int64_t> shape(inputType.getShape().begin(), inputType.getShape().end());
  shape[1] = indicesType.getDimSize(1);
  return Types{tensorOf(shape, inputType.getElementType())};
}

static FailureOr<Types> integerDivision(Operation *op, int64_t divisor) {
  if (divisor < 1)
    return reject(op->emitOpError() << "needs a positive divisor, got " << divisor);
  return sameAsOperand(op);
}

FailureOr<Types> QuotientOp::inferResultTypes() { return integerDivision(*this, int64_t(divisor())); }
FailureOr<Types> RemainderOp::inferResultTypes() { return integerDivision(*this, int64_t(divisor())); }

//===----------------------------------------------------------------------===//
// SparseSoftmaxCrossEntropyOp and its gradient
//===----------------------------------------------------------------------===//

/// Checks logits [N, C] against labels [N].
static LogicalResult checkLogitsAndLabels(Operation *op, Value logits, Value labels) {
  auto logitsType = ranked(logits.getType()), labelsType = ranked(labels.getType());
  if (!logitsType || !labelsType)
    return success();
  if (logitsType.getRank() != 2 || labelsType.getRank() != 1 ||
      logitsType.getDimSize(0) != labelsType.getDimSize(0))
    return reject(op->emitOpError() << "needs logits [N, C] and labels [N], got logits "
                             << shapeString(logitsType) << " and labels "
                             << shapeString(labelsType));
  return success();
}

FailureOr<Types> SparseSoftmaxCrossEntropyOp::inferResultTypes() {
  if (failed(checkLogitsAndLabels(*this, logits(), labels())))
    return failure();
  return Types{tensorOf({}, Float32Type::get(getContext()))};
}

FailureOr<Types> SparseSoftmaxCrossEntropyGradOp::inferResultTypes() {
  if (failed(checkLogitsAndLabels(*this, logits(), labels())))
    return failure();
  if (auto type = ranked(dloss().getType()); type && type.getRank() != 0)
    return reject(emitOpError() << "needs a scalar loss gradient, got " << shapeString(type));
  return Types{logits().getType()};
}

//===----------------------------------------------------------------------===//
// ScanOp
//===----------------------------------------------------------------------===//

int64_t ScanOp::getNumSteps() {
  for (Value sequence : sequences()) {
    if (auto type = ranked(sequence.getType()); type && type.getRank() >= 1)
      return type.getDimSize(0);
  }
  return -1;
}

/// The type of one time step of a sequence: its leading (time) dimension dropped.
static Type stepType(Type sequence) {
  auto type = ranked(sequence);
  if (!type || type.getRank() < 1)
    return unranked(sequence);
  return tensorOf(type.getShape().drop_front(), type.getElementType());
}

/// The body's loom.yield, or null while the body is still malformed (the verifier says why).
static YieldOp bodyYield(ScanOp op) {
  Region &body = op.body();
  if (body.empty() || body.front().empty())
    return nullptr;
  return dyn_cast<YieldOp>(body.front().back());
}

FailureOr<Types> ScanOp::inferResultTypes() {
  Types types(carried().getTypes());
  YieldOp yield = bodyYield(*this);
  if (!yield || yield.values().size() < carried().size())
    return types;
  int64_t steps = getNumSteps();
  for (Value output : yield.values().drop_front(carried().size())) {
    bool known = ranked(output.getType()) && steps >= 0;
    types.push_back(known ? Type(stackedType(steps, output.getType())) : unranked(output.getType()));
  }
  return types;
}

MatmulOp loom::productBehindBiases(Value v) {
  Operation *def = v.getDefiningOp();
  while (auto biasAdd = dyn_cast_or_null<BiasAddOp>(def)) {
    if (!biasAdd.input().hasOneUse())
      return nullptr;
    def = biasAdd.input().getDefiningOp();
  }
  return dyn_cast_or_null<MatmulOp>(def);
}

RankedTensorType loom::stackedType(int64_t steps, Type stepType) {
  auto type = stepType.cast<RankedTensorType>();
  SmallVector<int64_t> shape{steps};
  shape.append(type.getShape().begin(), type.getShape().end());
  return RankedTensorType::get(shape, type.getElementType());
}

ScanOp loom::rebuildScan(OpBuilder &builder, ScanOp from, ValueRange carried, ValueRange sequences,
                         TypeRange outputTypes) {
  OperationState state(from.getLoc(), ScanOp::getOperationName());
  state.addOperands(carried);
  state.addOperands(sequences);
  state.addAttribute("operand_segment_sizes",
                     builder.getI32VectorAttr({int32_t(carried.size()), int32_t(sequences.size())}));
  state.addAttribute("result_segment_sizes",
                     builder.getI32VectorAttr({int32_t(carried.size()), int32_t(outputTypes.size())}));
  if (from.reverse())
    state.addAttribute("reverse", builder.getUnitAttr());
  state.addTypes(carried.getTypes());
  state.addTypes(outputTypes);
  state.addRegion();
  auto rebuilt = cast<ScanOp>(builder.createOperation(state));
  rebuilt.body().takeBody(from.body());
  return rebuilt;
}

namespace {

/// A per-step output that nothing reads (a layer's sequence when only its last state is used) is
/// dropped, so the step kernel does not store it at every step.
struct DropUnusedScanOutputs : public OpRewritePattern<ScanOp> {
  using OpRewritePattern<ScanOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ScanOp scan, PatternRewriter &rewriter) const override {
    SmallVector<unsigned> kept;
    for (unsigned j = 0; j < scan.outputs().size(); ++j) {
      if (!scan.outputs()[j].use_empty())
        kept.push_back(j);
    }
    if (kept.size() == scan.outputs().size())
      return failure();
    SmallVector<Type> types;
    for (unsigned j : kept)
      types.push_back(scan.outputs()[j].getType());
    size_t numCarried = scan.carried().size();
    Operation *yield = scan.getBodyBlock().getTerminator();
    SmallVector<Value> yielded(yield->getOperands().take_front(numCarried));
    for (unsigned j : kept)
      yielded.push_back(yield->getOperand(numCarried + j));
    ScanOp rebuilt = rebuildScan(rewriter, scan, scan.carried(), scan.sequences(), types);
    yield->setOperands(yielded);
    SmallVector<Value> replacements(rebuilt.finals().begin(), rebuilt.finals().end());
    for (unsigned j = 0, next = 0; j < scan.outputs().size(); ++j)
      replacements.push_back(next < kept.size() && kept[next] == j ? rebuilt.outputs()[next++] : Value());
    rewriter.replaceOp(scan, replacements);
    return success();
  }
};

} // namespace

void ScanOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<DropUnusedScanOutputs>(context);
}

/// Ranked types must agree; an unranked one agrees with anything of its element type.
static bool compatible(Type a, Type b) {
  if (ranked(a) && ranked(b))
    return a == b;
  return a.cast<TensorType>().getElementType() == b.cast<TensorType>().getElementType();
}

LogicalResult loom::verifyScan(ScanOp op) {
  Block &body = op.getBodyBlock();
  size_t numCarried = op.carried().size(), numSequences = op.sequences().size();
  if (numSequences == 0)
    return reject(op.emitOpError() << "needs at least one sequence: it fixes the number of steps");
  if (body.getNumArguments() != numCarried + numSequences)
    return reject(op.emitOpError() << "body has " << body.getNumArguments() << " arguments; expected "
                            << numCarried << " carried and " << numSequences << " sequence slices");
  int64_t steps = op.getNumSteps();
  for (auto indexed : llvm::enumerate(op.sequences())) {
    size_t i = indexed.index();
    Value sequence = indexed.value();
    auto type = ranked(sequence.getType());
    if (type && (type.getRank() < 1 || type.getDimSize(0) != steps))
      return reject(op.emitOpError() << "sequence #" << i << " " << shapeString(type)
                              << " does not have the scan's " << steps << " steps first");
    Type argument = body.getArgument(numCarried + i).getType();
    if (!compatible(argument, stepType(sequence.getType())))
      return reject(op.emitOpError() << "body argument for sequence #" << i << " is "
                              << shapeString(argument) << "; one step of "
                              << shapeString(sequence.getType()) << " is "
                              << shapeString(stepType(sequence.getType())));
  }
  YieldOp yield = bodyYield(op);
  if (!yield)
    return reject(op.emitOpError() << "body must end with loom.yield");
  if (yield.values().size() < numCarried)
    return reject(yield.emitOpError() << "yields " << yield.values().size()
                               << " values but the scan carries " << numCarried);
  if (yield.values().size() - numCarried != op.outputs().size())
    return reject(op.emitOpError() << "has " << op.outputs().size() << " per-step outputs but its body yields "
                            << yield.values().size() - numCarried);
  for (auto indexed : llvm::enumerate(op.carried())) {
    size_t i = indexed.index();
    Value init = indexed.value();
    Type argument = body.getArgument(i).getType(), next = yield.values()[i].getType();
    if (!compatible(argument, init.getType()) || !compatible(next, init.getType()))
      return reject(op.emitOpError() << "carried state #" << i << " starts as "
                              << shapeString(init.getType()) << ", enters the body as "
                              << shapeString(argument) << " and is yielded as "
                              << shapeString(next));
  }
  return success();
}

ParseResult loom::parseParenTypeList(OpAsmParser &parser, SmallVectorImpl<Type> &types) {
  if (parser.parseLParen())
    return failure();
  if (succeeded(parser.parseOptionalRParen()))
    return success();
  if (parser.parseTypeList(types))
    return failure();
  return parser.parseRParen();
}

void loom::printParenTypeList(OpAsmPrinter &printer, Operation *, TypeRange types) {
  printer << '(';
  llvm::interleaveComma(types, printer);
  printer << ')';
}

#define GET_OP_CLASSES
#include "LoomOps.cpp.inc"

#include "ShapeInferenceInterface.cpp.inc"
