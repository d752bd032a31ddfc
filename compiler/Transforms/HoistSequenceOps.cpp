// loom-hoist-sequence-ops: moves work that does not depend on a scan's carried state out of its
// body, as one batched op over every time step (the input projection becomes one GEMM).
#include "PassDetail.h"

#include "mlir/IR/Builders.h"

using namespace mlir;

namespace {

/// The batched form of a body op is only built for ops whose per-step and whole-sequence forms
/// are the same op (element-wise ops, bias_add) or a matmul whose rows are the step's batch.
bool isHoistableKind(Operation *op) {
  if (auto matmul = dyn_cast<loom::MatmulOp>(op))
    return !matmul.transpose_lhs();
  return isa<loom::BiasAddOp, loom::AddOp, loom::SubOp, loom::MulOp, loom::DivOp, loom::TanhOp,
             loom::SigmoidOp, loom::ExpOp, loom::LogOp>(op);
}

/// A step keeps its input projection x_t W^T in the body when it adds it to a product of its carried state
/// (h U^T) and W and U together take at most kWeightBytesPerRowToKeepInputProjection per row of the step
/// and kMaxWeightBytesToKeepInputProjection in all. The step kernel then accumulates both products in one
/// register tile (LoomToHalide, lower(AddOp)) and reads x_t, where the batched projection is written to
/// memory for every step and read back ([T, B, gates * H] floats, which do not stay in cache: at T=50,
/// B=64, I=H=512 the LSTM step spent about a tenth of its time waiting for it). But the step then streams
/// W as well as U at every step, which pays while both stay in the last-level cache and the step has rows
/// enough to use each weight many times. Measured on the EPYC (forward, kept against batched):
///   LSTM B=64, I=H=512 (8 MiB)  0.95     LSTM B=128, I=28, H=128  0.79    RNN B=128, I=28, H=128  0.77
///   LSTM B=16, I=H=256 (2 MiB)  0.98     RNN B=16, I=H=256        0.73
///   RNN B=32, I=H=1024 (8 MiB)  1.04-1.11   LSTM B=32, I=H=1024 (32 MiB)  1.13
constexpr int64_t kWeightBytesPerRowToKeepInputProjection = int64_t(128) << 10;
constexpr int64_t kMaxWeightBytesToKeepInputProjection = int64_t(8) << 20;

/// Algorithm, for each loom.scan, until nothing changes:
///  1. Find a body op whose operands are each a sequence slice (a block argument after the
///     carried state) or a value defined above the scan, at least one a sequence slice; for a
///     matmul the slice must be the lhs and the rhs defined above; for bias_add the slice must be
///     the input.
///  2. Build its batched form before the scan over the whole sequences: the op itself on
///     [T, ...] tensors, or for a matmul reshape [T, B, K] -> [T*B, K], one matmul, reshape back.
///  3. Pass the result to the scan as a new sequence and use its slice in place of the op.
///  4. Drop sequences the body no longer reads.
///  5. Transpose once, before the scan, every weight a body matmul reads transposed as its left
///     operand (a right operand is packed once before the loop by the code generator, which
///     reads it transposed as well as not).
class HoistSequenceOpsPass : public loom::HoistSequenceOpsBase<HoistSequenceOpsPass> {
  void runOnOperation() override {
    SmallVector<loom::ScanOp> scans;
    getOperation().walk([&](loom::ScanOp scan) { scans.push_back(scan); });
    for (loom::ScanOp scan : scans) {
      while (Operation *op = findHoistable(scan))
        scan = hoist(scan, op);
      scan = dropUnusedSequences(scan);
      transposeLeftWeightsOnce(scan);
    }
  }

  /// A matmul in the body with a transposed left operand defined above the scan would transpose
  /// it at every step; transpose it once before the scan instead, shared by every matmul that
  /// reads it, and multiply without the flag. A transposed right operand (a PyTorch-layout weight
  /// [out, in]) stays as it is: the code generator packs it into panels once per sequence
  /// straight from the weight, where a transpose first would copy the weight every call.
  static void transposeLeftWeightsOnce(loom::ScanOp scan) {
    DenseMap<Value, Value> transposed;
    OpBuilder before(scan);
    auto transposeOf = [&](Value weight) {
      auto [it, inserted] = transposed.try_emplace(weight);
      if (inserted) {
        Operation *op = loom::buildWithInferredTypes(before, scan.getLoc(),
                                                     loom::TransposeOp::getOperationName(), weight,
                                                     {}, typeOf(weight).getElementType());
        it->second = op->getResult(0);
      }
      return it->second;
    };
    scan.getBodyBlock().walk([&](loom::MatmulOp matmul) {
      if (matmul.transpose_lhs() && isInvariant(scan, matmul.lhs())) {
        matmul.lhsMutable().assign(transposeOf(matmul.lhs()));
        matmul->removeAttr("transpose_lhs");
      }
    });
  }

  static bool isSequenceSlice(loom::ScanOp scan, Value v) {
    auto arg = v.dyn_cast<BlockArgument>();
    return arg && arg.getOwner() == &scan.getBodyBlock() && arg.getArgNumber() >= scan.carried().size();
  }

  static bool isInvariant(loom::ScanOp scan, Value v) {
    return !scan.body().isAncestor(v.getParentRegion());
  }

  static Operation *findHoistable(loom::ScanOp scan) {
    for (Operation &op : scan.getBodyBlock().without_terminator()) {
      if (!isHoistableKind(&op))
        continue;
      bool anySlice = false, fits = true;
      for (Value operand : op.getOperands()) {
        bool slice = isSequenceSlice(scan, operand);
        anySlice |= slice;
        fits &= slice || isInvariant(scan, operand);
      }
      if (!fits || !anySlice)
        continue;
      if (isa<loom::MatmulOp, loom::BiasAddOp>(op) &&
          !(isSequenceSlice(scan, op.getOperand(0)) && isInvariant(scan, op.getOperand(1))))
        continue;
      if (auto matmul = dyn_cast<loom::MatmulOp>(op); matmul && joinsRecurrentProduct(scan, matmul))
        continue;
      // Binary element-wise ops need both sides per step: an invariant side would need a
      // broadcast over time.
      if (isa<loom::AddOp, loom::SubOp, loom::MulOp, loom::DivOp>(op) &&
          !(isSequenceSlice(scan, op.getOperand(0)) && isSequenceSlice(scan, op.getOperand(1))))
        continue;
      return &op;
    }
    return nullptr;
  }

  /// `v` followed through the bias_adds that are its only reader, one after the other.
  static Value throughBiases(Value v) {
    while (v.hasOneUse()) {
      auto biasAdd = dyn_cast<loom::BiasAddOp>(*v.getUsers().begin());
      if (!biasAdd || biasAdd.input() != v)
        break;
      v = biasAdd.getResult();
    }
    return v;
  }

  /// Whether `matmul`, an input projection of the step's slice, is (with its biases) one side of an add
  /// whose other side is a product of the carried state by a weight from above, with weights small enough
  /// to stream at every step (kMaxWeightBytesToKeepInputProjection and the per-row budget).
  static bool joinsRecurrentProduct(loom::ScanOp scan, loom::MatmulOp matmul) {
    if (matmul.transpose_lhs() || !matmul.getResult().hasOneUse())
      return false;
    Value side = throughBiases(matmul.getResult());
    if (!side.hasOneUse())
      return false;
    auto add = dyn_cast<loom::AddOp>(*side.getUsers().begin());
    if (!add)
      return false;
    Value other = add.lhs() == side ? add.rhs() : add.lhs();
    loom::MatmulOp recurrent = other.hasOneUse() ? loom::productBehindBiases(other) : nullptr;
    if (!recurrent || recurrent->getBlock() != &scan.getBodyBlock() || recurrent.transpose_lhs() ||
        isSequenceSlice(scan, recurrent.lhs()) || !isInvariant(scan, recurrent.rhs()) ||
        recurrent.getType() != matmul.getType())
      return false;
    auto bytes = [](Value v) {
      RankedTensorType type = typeOf(v);
      return type.getNumElements() * int64_t(type.getElementTypeBitWidth() / 8);
    };
    const int64_t weights = bytes(matmul.rhs()) + bytes(recurrent.rhs());
    const int64_t rows = typeOf(matmul.getResult()).getDimSize(0);
    return weights <= kMaxWeightBytesToKeepInputProjection &&
           weights <= rows * kWeightBytesPerRowToKeepInputProjection;
  }

  /// The whole sequence a slice argument of the body comes from.
  static Value sequenceOf(loom::ScanOp scan, Value slice) {
    return scan.sequences()[slice.cast<BlockArgument>().getArgNumber() - scan.carried().size()];
  }

  static RankedTensorType typeOf(Value v) { return v.getType().cast<RankedTensorType>(); }

  /// Builds `op` over whole sequences before the scan and returns the batched result [T, ...].
  static Value batched(loom::ScanOp scan, Operation *op) {
    OpBuilder b(scan);
    Location loc = op->getLoc();
    int64_t steps = scan.getNumSteps();
    auto stacked = [&](Type stepType) { return loom::stackedType(steps, stepType); };
    if (auto matmul = dyn_cast<loom::MatmulOp>(op)) {
      Value sequence = sequenceOf(scan, matmul.lhs());
      auto stepType = typeOf(matmul.lhs());
      auto flatType = RankedTensorType::get({steps * stepType.getDimSize(0), stepType.getDimSize(1)},
                                            stepType.getElementType());
      Value flat = b.create<loom::ReshapeOp>(loc, flatType, sequence);
      auto resultType = typeOf(matmul.getResult());
      auto productType = RankedTensorType::get({steps * resultType.getDimSize(0), resultType.getDimSize(1)},
                                               resultType.getElementType());
      Value product = b.create<loom::MatmulOp>(loc, productType, flat, matmul.rhs(),
                                               matmul.transpose_lhsAttr(), matmul.transpose_rhsAttr());
      return b.create<loom::ReshapeOp>(loc, stacked(resultType), product);
    }
    SmallVector<Value> operands;
    for (Value operand : op->getOperands())
      operands.push_back(isSequenceSlice(scan, operand) ? sequenceOf(scan, operand) : operand);
    OperationState state(loc, op->getName());
    state.addOperands(operands);
    state.addAttributes(op->getAttrs());
    state.addTypes(stacked(op->getResult(0).getType()));
    return b.createOperation(state)->getResult(0);
  }

  /// Rebuilds `scan` with `sequences` as its sequence operands (the body keeps its block).
  static loom::ScanOp withSequences(loom::ScanOp scan, ArrayRef<Value> sequences) {
    OpBuilder b(scan);
    loom::ScanOp rebuilt =
        loom::rebuildScan(b, scan, scan.carried(), sequences, scan.outputs().getTypes());
    scan->replaceAllUsesWith(rebuilt->getResults());
    scan->erase();
    return rebuilt;
  }

  static loom::ScanOp hoist(loom::ScanOp scan, Operation *op) {
    Value whole = batched(scan, op);
    SmallVector<Value> sequences(scan.sequences());
    sequences.push_back(whole);
    Value slice = scan.getBodyBlock().addArgument(op->getResult(0).getType(), op->getLoc());
    op->getResult(0).replaceAllUsesWith(slice);
    op->erase();
    return withSequences(scan, sequences);
  }

  static loom::ScanOp dropUnusedSequences(loom::ScanOp scan) {
    Block &body = scan.getBodyBlock();
    size_t numCarried = scan.carried().size();
    SmallVector<Value> kept;
    SmallVector<unsigned> unused;
    for (auto indexed : llvm::enumerate(scan.sequences())) {
      if (body.getArgument(numCarried + indexed.index()).use_empty())
        unused.push_back(numCarried + indexed.index());
      else
        kept.push_back(indexed.value());
    }
    // Keep one sequence even if unread: it fixes the number of steps.
    if (unused.empty() || kept.empty())
      return scan;
    for (unsigned index : llvm::reverse(unused))
      body.eraseArgument(index);
    return withSequences(scan, kept);
  }
};

} // namespace

std::unique_ptr<Pass> loom::createHoistSequenceOpsPass() {
  return std::make_unique<HoistSequenceOpsPass>();
}
