// Evaluates loom IR op by op in double precision with the naive reference ops, so that graph-level
// rewrites (autodiff, the Adam pass) can be checked without the Halide back end.
#include "loom/interpreter/Interpreter.h"

#include "loom/reference/ops.h"
#include "loom/reference/optimizers.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <functional>
#include <stdexcept>
#include <unordered_map>

namespace loom::interpreter {
namespace {

namespace reference = loom::reference;
using Shape = std::vector<int64_t>;
using Values = std::vector<Value>;
using Data = std::vector<double>;

// Signatures of the reference forwards the evaluator dispatches to.
using UnaryKernel = std::function<Data(const Data &)>;
using BinaryKernel = std::function<Data(const Data &, const Data &)>;
using RowsKernel = std::function<Data(const Data &, int rows, int columns)>;
using ReduceKernel = std::function<Data(const Data &, reference::AxisView)>;

std::string shapeString(const Shape &shape) {
  std::string text = "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text += (d ? ", " : "") + std::to_string(shape[d]);
  return text + "]";
}

int64_t elementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

[[noreturn]] void fail(mlir::Operation *op, const std::string &message) {
  throw std::runtime_error(op->getName().getStringRef().str() + ": " + message);
}

/// The static shape of a value's tensor type; the interpreter cannot size anything else.
Shape declaredShape(mlir::Value value, mlir::Operation *user) {
  auto type = value.getType().dyn_cast<mlir::RankedTensorType>();
  if (!type || !type.hasStaticShape()) {
    std::string text;
    llvm::raw_string_ostream(text) << value.getType();
    fail(user, "needs static shapes, got a value of type " + text);
  }
  return Shape(type.getShape().begin(), type.getShape().end());
}

bool holdsIntegers(mlir::Value value) {
  return value.getType().cast<mlir::TensorType>().getElementType().isa<mlir::IntegerType>();
}

Shape integers(mlir::ArrayAttr array) {
  Shape values;
  for (mlir::Attribute a : array)
    values.push_back(a.cast<mlir::IntegerAttr>().getInt());
  return values;
}

/// The row-major view [outer, size, inner] around `axis`, as the reference reductions take it.
reference::AxisView axisView(const Shape &shape, int64_t axis) {
  return reference::reduce_axis(std::vector<int>(shape.begin(), shape.end()),
                                static_cast<int>(axis));
}

/// [N, C] for ops that work on the last axis and treat every leading axis as rows.
std::pair<int, int> rowsAndColumns(const Value &x) {
  int columns = static_cast<int>(x.shape.back());
  return {static_cast<int>(elementCount(x.shape) / std::max(columns, 1)), columns};
}

Value transposed(const Value &matrix) {
  int64_t rows = matrix.shape[0], columns = matrix.shape[1];
  Value result{{columns, rows}, std::vector<double>(matrix.data.size())};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      result.data[c * rows + r] = matrix.data[r * columns + c];
  return result;
}

/// Result axis d is input axis axes[d]: each element's input offset from its result index.
Value permuted(const Value &x, llvm::ArrayRef<int64_t> axes) {
  Shape shape;
  for (int64_t axis : axes)
    shape.push_back(x.shape[size_t(axis)]);
  std::vector<int64_t> strides(x.shape.size(), 1);
  for (size_t d = x.shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * x.shape[d];
  Value out{shape, std::vector<double>(x.data.size())};
  std::vector<int64_t> index(shape.size(), 0);
  for (double &element : out.data) {
    int64_t offset = 0;
    for (size_t d = 0; d < shape.size(); ++d)
      offset += index[d] * strides[size_t(axes[d])];
    element = x.data[size_t(offset)];
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

/// Step `t` of a time-major sequence [T, ...].
Value timeSlice(const Value &sequence, int64_t t) {
  Shape shape(sequence.shape.begin() + 1, sequence.shape.end());
  int64_t size = elementCount(shape);
  auto first = sequence.data.begin() + t * size;
  return {shape, std::vector<double>(first, first + size)};
}

class Evaluator {
public:
  Evaluator(const NamedValues &inputs, const NamedValues &parameters, OptimizerState &state)
      : inputs_(inputs), givenParameters_(parameters), optimizer_(state) {}

  Result run(mlir::FuncOp function) {
    if (function.getNumArguments() != 0)
      fail(function, "'" + function.getName().str() +
                         "' takes arguments; the interpreter feeds values only through loom.input");
    if (!llvm::hasSingleElement(function.getBody()))
      fail(function, "'" + function.getName().str() + "' has more than one block");
    mlir::Block &body = function.getBody().front();
    if (body.getTerminator()->getNumOperands() != 0)
      fail(body.getTerminator(), "returns values, which the interpreter would drop");
    runBody(body);
    result_.parameters = parameters_;
    return std::move(result_);
  }

private:
  /// Runs every op of `block` but its terminator, which the caller reads.
  void runBody(mlir::Block &block) {
    for (mlir::Operation &op : block.without_terminator()) {
      Values results = evaluate(&op);
      for (auto [result, value] : llvm::zip(op.getResults(), results))
        set(result, std::move(value), &op);
    }
  }

  const Value &get(mlir::Value value) {
    auto found = values_.find(value.getAsOpaquePointer());
    if (found == values_.end())
      fail(value.getDefiningOp() ? value.getDefiningOp() : value.getParentBlock()->getParentOp(),
           "a value is read before it is computed");
    return found->second;
  }

  /// Binds `value` to an IR value after checking it against the declared type, so an op whose
  /// computed shape disagrees with its IR type is reported where it happens.
  void set(mlir::Value irValue, Value value, mlir::Operation *op) {
    Shape expected = declaredShape(irValue, op);
    if (value.shape != expected)
      fail(op, "computed shape " + shapeString(value.shape) + " but the IR declares " +
                   shapeString(expected));
    values_[irValue.getAsOpaquePointer()] = std::move(value);
  }

  static void checkShape(const char *kind, const std::string &name, const Shape &actual,
                         const Shape &expected) {
    if (actual != expected)
      throw std::runtime_error(std::string(kind) + " '" + name + "' has shape " +
                               shapeString(actual) + "; the function expects " +
                               shapeString(expected));
  }

  /// A caller-supplied input or parameter, checked against the shape the IR declares.
  static const Value &lookup(const NamedValues &given, const char *kind, const std::string &name,
                             const Shape &expected, bool integral) {
    auto found = given.find(name);
    if (found == given.end())
      throw std::runtime_error(std::string("missing ") + kind + " '" + name + "' of shape " +
                               shapeString(expected));
    const Value &value = found->second;
    checkShape(kind, name, value.shape, expected);
    if (static_cast<int64_t>(value.data.size()) != elementCount(expected))
      throw std::runtime_error(std::string(kind) + " '" + name + "' has " +
                               std::to_string(value.data.size()) + " values for shape " +
                               shapeString(expected));
    if (integral && !std::all_of(value.data.begin(), value.data.end(), [](double x) {
          return x == std::trunc(x) && std::abs(x) <= 2147483647.0;
        }))
      throw std::runtime_error(std::string(kind) + " '" + name +
                               "' is i32 but holds a non-integer");
    return value;
  }

  /// The current value of a parameter: as given, or as updated by an earlier optimizer update.
  Value &parameter(const std::string &name, const Shape &expected) {
    auto found = parameters_.find(name);
    if (found == parameters_.end())
      return parameters_.emplace(name, lookup(givenParameters_, "parameter", name, expected, false))
          .first->second;
    checkShape("parameter", name, found->second.shape, expected);
    return found->second;
  }

  Values evaluate(mlir::Operation *operation) {
    return llvm::TypeSwitch<mlir::Operation *, Values>(operation)
        .Case<InputOp>([&](InputOp op) {
          Shape shape = declaredShape(op.getResult(), op);
          return Values{
              lookup(inputs_, "input", op.name().str(), shape, holdsIntegers(op.getResult()))};
        })
        .Case<ParameterOp>([&](ParameterOp op) {
          return Values{parameter(op.name().str(), declaredShape(op.getResult(), op))};
        })
        .Case<ConstantOp>([&](ConstantOp op) { return Values{constant(op)}; })
        .Case<OutputOp>([&](OutputOp op) {
          result_.outputs[op.name().str()] = get(op.value());
          return Values{};
        })
        .Case<LossOp>([&](LossOp op) {
          result_.loss = get(op.value()).data.at(0);
          return Values{};
        })
        .Case<MatmulOp>([&](MatmulOp op) {
          Value lhs = op.transpose_lhs() ? transposed(get(op.lhs())) : get(op.lhs());
          Value rhs = op.transpose_rhs() ? transposed(get(op.rhs())) : get(op.rhs());
          int m = static_cast<int>(lhs.shape[0]), k = static_cast<int>(lhs.shape[1]),
              n = static_cast<int>(rhs.shape[1]);
          if (rhs.shape[0] != k)
            fail(op, "contracts " + shapeString(lhs.shape) + " with " + shapeString(rhs.shape));
          return Values{{{m, n}, reference::matmul_forward(lhs.data, rhs.data, m, k, n)}};
        })
        .Case<AddOp>([&](AddOp op) { return binary(op, reference::add_forward<double>); })
        .Case<SubOp>([&](SubOp op) { return binary(op, reference::sub_forward<double>); })
        .Case<MulOp>([&](MulOp op) { return binary(op, reference::mul_forward<double>); })
        .Case<DivOp>([&](DivOp op) {
          return binary(op, [](const Data &a, const Data &b) {
            Data quotient(a.size());
            for (size_t n = 0; n < a.size(); ++n)
              quotient[n] = a[n] / b[n];
            return quotient;
          });
        })
        .Case<BiasAddOp>([&](BiasAddOp op) {
          const Value &input = get(op.input());
          auto [rows, columns] = rowsAndColumns(input);
          return Values{{input.shape, reference::bias_add_forward(input.data, get(op.bias()).data,
                                                                  rows, columns)}};
        })
        .Case<TanhOp>([&](TanhOp op) { return unary(op, reference::tanh_forward<double>); })
        .Case<SigmoidOp>(
            [&](SigmoidOp op) { return unary(op, reference::sigmoid_forward<double>); })
        .Case<ExpOp>([&](ExpOp op) { return unary(op, reference::exp_forward<double>); })
        .Case<LogOp>([&](LogOp op) { return unary(op, reference::log_forward<double>); })
        .Case<SqrtOp>([&](SqrtOp op) { return unary(op, reference::sqrt_forward<double>); })
        .Case<ReluOp>([&](ReluOp op) { return unary(op, reference::relu_forward<double>); })
        .Case<HeavisideOp>(
            [&](HeavisideOp op) { return unary(op, reference::heaviside_forward<double>); })
        .Case<MaximumOp>([&](MaximumOp op) { return binary(op, reference::maximum_forward<double>); })
        .Case<MinimumOp>([&](MinimumOp op) { return binary(op, reference::minimum_forward<double>); })
        .Case<GatherOp>([&](GatherOp op) {
          const Value &table = get(op.table());
          int rows = static_cast<int>(table.shape[0]), features = static_cast<int>(table.shape[1]);
          std::vector<int> ids = indices(op, get(op.indices()), rows);
          return Values{{declaredShape(op.getResult(), op),
                         reference::gather_forward(table.data, ids, rows, features)}};
        })
        .Case<ScatterAddOp>([&](ScatterAddOp op) {
          Shape shape = declaredShape(op.getResult(), op);
          std::vector<int> ids = indices(op, get(op.indices()), static_cast<int>(shape[0]));
          Value result{shape, std::vector<double>(elementCount(shape))};
          reference::gather_backward(ids, get(op.updates()).data, static_cast<int>(shape[0]),
                                     static_cast<int>(shape[1]), result.data);
          return Values{result};
        })
        .Case<OneHotOp>([&](OneHotOp op) {
          const Value &ids = get(op.indices());
          return Values{{declaredShape(op.getResult(), op),
                         reference::one_hot<double>(std::vector<int>(ids.data.begin(), ids.data.end()),
                                                    static_cast<int>(op.depth()))}};
        })
        .Case<SequenceMaskOp>([&](SequenceMaskOp op) {
          const Value &lengths = get(op.lengths());
          return Values{{declaredShape(op.getResult(), op),
                         reference::sequence_mask<double>(
                             std::vector<int>(lengths.data.begin(), lengths.data.end()),
                             static_cast<int>(op.steps()))}};
        })
        .Case<RandomStateOp>([&](RandomStateOp) {
          return Values{lookup(inputs_, "input", "random_state", {2}, true)};
        })
        .Case<DropoutOp>([&](DropoutOp op) {
          const Value &input = get(op.input()), &state = get(op.state());
          auto word = [&](size_t i) { return static_cast<uint32_t>(static_cast<int64_t>(state.data[i])); };
          return Values{{input.shape, reference::dropout_forward(input.data, word(0), word(1),
                                                                 static_cast<uint32_t>(op.stream()),
                                                                 op.rate().convertToDouble())}};
        })
        .Case<SliceOp>([&](SliceOp op) { return Values{slice(op)}; })
        .Case<ConcatOp>([&](ConcatOp op) { return Values{concat(op)}; })
        .Case<ReshapeOp>([&](ReshapeOp op) {
          return Values{{declaredShape(op.getResult(), op), get(op.input()).data}};
        })
        .Case<TransposeOp>([&](TransposeOp op) { return Values{permuted(get(op.input()), op.axes())}; })
        .Case<BroadcastOp>([&](BroadcastOp op) { return Values{broadcast(op)}; })
        .Case<ReduceSumOp>([&](ReduceSumOp op) {
          return Values{reduce(get(op.input()), op.axes(), reference::sum_forward<double>)};
        })
        .Case<ReduceMeanOp>([&](ReduceMeanOp op) {
          return Values{reduce(get(op.input()), op.axes(), reference::mean_forward<double>)};
        })
        .Case<ReduceMaxOp>([&](ReduceMaxOp op) {
          return Values{reduce(get(op.input()), op.axes(), reference::max_forward<double>)};
        })
        .Case<SoftmaxOp>(
            [&](SoftmaxOp op) { return overLastAxis(op, reference::softmax_forward<double>); })
        .Case<LogSoftmaxOp>([&](LogSoftmaxOp op) {
          return overLastAxis(op, reference::log_softmax_forward<double>);
        })
        .Case<SparseSoftmaxCrossEntropyOp>([&](SparseSoftmaxCrossEntropyOp op) {
          return Values{{{}, {crossEntropy(op, op.logits(), op.labels()).loss}}};
        })
        .Case<SparseSoftmaxCrossEntropyGradOp>([&](SparseSoftmaxCrossEntropyGradOp op) {
          Value dlogits{get(op.logits()).shape, crossEntropy(op, op.logits(), op.labels()).dlogits};
          double dloss = get(op.dloss()).data.at(0);
          for (double &d : dlogits.data)
            d *= dloss;
          return Values{dlogits};
        })
        .Case<ArgmaxOp>([&](ArgmaxOp op) {
          const Value &input = get(op.input());
          auto [rows, columns] = rowsAndColumns(input);
          std::vector<int> indices = reference::argmax(input.data, rows, columns);
          return Values{{Shape(input.shape.begin(), input.shape.end() - 1),
                         std::vector<double>(indices.begin(), indices.end())}};
        })
        .Case<TopKOp>([&](TopKOp op) {
          const Value &input = get(op.input());
          auto [rows, columns] = rowsAndColumns(input);
          const int64_t k = int64_t(op.k());
          Shape shape = input.shape;
          shape.back() = k;
          Value result{shape, {}};
          for (int r = 0; r < rows; ++r) {
            const double *row = &input.data[size_t(r) * size_t(columns)];
            std::vector<int> order(static_cast<size_t>(columns));
            std::iota(order.begin(), order.end(), 0);
            // Larger first, NaN last, equal values in index order.
            std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
              return row[a] > row[b] || (std::isnan(row[b]) && !std::isnan(row[a]));
            });
            result.data.insert(result.data.end(), order.begin(), order.begin() + k);
          }
          return Values{result};
        })
        .Case<GatherBeamsOp>([&](GatherBeamsOp op) {
          const Value &input = get(op.input()), &picks = get(op.indices());
          const int64_t batch = input.shape[0], beams = input.shape[1], chosen = picks.shape[1];
          const int64_t rest = int64_t(elementCount(input.shape)) / (batch * beams);
          std::vector<int> ids = indices(op, picks, int(beams));
          Shape shape = input.shape;
          shape[1] = chosen;
          Value result{shape, {}};
          for (int64_t b = 0; b < batch; ++b)
            for (int64_t j = 0; j < chosen; ++j) {
              auto from = input.data.begin() + (b * beams + ids[size_t(b * chosen + j)]) * rest;
              result.data.insert(result.data.end(), from, from + rest);
            }
          return Values{result};
        })
        .Case<QuotientOp, RemainderOp>([&](auto op) {
          const Value &input = get(op.input());
          const double divisor = double(int64_t(op.divisor()));
          const bool quotient = std::is_same_v<decltype(op), QuotientOp>;
          Value result{input.shape, {}};
          for (double x : input.data) {
            double q = std::floor(x / divisor);
            result.data.push_back(quotient ? q : x - q * divisor);
          }
          return Values{result};
        })
        .Case<ParameterGradientOp>([&](ParameterGradientOp op) {
          result_.gradients[op.name().str()] = get(op.gradient());
          return Values{};
        })
        .Case<SgdUpdateOp, AdamUpdateOp, RmspropUpdateOp>([&](auto op) {
          update(op);
          return Values{};
        })
        .Case<ScanOp>([&](ScanOp op) { return scan(op); })
        .Default([&](mlir::Operation *op) -> Values {
          fail(op, "is not supported by the interpreter");
        });
  }

  Value constant(ConstantOp op) {
    auto dense = op.value().dyn_cast<mlir::DenseElementsAttr>();
    if (!dense)
      fail(op, "supports only dense (or splat) constants");
    Value result{declaredShape(op.getResult(), op), {}};
    if (dense.getElementType().isa<mlir::FloatType>()) {
      for (const llvm::APFloat &x : dense.getValues<llvm::APFloat>())
        result.data.push_back(x.convertToDouble());
    } else {
      for (const llvm::APInt &x : dense.getValues<llvm::APInt>())
        result.data.push_back(static_cast<double>(x.getSExtValue()));
    }
    return result;
  }

  Values binary(mlir::Operation *op, const BinaryKernel &function) {
    const Value &lhs = get(op->getOperand(0)), &rhs = get(op->getOperand(1));
    if (lhs.shape != rhs.shape)
      fail(op, "needs operands of one shape, got " + shapeString(lhs.shape) + " and " +
                   shapeString(rhs.shape));
    return Values{{lhs.shape, function(lhs.data, rhs.data)}};
  }

  Values unary(mlir::Operation *op, const UnaryKernel &function) {
    const Value &input = get(op->getOperand(0));
    return Values{{input.shape, function(input.data)}};
  }

  /// Softmax-like ops over the last axis, every leading axis flattened into rows.
  Values overLastAxis(mlir::Operation *op, const RowsKernel &function) {
    const Value &input = get(op->getOperand(0));
    auto [rows, columns] = rowsAndColumns(input);
    return Values{{input.shape, function(input.data, rows, columns)}};
  }

  /// A slice along any axis is a column slice of the [outer, size * inner] view.
  Value slice(SliceOp op) {
    const Value &input = get(op.input());
    int64_t axis = static_cast<int64_t>(op.axis()), start = static_cast<int64_t>(op.start()),
            size = static_cast<int64_t>(op.size());
    if (axis >= static_cast<int64_t>(input.shape.size()) || start + size > input.shape[axis])
      fail(op, "takes [" + std::to_string(start) + ", " + std::to_string(start + size) +
                   ") of axis " + std::to_string(axis) + " of " + shapeString(input.shape));
    reference::AxisView view = axisView(input.shape, axis);
    Shape shape = input.shape;
    shape[axis] = size;
    return {shape, reference::slice_columns_forward(input.data, view.outer, view.size * view.inner,
                                                    static_cast<int>(start * view.inner),
                                                    static_cast<int>(size * view.inner))};
  }

  Value concat(ConcatOp op) {
    int64_t axis = static_cast<int64_t>(op.axis());
    Shape shape = declaredShape(op.getResult(), op);
    reference::AxisView view = axisView(shape, axis);
    Value result{shape, {}};
    result.data.reserve(elementCount(shape));
    for (int outer = 0; outer < view.outer; ++outer) {
      for (mlir::Value operand : op.inputs()) {
        const Value &input = get(operand);
        int64_t block = input.shape[axis] * view.inner;
        auto first = input.data.begin() + outer * block;
        result.data.insert(result.data.end(), first, first + block);
      }
    }
    return result;
  }

  Value broadcast(BroadcastOp op) {
    const Value &input = get(op.input());
    Shape shape = integers(op.shape()), inserted = integers(op.axes());
    int64_t rank = static_cast<int64_t>(shape.size());
    // How far one step along each result axis moves in the input; inserted axes do not move.
    Shape inputStride(rank, 0);
    for (int64_t axis = rank - 1, stride = 1; axis >= 0; --axis) {
      if (llvm::is_contained(inserted, axis))
        continue;
      inputStride[axis] = stride;
      stride *= shape[axis];
    }
    Value result{shape, std::vector<double>(elementCount(shape))};
    for (int64_t n = 0; n < static_cast<int64_t>(result.data.size()); ++n) {
      int64_t remainder = n, index = 0;
      for (int64_t axis = rank - 1; axis >= 0; --axis) {
        index += remainder % shape[axis] * inputStride[axis];
        remainder /= shape[axis];
      }
      result.data[n] = input.data.at(index);
    }
    return result;
  }

  /// Reduces one axis at a time, highest first so the remaining axis numbers stay valid. Sums,
  /// means and maxima of equal-sized groups compose, so this equals reducing all axes at once.
  static Value reduce(const Value &input, mlir::ArrayAttr axesAttr, const ReduceKernel &function) {
    Shape axes = integers(axesAttr);
    std::sort(axes.rbegin(), axes.rend());
    Value result = input;
    for (int64_t axis : axes) {
      result.data = function(result.data, axisView(result.shape, axis));
      result.shape.erase(result.shape.begin() + axis);
    }
    return result;
  }

  /// Integer ids as ints, each checked to lie in [0, rows).
  static std::vector<int> indices(mlir::Operation *op, const Value &ids, int rows) {
    std::vector<int> result(ids.data.begin(), ids.data.end());
    for (size_t n = 0; n < result.size(); ++n) {
      if (result[n] < 0 || result[n] >= rows)
        fail(op, "id " + std::to_string(result[n]) + " at position " + std::to_string(n) +
                     " is outside [0, " + std::to_string(rows) + ")");
    }
    return result;
  }

  reference::SoftmaxCrossEntropy<double> crossEntropy(mlir::Operation *op, mlir::Value logitsValue,
                                                      mlir::Value labelsValue) {
    const Value &logits = get(logitsValue), &labels = get(labelsValue);
    int rows = static_cast<int>(logits.shape[0]), classes = static_cast<int>(logits.shape[1]);
    std::vector<int> classIndices(labels.data.begin(), labels.data.end());
    for (size_t n = 0; n < classIndices.size(); ++n) {
      if (classIndices[n] < 0 || classIndices[n] >= classes)
        fail(op, "label " + std::to_string(classIndices[n]) + " of row " + std::to_string(n) +
                     " is outside [0, " + std::to_string(classes) + ")");
    }
    return reference::sparse_softmax_cross_entropy(logits.data, classIndices, rows, classes);
  }

  /// The optimizer state `slot` (optimizer_.m or optimizer_.v) of the parameter `name`, zero at first.
  Value &slot(mlir::Operation *op, std::map<std::string, Value> &slots, const std::string &name,
              const Value &gradient, const char *which) {
    auto [found, added] =
        slots.try_emplace(name, Value{gradient.shape, std::vector<double>(gradient.data.size())});
    if (found->second.shape != gradient.shape)
      fail(op, std::string("optimizer state ") + which + " of '" + name + "' has shape " +
                   shapeString(found->second.shape) + ", the gradient " + shapeString(gradient.shape));
    return found->second;
  }

  static double number(mlir::FloatAttr attr) { return attr.getValueAsDouble(); }

  void update(SgdUpdateOp op) {
    std::string name = op.name().str();
    const Value &gradient = get(op.gradient());
    Value &value = parameter(name, gradient.shape);
    reference::SgdConfig<double> config{number(op.learning_rateAttr()), number(op.momentumAttr()),
                                        op.semantics() == "keras"};
    reference::sgd_update(config, gradient.data, value.data, slot(op, optimizer_.m, name, gradient, "velocity").data);
  }

  void update(AdamUpdateOp op) {
    std::string name = op.name().str();
    const Value &gradient = get(op.gradient());
    Value &value = parameter(name, gradient.shape);
    Value &m = slot(op, optimizer_.m, name, gradient, "m"), &v = slot(op, optimizer_.v, name, gradient, "v");
    reference::AdamConfig<double> config{number(op.learning_rateAttr()), number(op.beta1Attr()),
                                         number(op.beta2Attr()), number(op.epsilonAttr()),
                                         op.semantics() == "keras"};
    reference::adam_update(config, static_cast<int>(optimizer_.step), gradient.data, value.data, m.data,
                           v.data);
  }

  void update(RmspropUpdateOp op) {
    std::string name = op.name().str();
    const Value &gradient = get(op.gradient());
    Value &value = parameter(name, gradient.shape);
    reference::RmspropConfig<double> config{number(op.learning_rateAttr()), number(op.rhoAttr()),
                                            number(op.epsilonAttr()), op.semantics() == "keras"};
    reference::rmsprop_update(config, gradient.data, value.data,
                              slot(op, optimizer_.v, name, gradient, "square average").data);
  }

  /// Runs the body once per step. Body values stay bound between steps and are overwritten by the
  /// next; values defined above the scan are read from the same table, which is how the body sees
  /// them.
  Values scan(ScanOp op) {
    mlir::Block &body = op.getBodyBlock();
    auto yield = llvm::cast<YieldOp>(body.getTerminator());
    size_t numCarried = op.carried().size();
    Values carried, sequences, stacked;
    for (mlir::Value value : op.carried())
      carried.push_back(get(value));
    for (mlir::Value value : op.sequences())
      sequences.push_back(get(value));
    for (mlir::Value value : op.outputs()) {
      Shape shape = declaredShape(value, op);
      stacked.push_back({shape, std::vector<double>(elementCount(shape))});
    }
    int64_t steps = sequences.front().shape.front();
    for (int64_t i = 0; i < steps; ++i) {
      int64_t t = op.reverse() ? steps - 1 - i : i;
      for (size_t k = 0; k < numCarried; ++k)
        set(body.getArgument(k), std::move(carried[k]), op);
      for (size_t s = 0; s < sequences.size(); ++s)
        set(body.getArgument(numCarried + s), timeSlice(sequences[s], t), op);
      runBody(body);
      for (size_t k = 0; k < numCarried; ++k)
        carried[k] = get(yield.values()[k]);
      for (size_t o = 0; o < stacked.size(); ++o) {
        const Value &step = get(yield.values()[numCarried + o]);
        std::copy(step.data.begin(), step.data.end(),
                  stacked[o].data.begin() + t * step.data.size());
      }
    }
    carried.insert(carried.end(), stacked.begin(), stacked.end());
    return carried;
  }

  const NamedValues &inputs_, &givenParameters_;
  OptimizerState &optimizer_;
  NamedValues parameters_;
  Result result_;
  // Node-based, so references returned by get() survive the insertions a scan body makes.
  std::unordered_map<const void *, Value> values_;
};

} // namespace

Result run(mlir::FuncOp function, const NamedValues &inputs, const NamedValues &parameters,
           OptimizerState *adam) {
  OptimizerState fresh;
  OptimizerState &state = adam ? *adam : fresh;
  bool updates = function
                     .walk([](mlir::Operation *op) {
                       return llvm::isa<SgdUpdateOp, AdamUpdateOp, RmspropUpdateOp>(op)
                                  ? mlir::WalkResult::interrupt()
                                  : mlir::WalkResult::advance();
                     })
                     .wasInterrupted();
  if (updates)
    ++state.step;
  return Evaluator(inputs, parameters, state).run(function);
}

} // namespace loom::interpreter
