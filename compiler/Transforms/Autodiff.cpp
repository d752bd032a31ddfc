// loom-autodiff: reverse-mode differentiation of a model's loss, through time for loom.scan.
#include "PassDetail.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;

namespace {

using Adjoints = DenseMap<Value, Value>;

bool isFloatTensor(Value v) {
  auto type = v.getType().dyn_cast<TensorType>();
  return type && type.getElementType().isa<FloatType>();
}

/// Values defined outside `scan` that its body uses (weights, biases), in a stable order.
SmallVector<Value> capturedValues(loom::ScanOp scan) {
  llvm::SetVector<Value> captured;
  getUsedValuesDefinedAbove(scan.body(), captured);
  return SmallVector<Value>(captured.begin(), captured.end());
}

/// Per scan that saves values for backprop: how many step values it outputs after the carried
/// states (see saveScanStates).
using SavedSteps = DenseMap<Operation *, unsigned>;

/// Emits gradient ops for one block's worth of ops, in reverse order, at the builder's position.
class Differentiator {
public:
  explicit Differentiator(OpBuilder &builder, const SavedSteps *saved = nullptr) : b(builder), savedSteps(saved) {}

  /// Marks every value that depends on a parameter: only those need adjoints.
  void findValuesNeedingGradients(Block &block) {
    for (Operation &op : block) {
      if (isa<loom::ParameterOp>(op)) {
        needsGradient.insert(op.getResult(0));
        continue;
      }
      auto scan = dyn_cast<loom::ScanOp>(op);
      bool anyOperand = llvm::any_of(op.getOperands(), [&](Value v) { return needsGradient.count(v); });
      if (scan) {
        anyOperand |= llvm::any_of(capturedValues(scan), [&](Value v) { return needsGradient.count(v); });
        Block &body = scan.getBodyBlock();
        size_t numCarried = scan.carried().size();
        for (BlockArgument arg : body.getArguments()) {
          size_t i = arg.getArgNumber();
          bool needed = i < numCarried ? anyOperand : needsGradient.count(scan.sequences()[i - numCarried]);
          if (isFloatTensor(arg) && needed)
            needsGradient.insert(arg);
        }
        findValuesNeedingGradients(body);
      }
      if (!anyOperand)
        continue;
      for (Value result : op.getResults()) {
        if (isFloatTensor(result))
          needsGradient.insert(result);
      }
    }
  }

  /// Walks `ops` backwards; for each op with an adjoint on a result, adds its operands' adjoints.
  LogicalResult differentiate(ArrayRef<Operation *> ops, Adjoints &adjoints) {
    for (Operation *op : llvm::reverse(ops)) {
      if (llvm::none_of(op->getResults(), [&](Value r) { return adjoints.count(r); }))
        continue;
      if (failed(differentiateOp(op, adjoints)))
        return failure();
    }
    return success();
  }

  bool needs(Value v) const { return needsGradient.count(v); }

private:
  OpBuilder &b;
  const SavedSteps *savedSteps; // null while planning
  llvm::DenseSet<Value> needsGradient;
  Location loc = b.getUnknownLoc();

  //===--------------------------------------------------------------------===//
  // Building blocks
  //===--------------------------------------------------------------------===//

  Value build(StringRef name, ValueRange operands, ArrayRef<NamedAttribute> attributes = {}) {
    Operation *op = loom::buildWithInferredTypes(b, loc, name, operands, attributes, b.getF32Type());
    assert(op && "autodiff built an op whose shapes do not fit");
    return op->getResult(0);
  }
  template <typename OpT> Value build(ValueRange operands, ArrayRef<NamedAttribute> attributes = {}) {
    return build(OpT::getOperationName(), operands, attributes);
  }
  Value splat(Type type, float value) {
    auto tensor = type.cast<RankedTensorType>();
    return b.create<loom::ConstantOp>(loc, tensor, DenseElementsAttr::get(tensor, llvm::makeArrayRef(value)));
  }
  Value zerosLike(Value v) { return splat(v.getType(), 0.0f); }
  Value negate(Value v) { return build<loom::MulOp>({v, splat(v.getType(), -1.0f)}); }
  NamedAttribute attr(StringRef name, Attribute value) { return b.getNamedAttr(name, value); }
  Value matmul(Value lhs, Value rhs, bool transposeLhs, bool transposeRhs) {
    SmallVector<NamedAttribute> attrs;
    if (transposeLhs)
      attrs.push_back(attr("transpose_lhs", b.getUnitAttr()));
    if (transposeRhs)
      attrs.push_back(attr("transpose_rhs", b.getUnitAttr()));
    return build<loom::MatmulOp>({lhs, rhs}, attrs);
  }
  Value slice(Value v, int64_t axis, int64_t start, int64_t size) {
    return build<loom::SliceOp>({v}, {attr("axis", b.getI64IntegerAttr(axis)),
                                      attr("start", b.getI64IntegerAttr(start)),
                                      attr("size", b.getI64IntegerAttr(size))});
  }
  Value reduceSum(Value v, ArrayRef<int64_t> axes) {
    return build<loom::ReduceSumOp>({v}, {attr("axes", b.getI64ArrayAttr(axes))});
  }
  /// Repeats `v` along `axes` up to the shape of `like` (the adjoint of a reduction).
  Value broadcastTo(Value v, ArrayRef<int64_t> axes, Value like) {
    auto shape = like.getType().cast<RankedTensorType>().getShape();
    return build<loom::BroadcastOp>({v}, {attr("axes", b.getI64ArrayAttr(axes)),
                                          attr("shape", b.getI64ArrayAttr(shape))});
  }
  /// Sum over the last axis, repeated back along it: the row-wise sums softmax adjoints need.
  Value rowSumBroadcast(Value v) {
    int64_t last = v.getType().cast<RankedTensorType>().getRank() - 1;
    return broadcastTo(reduceSum(v, {last}), {last}, v);
  }

  void accumulate(Adjoints &adjoints, Value v, Value gradient) {
    if (!needs(v))
      return;
    auto [it, inserted] = adjoints.try_emplace(v, gradient);
    if (!inserted)
      it->second = build<loom::AddOp>({it->second, gradient});
  }

  //===--------------------------------------------------------------------===//
  // Per-op rules
  //===--------------------------------------------------------------------===//

  LogicalResult differentiateOp(Operation *op, Adjoints &adjoints) {
    loc = op->getLoc();
    if (op->getNumOperands() == 0) // parameters, inputs, constants: the leaves
      return success();
    if (auto scan = dyn_cast<loom::ScanOp>(op))
      return differentiateScan(scan, adjoints);
    Value y = op->getResult(0), dy = adjoints.lookup(y);
    auto operand = [&](unsigned i) { return op->getOperand(i); };
    auto add = [&](unsigned i, Value gradient) { accumulate(adjoints, operand(i), gradient); };
    auto needsOperand = [&](unsigned i) { return needs(operand(i)); };

    if (isa<loom::AddOp>(op)) {
      add(0, dy);
      add(1, dy);
    } else if (isa<loom::SubOp>(op)) {
      add(0, dy);
      if (needsOperand(1))
        add(1, negate(dy));
    } else if (isa<loom::MulOp>(op)) {
      if (needsOperand(0))
        add(0, build<loom::MulOp>({dy, operand(1)}));
      if (needsOperand(1))
        add(1, build<loom::MulOp>({dy, operand(0)}));
    } else if (isa<loom::DivOp>(op)) {
      if (needsOperand(0))
        add(0, build<loom::DivOp>({dy, operand(1)}));
      if (needsOperand(1))
        add(1, negate(build<loom::DivOp>({build<loom::MulOp>({dy, y}), operand(1)})));
    } else if (auto mm = dyn_cast<loom::MatmulOp>(op)) {
      // With C = op(A) op(B), each case below is dA and dB written without explicit transposes.
      Value a = mm.lhs(), bm = mm.rhs();
      bool ta = mm.transpose_lhs(), tb = mm.transpose_rhs();
      if (needsOperand(0))
        add(0, ta ? matmul(bm, dy, tb, true) : matmul(dy, bm, false, !tb));
      if (needsOperand(1))
        add(1, tb ? matmul(dy, a, true, ta) : matmul(a, dy, !ta, false));
    } else if (isa<loom::BiasAddOp>(op)) {
      add(0, dy);
      if (needsOperand(1)) {
        int64_t rank = dy.getType().cast<RankedTensorType>().getRank();
        SmallVector<int64_t> leading;
        for (int64_t d = 0; d + 1 < rank; ++d)
          leading.push_back(d);
        add(1, reduceSum(dy, leading));
      }
    } else if (isa<loom::TanhOp>(op)) {
      Value one = splat(y.getType(), 1.0f);
      add(0, build<loom::MulOp>({dy, build<loom::SubOp>({one, build<loom::MulOp>({y, y})})}));
    } else if (isa<loom::SigmoidOp>(op)) {
      Value one = splat(y.getType(), 1.0f);
      add(0, build<loom::MulOp>({dy, build<loom::MulOp>({y, build<loom::SubOp>({one, y})})}));
    } else if (isa<loom::ExpOp>(op)) {
      add(0, build<loom::MulOp>({dy, y}));
    } else if (isa<loom::LogOp>(op)) {
      add(0, build<loom::DivOp>({dy, operand(0)}));
    } else if (isa<loom::SqrtOp>(op)) {
      add(0, build<loom::DivOp>({dy, build<loom::MulOp>({y, splat(y.getType(), 2.0f)})}));
    } else if (isa<loom::ReluOp>(op)) {
      // y > 0 exactly where x > 0; at 0 the derivative is taken as 0, as PyTorch does.
      add(0, build<loom::MulOp>({dy, build<loom::HeavisideOp>({y})}));
    } else if (isa<loom::MaximumOp, loom::MinimumOp>(op)) {
      // The operand that was chosen gets the adjoint; on a tie the right-hand side does.
      Value lhsChosen = isa<loom::MaximumOp>(op)
                            ? build<loom::HeavisideOp>({build<loom::SubOp>({operand(0), operand(1)})})
                            : build<loom::HeavisideOp>({build<loom::SubOp>({operand(1), operand(0)})});
      if (needsOperand(0))
        add(0, build<loom::MulOp>({dy, lhsChosen}));
      if (needsOperand(1))
        add(1, build<loom::MulOp>({dy, build<loom::SubOp>({splat(y.getType(), 1.0f), lhsChosen})}));
    } else if (isa<loom::HeavisideOp>(op)) {
      // Piecewise constant: its adjoint is zero, so nothing flows back.
    } else if (auto gather = dyn_cast<loom::GatherOp>(op)) {
      int64_t rows = gather.table().getType().cast<RankedTensorType>().getDimSize(0);
      add(0, build<loom::ScatterAddOp>({gather.indices(), dy}, {attr("rows", b.getI64IntegerAttr(rows))}));
    } else if (auto scatter = dyn_cast<loom::ScatterAddOp>(op)) {
      add(1, build<loom::GatherOp>({dy, scatter.indices()}));
    } else if (auto dropout = dyn_cast<loom::DropoutOp>(op)) {
      // The mask depends only on the random state, the stream and the position: the same dropout
      // applied to the adjoint multiplies it by the same mask.
      add(0, build<loom::DropoutOp>({dy, dropout.state()}, {attr("rate", dropout.rateAttr()),
                                                           attr("stream", dropout.streamAttr())}));
    } else if (auto s = dyn_cast<loom::SliceOp>(op)) {
      // Pad the slice's adjoint with zeros back to the operand's extent along the axis.
      auto type = s.input().getType().cast<RankedTensorType>();
      int64_t axis = int64_t(s.axis()), start = int64_t(s.start()), size = int64_t(s.size());
      int64_t after = type.getDimSize(axis) - start - size;
      SmallVector<Value> pieces;
      auto zeros = [&](int64_t extent) {
        SmallVector<int64_t> shape = llvm::to_vector(type.getShape());
        shape[axis] = extent;
        return splat(RankedTensorType::get(shape, type.getElementType()), 0.0f);
      };
      if (start > 0)
        pieces.push_back(zeros(start));
      pieces.push_back(dy);
      if (after > 0)
        pieces.push_back(zeros(after));
      add(0, pieces.size() == 1 ? dy
                                : build<loom::ConcatOp>(pieces, {attr("axis", b.getI64IntegerAttr(axis))}));
    } else if (auto c = dyn_cast<loom::ConcatOp>(op)) {
      int64_t axis = int64_t(c.axis()), offset = 0;
      for (unsigned i = 0; i < op->getNumOperands(); ++i) {
        int64_t size = operand(i).getType().cast<RankedTensorType>().getDimSize(axis);
        if (needsOperand(i))
          add(i, slice(dy, axis, offset, size));
        offset += size;
      }
    } else if (isa<loom::ReshapeOp>(op)) {
      Value back = b.create<loom::ReshapeOp>(loc, operand(0).getType(), dy);
      add(0, back);
    } else if (auto t = dyn_cast<loom::TransposeOp>(op)) {
      // The inverse permutation: input axis axes[d] came from result axis d.
      SmallVector<int64_t> axes = t.axes(), inverse(axes.size());
      for (size_t d = 0; d < axes.size(); ++d)
        inverse[size_t(axes[d])] = int64_t(d);
      add(0, t.permutation() ? build<loom::TransposeOp>({dy}, {attr("permutation", b.getI64ArrayAttr(inverse))})
                             : build<loom::TransposeOp>({dy}));
    } else if (auto bc = dyn_cast<loom::BroadcastOp>(op)) {
      SmallVector<int64_t> axes;
      for (Attribute a : bc.axes())
        axes.push_back(a.cast<IntegerAttr>().getInt());
      add(0, reduceSum(dy, axes));
    } else if (isa<loom::ReduceSumOp, loom::ReduceMeanOp>(op)) {
      SmallVector<int64_t> axes;
      int64_t count = 1;
      auto inputShape = operand(0).getType().cast<RankedTensorType>().getShape();
      for (Attribute a : op->getAttrOfType<ArrayAttr>("axes")) {
        axes.push_back(a.cast<IntegerAttr>().getInt());
        count *= inputShape[axes.back()];
      }
      Value spread = broadcastTo(dy, axes, operand(0));
      if (isa<loom::ReduceMeanOp>(op))
        spread = build<loom::MulOp>({spread, splat(spread.getType(), 1.0f / float(count))});
      add(0, spread);
    } else if (isa<loom::SoftmaxOp>(op)) {
      // dx = y * (dy - sum(dy * y)) along the softmax axis.
      Value weighted = rowSumBroadcast(build<loom::MulOp>({dy, y}));
      add(0, build<loom::MulOp>({y, build<loom::SubOp>({dy, weighted})}));
    } else if (isa<loom::LogSoftmaxOp>(op)) {
      // dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(log_softmax(x)).
      Value probabilities = build<loom::ExpOp>({y});
      add(0, build<loom::SubOp>({dy, build<loom::MulOp>({probabilities, rowSumBroadcast(dy)})}));
    } else if (auto xent = dyn_cast<loom::SparseSoftmaxCrossEntropyOp>(op)) {
      add(0, build<loom::SparseSoftmaxCrossEntropyGradOp>({xent.logits(), xent.labels(), dy}));
    } else {
      return op->emitOpError() << "is not differentiable by loom-autodiff yet, but the loss depends "
                                  "on it through a parameter";
    }
    return success();
  }

  /// Backprop through time.
  ///  1. The forward scan already outputs the carried state entering each step and the step
  ///     values that are costly to recompute (see saveScanStates), so step t can be recomputed
  ///     from them and x_t.
  ///  2. A reverse-time scan carries the state adjoints (starting from the adjoints of the
  ///     forward scan's final state) and one accumulator per captured value needing a gradient.
  ///     Its sequences are the saved states, the forward sequences and the adjoints of the
  ///     per-step outputs.
  ///  3. Its body recomputes the forward step by cloning the forward body, then differentiates
  ///     that clone with this same Differentiator, seeded by the carried state adjoints and the
  ///     step's output adjoints. Then what the recomputed step reads of a saved value comes from
  ///     the saved sequence, so the clone of its computation is left only for its adjoints.
  ///  4. It yields the adjoints of the state entering the step, the updated accumulators and,
  ///     per step, the adjoints of the sequence slices. These become the adjoints of the
  ///     forward scan's initial state, captured values and sequences.
  LogicalResult differentiateScan(loom::ScanOp scan, Adjoints &adjoints) {
    size_t numCarried = scan.carried().size(), numSequences = scan.sequences().size();
    size_t numSavedValues = savedSteps ? savedSteps->lookup(scan) : 0;
    // The saved states come last, then the saved step values.
    size_t numSaved = numCarried + numSavedValues, numUserOutputs = scan.outputs().size() - numSaved;
    Block &forwardBody = scan.getBodyBlock();
    for (Operation &inner : forwardBody) {
      if (isa<loom::ScanOp>(inner))
        return inner.emitOpError() << "is nested in another loom.scan; loom-autodiff does not "
                                      "differentiate nested scans yet";
    }
    SmallVector<Value> captured;
    for (Value v : capturedValues(scan)) {
      if (needs(v))
        captured.push_back(v);
    }
    SmallVector<Value> saved(scan.outputs().drop_front(numUserOutputs));
    SmallVector<unsigned> outputsWithAdjoints;
    for (unsigned j = 0; j < numUserOutputs; ++j) {
      if (adjoints.count(scan.outputs()[j]))
        outputsWithAdjoints.push_back(j);
    }

    SmallVector<Value> initial, sequences;
    for (Value final : scan.finals())
      initial.push_back(adjoints.count(final) ? adjoints.lookup(final) : zerosLike(final));
    for (Value v : captured)
      initial.push_back(zerosLike(v));
    sequences.append(saved.begin(), saved.end());
    sequences.append(scan.sequences().begin(), scan.sequences().end());
    for (unsigned j : outputsWithAdjoints)
      sequences.push_back(adjoints.lookup(scan.outputs()[j]));

    OperationState state(scan.getLoc(), loom::ScanOp::getOperationName());
    state.addOperands(initial);
    state.addOperands(sequences);
    state.addAttribute("operand_segment_sizes",
                       b.getI32VectorAttr({int32_t(initial.size()), int32_t(sequences.size())}));
    if (!scan.reverse())
      state.addAttribute("reverse", b.getUnitAttr());
    Block *body = new Block();
    state.addRegion()->push_back(body);
    for (Value v : initial)
      body->addArgument(v.getType(), scan.getLoc());
    for (Value v : sequences) {
      auto type = v.getType().cast<RankedTensorType>();
      body->addArgument(RankedTensorType::get(type.getShape().drop_front(), type.getElementType()),
                        scan.getLoc());
    }

    SmallVector<Value> yielded;
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(body);
      auto carriedAdjoint = [&](size_t i) { return body->getArgument(i); };
      auto accumulator = [&](size_t k) { return body->getArgument(numCarried + k); };
      size_t stepArgs = numCarried + captured.size();
      auto savedState = [&](size_t i) { return body->getArgument(stepArgs + i); };
      auto savedValue = [&](size_t k) { return body->getArgument(stepArgs + numCarried + k); };
      auto sequenceSlice = [&](size_t i) { return body->getArgument(stepArgs + numSaved + i); };
      auto outputAdjoint = [&](size_t j) { return body->getArgument(stepArgs + numSaved + numSequences + j); };

      // Recompute the forward step from the saved state and this step's inputs.
      BlockAndValueMapping mapping;
      for (size_t i = 0; i < numCarried; ++i)
        mapping.map(forwardBody.getArgument(i), savedState(i));
      for (size_t i = 0; i < numSequences; ++i)
        mapping.map(forwardBody.getArgument(numCarried + i), sequenceSlice(i));
      SmallVector<Operation *> recomputed;
      for (Operation &op : forwardBody.without_terminator())
        recomputed.push_back(b.clone(op, mapping));
      // The clone needs gradients wherever the forward body did.
      for (size_t i = 0; i < numCarried + numSequences; ++i) {
        if (needs(forwardBody.getArgument(i)))
          needsGradient.insert(mapping.lookup(Value(forwardBody.getArgument(i))));
      }
      for (Operation &op : forwardBody.without_terminator()) {
        for (Value result : op.getResults()) {
          if (needs(result))
            needsGradient.insert(mapping.lookup(result));
        }
      }

      Adjoints local;
      auto yield = cast<loom::YieldOp>(forwardBody.getTerminator());
      auto seed = [&](Value forwardValue, Value gradient) {
        Value clone = mapping.lookupOrDefault(forwardValue);
        if (!needs(clone))
          return;
        accumulate(local, clone, gradient);
      };
      for (size_t i = 0; i < numCarried; ++i)
        seed(yield.values()[i], carriedAdjoint(i));
      for (size_t j = 0; j < outputsWithAdjoints.size(); ++j)
        seed(yield.values()[numCarried + outputsWithAdjoints[j]], outputAdjoint(j));
      if (failed(differentiate(recomputed, local)))
        return failure();
      // The adjoint rules are in place: from here on the step reads the saved values instead.
      for (size_t k = 0; k < numSavedValues; ++k)
        mapping.lookup(yield.values()[numCarried + numUserOutputs + numCarried + k])
            .replaceAllUsesWith(savedValue(k));
      // What only fed the saved values is dead (forgotten first: a new op may reuse its address).
      for (Operation *op : llvm::reverse(recomputed)) {
        if (!isOpTriviallyDead(op))
          continue;
        for (Value result : op->getResults()) {
          needsGradient.erase(result);
          local.erase(result);
        }
        op->erase();
      }

      for (size_t i = 0; i < numCarried; ++i) {
        Value entering = savedState(i);
        yielded.push_back(local.count(entering) ? local.lookup(entering) : zerosLike(entering));
      }
      for (size_t k = 0; k < captured.size(); ++k) {
        Value acc = accumulator(k);
        Value v = captured[k];
        yielded.push_back(local.count(v) ? build<loom::AddOp>({acc, local.lookup(v)}) : acc);
      }
      for (size_t i = 0; i < numSequences; ++i) {
        if (!needs(scan.sequences()[i]))
          continue;
        Value slice = sequenceSlice(i);
        yielded.push_back(local.count(slice) ? local.lookup(slice) : zerosLike(slice));
      }
      b.create<loom::YieldOp>(scan.getLoc(), yielded);
    }

    size_t numFinals = numCarried + captured.size();
    state.addAttribute("result_segment_sizes",
                       b.getI32VectorAttr({int32_t(numFinals), int32_t(yielded.size() - numFinals)}));
    for (size_t i = 0; i < yielded.size(); ++i)
      state.addTypes(UnrankedTensorType::get(b.getF32Type()));
    Operation *reverseScan = b.createOperation(state);
    if (failed(loom::applyInferredTypes(reverseScan)))
      return failure();

    for (size_t i = 0; i < numCarried; ++i)
      accumulate(adjoints, scan.carried()[i], reverseScan->getResult(i));
    for (size_t k = 0; k < captured.size(); ++k)
      accumulate(adjoints, captured[k], reverseScan->getResult(numCarried + k));
    size_t next = numFinals;
    for (size_t i = 0; i < numSequences; ++i) {
      if (needs(scan.sequences()[i]))
        accumulate(adjoints, scan.sequences()[i], reverseScan->getResult(next++));
    }
    return success();
  }
};

/// The values of a scan's body that backprop should read rather than recompute: where each matmul
/// that reads the carried state ends its chain of same-shaped sums (an LSTM's or GRU's gate
/// pre-activations). Recomputed, they would redo the recurrent GEMM of every step.
SmallVector<Value> costlyStepValues(loom::ScanOp scan) {
  Block &body = scan.getBodyBlock();
  llvm::DenseSet<Value> fromState(body.getArguments().begin(),
                                  body.getArguments().begin() + scan.carried().size());
  llvm::SetVector<Value> costly;
  for (Operation &op : body.without_terminator()) {
    if (llvm::none_of(op.getOperands(), [&](Value v) { return fromState.count(v); }))
      continue;
    fromState.insert(op.result_begin(), op.result_end());
    if (!isa<loom::MatmulOp>(op))
      continue;
    Value end = op.getResult(0);
    while (end.hasOneUse()) {
      Operation *user = *end.getUsers().begin();
      if (!isa<loom::AddOp, loom::SubOp, loom::BiasAddOp>(user) || user->getResult(0).getType() != end.getType())
        break;
      end = user->getResult(0);
    }
    costly.insert(end);
  }
  return SmallVector<Value>(costly.begin(), costly.end());
}

/// Rebuilds `scan` with extra per-step outputs for backprop through time: the state entering each
/// step (one per carried state), then the step's costlyStepValues. Backprop recomputes each step
/// from them. Records the number of the latter in `saved` and returns the new scan.
loom::ScanOp saveScanStates(loom::ScanOp scan, SavedSteps &saved) {
  OpBuilder b(scan);
  size_t numCarried = scan.carried().size();
  SmallVector<Value> costly = costlyStepValues(scan);
  SmallVector<Type> outputTypes(scan.outputs().getTypes());
  for (Value init : scan.carried())
    outputTypes.push_back(loom::stackedType(scan.getNumSteps(), init.getType()));
  for (Value value : costly)
    outputTypes.push_back(loom::stackedType(scan.getNumSteps(), value.getType()));
  // rebuildScan moves the body, so the costly values stay the same Values.
  loom::ScanOp saving = loom::rebuildScan(b, scan, scan.carried(), scan.sequences(), outputTypes);
  Block &body = saving.getBodyBlock();
  Operation *yield = body.getTerminator();
  yield->insertOperands(yield->getNumOperands(), body.getArguments().take_front(numCarried));
  yield->insertOperands(yield->getNumOperands(), costly);
  for (auto [old, replacement] : llvm::zip(scan->getResults(), saving->getResults()))
    old.replaceAllUsesWith(replacement);
  scan->erase();
  saved[saving] = costly.size();
  return saving;
}

/// Algorithm:
///  1. Clone @forward into @train_step. A model without a loss is for inference only: stop.
///  2. Find the values that depend on a parameter (only they get adjoints).
///  3. Make every scan that needs gradients save the state entering each step and the step
///     values that are costly to recompute.
///  4. Seed the loss's adjoint with 1 and walk the function backwards, emitting each op's
///     adjoint rule just before the return (scans: see differentiateScan).
///  5. Emit loom.parameter_gradient for every parameter that received an adjoint.
class AutodiffPass : public loom::AutodiffBase<AutodiffPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto forward = module.lookupSymbol<FuncOp>("forward");
    if (!forward) {
      module.emitError() << "loom-autodiff needs a function @forward";
      return signalPassFailure();
    }
    if (module.lookupSymbol("train_step")) {
      module.emitError() << "the module already has @train_step; run loom-autodiff once";
      return signalPassFailure();
    }
    FuncOp train = forward.clone();
    train.setName("train_step");
    module.push_back(train);
    Block &block = train.front();
    loom::LossOp loss;
    train.walk([&](loom::LossOp op) { loss = op; });
    if (!loss) {
      // An inference-only model: no training function to build.
      train.erase();
      return;
    }

    OpBuilder builder(block.getTerminator());
    Differentiator planner(builder);
    planner.findValuesNeedingGradients(block);
    SavedSteps saved;
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (auto scan = dyn_cast<loom::ScanOp>(op); scan && planner.needs(scan->getResult(0)))
        saveScanStates(scan, saved);
    }
    // Saving states rebuilt those scans, so which values need gradients is found again.
    Differentiator differentiator(builder, &saved);
    differentiator.findValuesNeedingGradients(block);

    SmallVector<Operation *> ops;
    for (Operation &op : block.without_terminator())
      ops.push_back(&op);
    Adjoints adjoints;
    Value lossValue = loss.value();
    if (!differentiator.needs(lossValue)) {
      loss.emitError() << "the loss does not depend on any parameter, so there is nothing to train";
      return signalPassFailure();
    }
    auto lossType = lossValue.getType().cast<RankedTensorType>();
    adjoints[lossValue] = builder.create<loom::ConstantOp>(
        loss.getLoc(), lossType, DenseElementsAttr::get(lossType, llvm::makeArrayRef(1.0f)));
    if (failed(differentiator.differentiate(ops, adjoints)))
      return signalPassFailure();
    for (Operation *op : ops) {
      auto parameter = dyn_cast<loom::ParameterOp>(op);
      if (parameter && adjoints.count(parameter.getResult()))
        builder.create<loom::ParameterGradientOp>(parameter.getLoc(), parameter.nameAttr(),
                                                  adjoints.lookup(parameter.getResult()));
    }
  }
};

} // namespace

std::unique_ptr<Pass> loom::createAutodiffPass() { return std::make_unique<AutodiffPass>(); }
