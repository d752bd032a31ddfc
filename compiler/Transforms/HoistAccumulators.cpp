// loom-hoist-accumulators: a scan that sums per-step products into carried state (the weight
// gradients of backprop through time) instead outputs the per-step factors, and one GEMM over all
// steps after the scan computes the sum.
#include "PassDetail.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

RankedTensorType typeOf(Value v) { return v.getType().cast<RankedTensorType>(); }

/// One carried accumulator the pass can replace: acc_next = acc + term, where term is
/// matmul(p, q) {transpose_lhs} (p [B, M], q [B, N]: a sum over the batch rows) or
/// reduce_sum(p) over axis 0.
struct Accumulator {
  unsigned index;        // position among the carried state
  Operation *add;        // acc + term
  Operation *term;       // the matmul or reduce_sum
  SmallVector<Value, 2> factors; // per-step p (and q)
};

class HoistAccumulatorsPass : public loom::HoistAccumulatorsBase<HoistAccumulatorsPass> {
  void runOnOperation() override {
    SmallVector<loom::ScanOp> scans;
    getOperation().walk([&](loom::ScanOp scan) { scans.push_back(scan); });
    for (loom::ScanOp scan : scans) {
      SmallVector<Accumulator> accumulators = findAccumulators(scan);
      if (!accumulators.empty())
        hoist(scan, accumulators);
    }
  }

  static bool isStepValue(loom::ScanOp scan, Value v) {
    if (auto arg = v.dyn_cast<BlockArgument>())
      return arg.getOwner() == &scan.getBodyBlock() && arg.getArgNumber() >= scan.carried().size();
    return v.getDefiningOp() && v.getDefiningOp()->getBlock() == &scan.getBodyBlock();
  }

  /// Algorithm, step 1: a carried argument whose only use is `add(acc, term)` (either order),
  /// yielded as its own next value, with a term of one of the two forms whose factors are values
  /// of the step (not the accumulator itself, not defined above the scan).
  static SmallVector<Accumulator> findAccumulators(loom::ScanOp scan) {
    SmallVector<Accumulator> found;
    Block &body = scan.getBodyBlock();
    auto yield = cast<loom::YieldOp>(body.getTerminator());
    for (unsigned i = 0; i < scan.carried().size(); ++i) {
      BlockArgument acc = body.getArgument(i);
      if (!acc.hasOneUse())
        continue;
      auto add = dyn_cast<loom::AddOp>(*acc.getUsers().begin());
      if (!add || yield.values()[i] != add.getResult() || !add->hasOneUse())
        continue;
      Value term = add.lhs() == acc ? add.rhs() : add.lhs();
      Operation *termOp = term.getDefiningOp();
      // The term may feed several accumulators (bias_ih and bias_hh get the same sum), but
      // nothing else: it leaves the body with them.
      auto addsToCarried = [&](Operation *user) {
        auto other = dyn_cast<loom::AddOp>(user);
        if (!other)
          return false;
        auto arg = (other.lhs() == term ? other.rhs() : other.lhs()).dyn_cast<BlockArgument>();
        return arg && arg.getOwner() == &body && arg.getArgNumber() < scan.carried().size();
      };
      if (!termOp || !llvm::all_of(term.getUsers(), addsToCarried))
        continue;
      Accumulator a{i, add, termOp, {}};
      if (auto matmul = dyn_cast<loom::MatmulOp>(termOp)) {
        if (!matmul.transpose_lhs() || matmul.transpose_rhs())
          continue;
        a.factors = {matmul.lhs(), matmul.rhs()};
      } else if (auto sum = dyn_cast<loom::ReduceSumOp>(termOp)) {
        if (sum.axes().size() != 1 || sum.axes()[0].cast<IntegerAttr>().getInt() != 0)
          continue;
        a.factors = {sum.input()};
      } else {
        continue;
      }
      if (llvm::all_of(a.factors, [&](Value f) { return isStepValue(scan, f) && f != acc; }))
        found.push_back(a);
    }
    return found;
  }

  /// Steps 2-4: every factor becomes a sequence the scan already reads or a new per-step output;
  /// the scan is rebuilt without the accumulators; after it, each accumulator's final value is its
  /// initial value plus one reduction over all steps: reshape the stacked factors [T, B, ...] to
  /// [T*B, ...], then one matmul {transpose_lhs} or one reduce_sum over axis 0.
  static void hoist(loom::ScanOp scan, ArrayRef<Accumulator> accumulators) {
    Block &body = scan.getBodyBlock();
    auto yield = cast<loom::YieldOp>(body.getTerminator());
    size_t numCarried = scan.carried().size();
    size_t numOutputs = scan.outputs().size();

    // Per-step factors that are not sequence slices become new outputs (each once).
    SmallVector<Value> newOutputs;
    DenseMap<Value, unsigned> outputIndex;
    for (const Accumulator &a : accumulators) {
      for (Value f : a.factors) {
        if (f.isa<BlockArgument>() || outputIndex.count(f))
          continue;
        outputIndex[f] = numOutputs + newOutputs.size();
        newOutputs.push_back(f);
      }
    }

    llvm::SmallDenseSet<unsigned> dropped;
    for (const Accumulator &a : accumulators)
      dropped.insert(a.index);
    SmallVector<Value> carried, yielded;
    for (unsigned i = 0; i < numCarried; ++i) {
      if (!dropped.count(i)) {
        carried.push_back(scan.carried()[i]);
        yielded.push_back(yield.values()[i]);
      }
    }
    yielded.append(yield.values().begin() + numCarried, yield.values().end());
    yielded.append(newOutputs.begin(), newOutputs.end());

    OpBuilder b(scan);
    SmallVector<Type> outputTypes(scan.outputs().getTypes());
    for (Value v : newOutputs)
      outputTypes.push_back(loom::stackedType(scan.getNumSteps(), v.getType()));
    loom::ScanOp rebuilt = loom::rebuildScan(b, scan, carried, scan.sequences(), outputTypes);
    OpBuilder inBody(yield);
    inBody.create<loom::YieldOp>(yield.getLoc(), yielded);
    yield.erase();

    // Results of the old scan that stay.
    unsigned next = 0;
    for (unsigned i = 0; i < numCarried; ++i) {
      if (!dropped.count(i))
        scan.finals()[i].replaceAllUsesWith(rebuilt.finals()[next++]);
    }
    for (unsigned j = 0; j < numOutputs; ++j)
      scan.outputs()[j].replaceAllUsesWith(rebuilt.outputs()[j]);

    // The whole-sequence reductions, after the scan.
    OpBuilder after(rebuilt->getBlock(), std::next(Block::iterator(rebuilt)));
    auto stackedOf = [&](Value f) -> Value {
      if (auto arg = f.dyn_cast<BlockArgument>())
        return rebuilt.sequences()[arg.getArgNumber() - numCarried];
      return rebuilt.outputs()[outputIndex.lookup(f)];
    };
    auto flatten = [&](Value stacked) -> Value {
      auto type = typeOf(stacked);
      SmallVector<int64_t> shape{type.getDimSize(0) * type.getDimSize(1)};
      shape.append(type.getShape().begin() + 2, type.getShape().end());
      return after.create<loom::ReshapeOp>(scan.getLoc(), RankedTensorType::get(shape, type.getElementType()),
                                           stacked);
    };
    for (const Accumulator &a : accumulators) {
      Location loc = a.term->getLoc();
      Value total;
      if (isa<loom::MatmulOp>(a.term)) {
        total = after.create<loom::MatmulOp>(loc, a.term->getResult(0).getType(), flatten(stackedOf(a.factors[0])),
                                             flatten(stackedOf(a.factors[1])), after.getUnitAttr(), UnitAttr());
      } else {
        total = after.create<loom::ReduceSumOp>(loc, a.term->getResult(0).getType(), flatten(stackedOf(a.factors[0])),
                                                after.getI64ArrayAttr({0}));
      }
      Value final = after.create<loom::AddOp>(loc, total.getType(), scan.carried()[a.index], total);
      scan.finals()[a.index].replaceAllUsesWith(final);
    }
    scan->erase();

    // The accumulations left the body; erase them and the accumulator arguments.
    llvm::SmallPtrSet<Operation *, 4> terms;
    for (const Accumulator &a : accumulators) {
      a.add->erase();
      terms.insert(a.term);
    }
    for (Operation *term : terms) {
      if (term->use_empty())
        term->erase();
    }
    SmallVector<unsigned> indices(dropped.begin(), dropped.end());
    llvm::sort(indices);
    for (unsigned index : llvm::reverse(indices))
      rebuilt.getBodyBlock().eraseArgument(index);
  }
};

} // namespace

std::unique_ptr<Pass> loom::createHoistAccumulatorsPass() {
  return std::make_unique<HoistAccumulatorsPass>();
}
