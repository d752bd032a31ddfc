// The Halide algorithm of every loom op that computes something, under one banner per op family. The
// semantics are those of the naive reference ops (tests/reference/include/loom/reference/ops.h).
#include "LoomToHalide.h"

#include "LoomDialect.h"
#include "loom/lower/activations.h"
#include "loom/lower/panel_gemm.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

namespace loom::conversion {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::RDom;
using Halide::Var;
using Index = std::vector<Expr>;

[[noreturn]] void fail(mlir::Operation *op, const std::string &why) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  stream << op->getName() << " at " << op->getLoc() << ": " << why;
  throw std::runtime_error(stream.str());
}

/// "[4, 8] float32": a tensor in error messages, shaped as in the DSL.
std::string tensor_string(const std::vector<int64_t> &shape, Halide::Type type) {
  std::ostringstream text;
  text << "[";
  for (size_t d = 0; d < shape.size(); ++d)
    text << (d ? ", " : "") << shape[d];
  text << "] " << type;
  return text.str();
}

std::vector<int64_t> static_shape(mlir::Operation *op, mlir::Type type) {
  auto tensor = type.dyn_cast<mlir::RankedTensorType>();
  if (!tensor || !tensor.hasStaticShape())
    fail(op, "needs static shapes; run shape inference first");
  return {tensor.getShape().begin(), tensor.getShape().end()};
}

Halide::Type element_type(mlir::Operation *op, mlir::Type type) {
  mlir::Type element = type.cast<mlir::TensorType>().getElementType();
  if (element.isF32())
    return Halide::Float(32);
  if (element.isSignlessInteger(32))
    return Halide::Int(32);
  fail(op, "has an element type Loom does not lower (only f32 and i32)");
}

/// Reads a tensor at an index given in tensor order (Halide's argument order is the reverse).
Expr at(const HalideTensor &tensor, const Index &index) {
  return tensor.func(Index(index.rbegin(), index.rend()));
}

/// A tensor whose Func is being defined: `index` holds one pure Var per tensor axis, in tensor order.
struct NewTensor {
  HalideTensor tensor;
  Index index;

  /// The Func at its own pure Vars: the left-hand side of its definitions.
  Halide::FuncRef pure() { return tensor.func(Index(index.rbegin(), index.rend())); }
  /// The index with the last axis dropped: the row that a softmax-like op reduces.
  Index row() const { return Index(index.begin(), index.end() - 1); }
};

/// Names and creates the Funcs of one op: the result and any intermediate Funcs it needs.
class OpFuncs {
public:
  /// `name` names the op's Funcs; when empty, the op's name and a process-wide count do.
  OpFuncs(mlir::Operation *op, const std::string &name) {
    static std::atomic<int> counter{0};
    stem_ = name.empty() ? op->getName().stripDialect().str() + "_" + std::to_string(counter++) : name;
  }

  /// A fresh Func for `shape` named `<op>_<n>` or, for an intermediate, `<op>_<n>_<role>`.
  NewTensor make(const std::vector<int64_t> &shape, Halide::Type type, const std::string &role = "") {
    NewTensor t{{Func(role.empty() ? stem_ : stem_ + "_" + role), shape, type}, {}};
    std::vector<Var> vars;
    for (size_t d = 0; d < shape.size(); ++d)
      vars.emplace_back("a" + std::to_string(d));
    t.index.assign(vars.begin(), vars.end());
    made_.push_back(t.tensor);
    return t;
  }

  /// Gives every Func made for the op estimates of its extents; Halide takes them once it is defined.
  void set_estimates() {
    for (HalideTensor &t : made_) {
      Halide::Region estimates;
      for (auto extent = t.shape.rbegin(); extent != t.shape.rend(); ++extent)
        estimates.push_back({0, static_cast<int>(*extent)});
      t.func.set_estimates(estimates);
    }
  }

  /// A reduction domain over `extents`, its first dimension (the innermost loop) first.
  RDom domain(const std::vector<int64_t> &extents) {
    Halide::Region region;
    for (int64_t extent : extents)
      region.push_back({0, static_cast<int>(extent)});
    return RDom(region, stem_ + "_r" + std::to_string(domains_++));
  }

private:
  std::string stem_;
  int domains_ = 0;
  std::vector<HalideTensor> made_;
};

/// What every op's translation gets: its operands, the result's shape and type, and the factory for
/// its Funcs.
struct Lowering {
  const std::vector<HalideTensor> &operands;
  std::vector<int64_t> shape;
  Halide::Type type;
  OpFuncs funcs;

  NewTensor result() { return funcs.make(shape, type); }
};

/// Reads an I64ArrayAttr as plain integers.
std::vector<int64_t> integers(mlir::ArrayAttr array) {
  std::vector<int64_t> values;
  for (mlir::Attribute a : array)
    values.push_back(a.cast<mlir::IntegerAttr>().getInt());
  return values;
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

template <typename T> Halide::Buffer<T> constant_buffer(mlir::DenseElementsAttr dense,
                                                        const std::vector<int64_t> &shape) {
  std::vector<int> sizes(shape.rbegin(), shape.rend());
  Halide::Buffer<T> buffer(sizes);
  // A dense Halide buffer with dimension 0 innermost is laid out exactly like the row-major tensor.
  std::copy(dense.getValues<T>().begin(), dense.getValues<T>().end(), buffer.data());
  return buffer;
}

HalideTensor lower(ConstantOp op, Lowering &l) {
  NewTensor out = l.result();
  auto dense = op.value().dyn_cast<mlir::DenseElementsAttr>();
  if (!dense)
    fail(op, "has a constant that is not a dense elements attribute");
  Index args(out.index.rbegin(), out.index.rend());
  if (dense.isSplat()) {
    out.pure() = l.type.is_float() ? Expr(dense.getSplatValue<float>())
                                   : Expr(dense.getSplatValue<int32_t>());
  } else if (l.type.is_float()) {
    out.pure() = constant_buffer<float>(dense, l.shape)(args);
  } else {
    out.pure() = constant_buffer<int32_t>(dense, l.shape)(args);
  }
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// MatmulOp
//===----------------------------------------------------------------------===//

/// The effective right operand B [K, N] of a matmul (rhs, or rhs transposed) packed into panels of
/// P = kPanelWidth columns: panels [ceil(N/P), K, P] with panels[p][k][i] = B[k][p*P + i], zero past N.
/// Each step of the product's reduction then reads one panel row contiguously (loom/lower/panel_gemm.h).
HalideTensor pack_rhs(MatmulOp op, const HalideTensor &rhs, OpFuncs &funcs) {
  using lower::kPanelWidth;
  const int64_t n_size = rhs.shape[op.transpose_rhs() ? 0 : 1], k_size = rhs.shape[op.transpose_rhs() ? 1 : 0];
  NewTensor panels = funcs.make({lower::panel_count(static_cast<int>(n_size)), k_size, kPanelWidth}, rhs.type, "panels");
  Expr p = panels.index[0], k = panels.index[1], i = panels.index[2];
  Expr column = p * kPanelWidth + i, clamped = Halide::min(column, static_cast<int>(n_size) - 1);
  Expr value = op.transpose_rhs() ? at(rhs, {clamped, k}) : at(rhs, {k, clamped});
  panels.pure() = Halide::select(column < static_cast<int>(n_size), value, Halide::Internal::make_zero(rhs.type));
  return panels.tensor;
}

} // namespace

/// One product of a sum: lhs [M, K] (or [K, M] read transposed) times packed panels [ceil(N/P), K, P].
struct PanelTerm {
  HalideTensor lhs;
  bool transpose_lhs;
  HalideTensor panels;
};

/// sum of the terms' products + sum of the biases [N] (see HalideTensor::panel_sum).
struct PanelSum {
  std::vector<PanelTerm> terms;
  std::vector<HalideTensor> biases;
};

namespace {

/// The gate size H when `product` [M, G * H] reaches its readers, through bias adds and sums of its
/// shape read only there, as G >= 2 slices of H columns (a whole number of panels) starting at multiples
/// of H; 0 otherwise. An LSTM step's gates (h W_hh^T + b_hh + x W_ih^T + b_ih, sliced into i, f, g, o)
/// and a GRU step's recurrent product (sliced into r, z, n) are read so.
int64_t gate_size(mlir::Value product) {
  auto type = product.getType().dyn_cast<mlir::RankedTensorType>();
  if (!type || !type.hasStaticShape() || type.getRank() != 2)
    return 0;
  const int64_t columns = type.getShape()[1];
  mlir::Value v = product;
  while (v.hasOneUse()) {
    mlir::Operation *user = *v.getUsers().begin();
    auto bias_add = llvm::dyn_cast<BiasAddOp>(user);
    auto add = llvm::dyn_cast<AddOp>(user);
    if ((bias_add && bias_add.input() == v) || (add && add.lhs().getType() == add.rhs().getType()))
      v = user->getResult(0);
    else
      break;
  }
  int64_t size = 0;
  for (mlir::Operation *user : v.getUsers()) {
    auto slice = llvm::dyn_cast<SliceOp>(user);
    if (!slice || slice.axis() != 1 || (size && slice.size() != size))
      return 0;
    size = static_cast<int64_t>(slice.size());
  }
  if (size == 0 || size % lower::kPanelWidth != 0 || columns % size != 0 || columns / size < 2)
    return 0;
  for (mlir::Operation *user : v.getUsers()) {
    if (llvm::cast<SliceOp>(user).start() % size != 0)
      return 0;
  }
  return size;
}

/// The products of `terms`, each [M, N]: product [ceil(N/P), M, P] sums every term's reduction in turn (one
/// update stage each) with the panel's columns innermost, and the returned [M, N] tensor reads column n of
/// it at (n / P, m, n % P). The schedule computes the product tile by tile with its accumulators in
/// registers (CpuSchedule.cpp, panel products); it finds the product by its name, the reader's followed by
/// "_panel_product".
///
/// With a gate size H (see gate_size), the product is [G, H/P, M, P] instead, panel q of gate g at [g, q]
/// (panel g * H/P + q of the operands), and the result also gets its view by gate (n, m, g), read by the
/// gate slices: a tile over panel q then holds column q * P + i of every gate.
HalideTensor multiply_panels(const std::vector<PanelTerm> &terms, Lowering &l, const std::string &role,
                             int64_t gate = 0) {
  using lower::kPanelWidth;
  const int64_t m_size = l.shape[0];
  const int64_t panel_count = terms.front().panels.shape[0];
  const std::string name = role.empty() ? "panel_product" : role + "_panel_product";
  NewTensor product = gate ? l.funcs.make({l.shape[1] / gate, gate / kPanelWidth, m_size, kPanelWidth}, l.type, name)
                           : l.funcs.make({panel_count, m_size, kPanelWidth}, l.type, name);
  Expr m = product.index[product.index.size() - 2], j = product.index.back();
  // A tile of several panels may overhang the last one; it reads the last panel again. Gated products
  // have whole panels only.
  Expr panel = gate ? product.index[0] * static_cast<int>(gate / kPanelWidth) + product.index[1]
                    : Halide::min(product.index[0], static_cast<int>(panel_count) - 1);
  product.pure() = Halide::Internal::make_zero(l.type);
  for (const PanelTerm &term : terms) {
    RDom k = l.funcs.domain({term.lhs.shape[term.transpose_lhs ? 0 : 1]});
    Expr lhs_mk = term.transpose_lhs ? at(term.lhs, {k, m}) : at(term.lhs, {m, k});
    product.pure() += lhs_mk * at(term.panels, {panel, k, j});
  }
  NewTensor out = role.empty() ? l.result() : l.funcs.make(l.shape, l.type, role);
  Expr row = out.index[0], column = out.index[1];
  if (!gate) {
    // One panel is read as such, so that Halide bounds the columns a schedule needs exactly (it
    // cannot tell that n % P stays below 2 for n below 2).
    out.pure() = panel_count == 1 ? at(product.tensor, {Expr(0), row, column})
                                  : at(product.tensor, {column / kPanelWidth, row, column % kPanelWidth});
    return out.tensor;
  }
  NewTensor view = l.funcs.make({l.shape[1] / gate, m_size, gate}, l.type, role.empty() ? "by_gate" : role + "_by_gate");
  Expr g = view.index[0], vm = view.index[1], n = view.index[2];
  view.pure() = at(product.tensor, {g, n / kPanelWidth, vm, n % kPanelWidth});
  out.pure() = at(view.tensor, {column / static_cast<int>(gate), row, column % static_cast<int>(gate)});
  out.tensor.by_gate = GateView{view.tensor.func, gate};
  return out.tensor;
}

/// `tensor` [M, G * H] plus the view by gate `value(n, m, g)` when `tensor` is one that has a view by
/// gate (see HalideTensor::by_gate): an element-wise op on gated operands keeps the view.
void add_gate_view(HalideTensor &tensor, const GateView &like, Lowering &l,
                   const std::function<Expr(const Expr &n, const Expr &m, const Expr &g)> &value) {
  NewTensor view = l.funcs.make({l.shape[1] / like.size, l.shape[0], like.size}, l.type, "by_gate");
  view.pure() = value(view.index[2], view.index[1], view.index[0]);
  tensor.by_gate = GateView{view.tensor.func, like.size};
}

/// Reads `tensor` [M, G * H] at column n of gate g: from its view by gate when it has one of gate size H.
Expr at_gate(const HalideTensor &tensor, int64_t size, const Expr &n, const Expr &m, const Expr &g) {
  if (tensor.by_gate && tensor.by_gate->size == size)
    return tensor.by_gate->func(n, m, g);
  return at(tensor, {m, g * static_cast<int>(size) + n});
}

/// lhs times the packed right operand, remembered as a one-term panel sum.
HalideTensor multiply_panels(MatmulOp op, const HalideTensor &lhs, const HalideTensor &panels, Lowering &l) {
  std::vector<PanelTerm> terms{{lhs, op.transpose_lhs(), panels}};
  HalideTensor out = multiply_panels(terms, l, "", gate_size(op.getResult()));
  out.panel_sum = std::make_shared<const PanelSum>(PanelSum{std::move(terms), {}});
  return out;
}

HalideTensor lower(MatmulOp op, Lowering &l) {
  return multiply_panels(op, l.operands[0], pack_rhs(op, l.operands[1], l.funcs), l);
}

//===----------------------------------------------------------------------===//
// Element-wise ops: AddOp, SubOp, MulOp, DivOp, MaximumOp, MinimumOp, BiasAddOp, TanhOp, SigmoidOp,
// ExpOp, LogOp, SqrtOp, ReluOp, HeavisideOp
//===----------------------------------------------------------------------===//

template <typename BinaryOp> HalideTensor lower_binary(Lowering &l, BinaryOp combine) {
  NewTensor out = l.result();
  out.pure() = combine(at(l.operands[0], out.index), at(l.operands[1], out.index));
  return out.tensor;
}

/// tanh(x) = 1 - 2 / (exp(2x) + 1) (loom/lower/activations.h). Halide 14's tanh calls libm's scalar
/// tanhf lane by lane; its exp is a vector polynomial. Measured on 65536 floats (AVX-512): 678 us
/// against 13 us, with errors of at most 2e-7 against double tanh (absolute near 0, relative
/// elsewhere). Saturates to +-1 as exp overflows or vanishes; NaN stays NaN.
Expr tanh_from_exp(Expr x) { return loom::lower::tanh_by_exp(x); }

template <typename UnaryOp> HalideTensor lower_unary(Lowering &l, UnaryOp apply) {
  NewTensor out = l.result();
  out.pure() = apply(at(l.operands[0], out.index));
  return out.tensor;
}

HalideTensor lower(BiasAddOp, Lowering &l) {
  NewTensor out = l.result();
  out.pure() = at(l.operands[0], out.index) + at(l.operands[1], {out.index.back()});
  if (const std::optional<GateView> &gated = l.operands[0].by_gate) {
    const HalideTensor &bias = l.operands[1];
    add_gate_view(out.tensor, *gated, l, [&](const Expr &n, const Expr &m, const Expr &g) {
      return gated->func(n, m, g) + at(bias, {g * static_cast<int>(gated->size) + n});
    });
  }
  if (const std::shared_ptr<const PanelSum> &sum = l.operands[0].panel_sum) {
    PanelSum biased = *sum;
    biased.biases.push_back(l.operands[1]);
    out.tensor.panel_sum = std::make_shared<const PanelSum>(std::move(biased));
  }
  return out.tensor;
}

/// Whether `v` is a product (plus biases) that nothing but its one reader reads: folding it into that
/// reader's sum then computes nothing twice.
bool read_only_here(mlir::Value v) { return v.hasOneUse() && productBehindBiases(v); }

/// a + b. When both are products of the same shape read only here (x W_ih^T + b_ih and h W_hh^T + b_hh),
/// one panel product accumulates both reductions in the same register tile and the biases follow in its
/// epilogue: neither product is stored, and the step reads no precomputed input projection.
HalideTensor lower(AddOp op, Lowering &l) {
  const HalideTensor &a = l.operands[0], &b = l.operands[1];
  NewTensor out = l.result();
  if (!a.panel_sum || !b.panel_sum || a.shape != b.shape || a.shape != l.shape || l.shape.size() != 2 ||
      a.panel_sum->terms.front().panels.shape[0] != b.panel_sum->terms.front().panels.shape[0] ||
      !read_only_here(op.lhs()) || !read_only_here(op.rhs())) {
    out.pure() = at(a, out.index) + at(b, out.index);
    const std::optional<GateView> &gated = a.by_gate ? a.by_gate : b.by_gate;
    if (gated && a.shape == b.shape) {
      add_gate_view(out.tensor, *gated, l, [&](const Expr &n, const Expr &m, const Expr &g) {
        return at_gate(a, gated->size, n, m, g) + at_gate(b, gated->size, n, m, g);
      });
    }
    return out.tensor;
  }
  PanelSum sum = *a.panel_sum;
  sum.terms.insert(sum.terms.end(), b.panel_sum->terms.begin(), b.panel_sum->terms.end());
  sum.biases.insert(sum.biases.end(), b.panel_sum->biases.begin(), b.panel_sum->biases.end());
  HalideTensor products = multiply_panels(sum.terms, l, "products", gate_size(op.getResult()));
  Expr value = at(products, out.index);
  for (const HalideTensor &bias : sum.biases)
    value += at(bias, {out.index.back()});
  out.pure() = value;
  if (const std::optional<GateView> &gated = products.by_gate) {
    add_gate_view(out.tensor, *gated, l, [&](const Expr &n, const Expr &m, const Expr &g) {
      Expr biased = gated->func(n, m, g);
      for (const HalideTensor &bias : sum.biases)
        biased += at(bias, {g * static_cast<int>(gated->size) + n});
      return biased;
    });
  }
  out.tensor.panel_sum = std::make_shared<const PanelSum>(std::move(sum));
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Token ids, masks and dropout: GatherOp, ScatterAddOp, OneHotOp, SequenceMaskOp, DropoutOp
//===----------------------------------------------------------------------===//

/// An id as a row index. Clamped because Halide must bound every index it reads; ids are checked where
/// they enter the model, not here.
Expr row_of(Expr id, int64_t rows) { return Halide::clamp(id, 0, static_cast<int>(rows) - 1); }

HalideTensor lower(GatherOp, Lowering &l) {
  const HalideTensor &table = l.operands[0], &ids = l.operands[1];
  NewTensor out = l.result();
  Expr id = at(ids, out.row());
  out.pure() = at(table, {row_of(id, table.shape[0]), out.index.back()});
  return out.tensor;
}

HalideTensor lower(ScatterAddOp, Lowering &l) {
  const HalideTensor &ids = l.operands[0], &updates = l.operands[1];
  NewTensor out = l.result();
  out.pure() = 0.0f;
  if (ids.shape.empty()) {
    Expr row = row_of(at(ids, {}), l.shape[0]);
    out.tensor.func(out.index[1], row) += at(updates, {out.index[1]});
    return out.tensor;
  }
  // One reduction variable per id axis, the last axis innermost; features stay a pure Var, so each
  // id's row is added as one vector.
  RDom r = l.funcs.domain(std::vector<int64_t>(ids.shape.rbegin(), ids.shape.rend()));
  Index position;
  for (size_t d = 0; d < ids.shape.size(); ++d)
    position.push_back(r[static_cast<int>(ids.shape.size() - 1 - d)]);
  Index update_at = position;
  update_at.push_back(out.index[1]);
  Expr row = row_of(at(ids, position), l.shape[0]);
  out.tensor.func(out.index[1], row) += at(updates, update_at);
  return out.tensor;
}

HalideTensor lower(OneHotOp, Lowering &l) {
  NewTensor out = l.result();
  out.pure() = Halide::select(at(l.operands[0], out.row()) == out.index.back(), 1.0f, 0.0f);
  return out.tensor;
}

HalideTensor lower(SequenceMaskOp, Lowering &l) {
  NewTensor out = l.result();
  out.pure() = Halide::select(out.index[0] < at(l.operands[0], {out.index[1]}), 1.0f, 0.0f);
  return out.tensor;
}

Expr u32_constant(uint32_t value) { return Halide::Internal::UIntImm::make(Halide::UInt(32), value); }

/// The lowbias32 integer hash; the naive reference (loom::reference::hash32) computes the same bits.
Expr hash32(Expr x) {
  x = x ^ (x >> 16);
  x = x * u32_constant(0x7feb352du);
  x = x ^ (x >> 15);
  x = x * u32_constant(0x846ca68bu);
  return x ^ (x >> 16);
}

HalideTensor lower(DropoutOp op, Lowering &l) {
  const HalideTensor &x = l.operands[0], &state = l.operands[1];
  const double rate = op.rate().convertToDouble();
  NewTensor out = l.result();
  Expr linear = 0;
  for (size_t d = 0; d < x.shape.size(); ++d)
    linear = linear * static_cast<int>(x.shape[d]) + out.index[d];
  auto u32 = [](Expr e) { return Halide::cast<uint32_t>(e); };
  Expr seed = u32(at(state, {0})), step = u32(at(state, {1}));
  Expr h = hash32(seed * u32_constant(0x9e3779b1u) + u32_constant(static_cast<uint32_t>(op.stream())));
  h = hash32(h ^ step);
  h = hash32(h ^ u32(linear));
  Expr uniform = Halide::cast<float>(h >> 8) * (1.0f / 16777216.0f);
  const float scale = static_cast<float>(1.0 / (1.0 - rate));
  out.pure() = Halide::select(uniform >= static_cast<float>(rate), at(x, out.index) * scale, 0.0f);
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Shape manipulation: SliceOp, ConcatOp, ReshapeOp, TransposeOp, BroadcastOp
//===----------------------------------------------------------------------===//

HalideTensor lower(SliceOp op, Lowering &l) {
  NewTensor out = l.result();
  const std::optional<GateView> &gated = l.operands[0].by_gate;
  if (gated && op.axis() == 1 && static_cast<int64_t>(op.size()) == gated->size &&
      static_cast<int64_t>(op.start()) % gated->size == 0) {
    out.pure() = gated->func(out.index[1], out.index[0], static_cast<int>(op.start() / gated->size));
    return out.tensor;
  }
  Index index = out.index;
  index[op.axis()] += static_cast<int>(op.start());
  out.pure() = at(l.operands[0], index);
  return out.tensor;
}

HalideTensor lower(ConcatOp op, Lowering &l) {
  NewTensor out = l.result();
  const size_t axis = op.axis();
  const Expr position = out.index[axis];
  // Each operand covers [start, start + size) of the axis. Walking from the last operand back, an
  // operand takes the positions before its end and leaves the rest to the later ones. The index into
  // each operand is clamped: Halide's bounds inference does not look through the select, and without
  // the clamp it would require every operand over the whole concatenated range.
  std::vector<int64_t> starts{0};
  for (const HalideTensor &part : l.operands)
    starts.push_back(starts.back() + part.shape[axis]);
  Expr value;
  for (size_t i = l.operands.size(); i-- > 0;) {
    const int start = static_cast<int>(starts[i]), end = static_cast<int>(starts[i + 1]);
    Index index = out.index;
    index[axis] = Halide::clamp(position - start, 0, end - start - 1);
    Expr part = at(l.operands[i], index);
    value = value.defined() ? Halide::select(position < end, part, value) : part;
  }
  out.pure() = value;
  return out.tensor;
}

HalideTensor lower(ReshapeOp, Lowering &l) {
  const HalideTensor &in = l.operands[0];
  NewTensor out = l.result();
  // Trailing axes the two shapes share map one to one; only the leading axes go through the row-major
  // linear index, which keeps the innermost (vectorized) axis free of division.
  size_t shared = 0;
  while (shared < in.shape.size() && shared < l.shape.size() &&
         in.shape[in.shape.size() - 1 - shared] == l.shape[l.shape.size() - 1 - shared])
    ++shared;
  const size_t out_lead = l.shape.size() - shared, in_lead = in.shape.size() - shared;
  Expr linear = 0;
  for (size_t d = 0; d < out_lead; ++d)
    linear = linear * static_cast<int>(l.shape[d]) + out.index[d];
  Index index(in.shape.size());
  int64_t stride = 1;
  for (size_t d = in_lead; d-- > 0;) {
    Expr coordinate = stride == 1 ? linear : linear / static_cast<int>(stride);
    index[d] = d == 0 ? coordinate : coordinate % static_cast<int>(in.shape[d]);
    stride *= in.shape[d];
  }
  for (size_t s = 0; s < shared; ++s)
    index[in_lead + s] = out.index[out_lead + s];
  out.pure() = at(in, index);
  return out.tensor;
}

HalideTensor lower(TransposeOp op, Lowering &l) {
  NewTensor out = l.result();
  llvm::SmallVector<int64_t> axes = op.axes();
  Index index(axes.size());
  for (size_t d = 0; d < axes.size(); ++d)
    index[size_t(axes[d])] = out.index[d];
  out.pure() = at(l.operands[0], index);
  return out.tensor;
}

HalideTensor lower(BroadcastOp op, Lowering &l) {
  NewTensor out = l.result();
  std::vector<int64_t> inserted = integers(op.axes());
  Index index;
  for (size_t d = 0; d < l.shape.size(); ++d) {
    if (std::find(inserted.begin(), inserted.end(), static_cast<int64_t>(d)) == inserted.end())
      index.push_back(out.index[d]);
  }
  out.pure() = at(l.operands[0], index);
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Reductions: ReduceSumOp, ReduceMeanOp, ReduceMaxOp
//===----------------------------------------------------------------------===//

enum class Reduction { sum, mean, max };

HalideTensor lower_reduction(mlir::ArrayAttr axes_attr, Lowering &l, Reduction kind) {
  const HalideTensor &in = l.operands[0];
  NewTensor out = l.result();
  std::set<int64_t> removed;
  for (int64_t a : integers(axes_attr))
    removed.insert(a);
  if (removed.empty()) {
    out.pure() = at(in, out.index);
    return out.tensor;
  }
  // The last removed axis is the domain's first (innermost) dimension, so the loop walks memory in order.
  std::vector<int64_t> extents;
  for (auto a = removed.rbegin(); a != removed.rend(); ++a)
    extents.push_back(in.shape[*a]);
  RDom r = l.funcs.domain(extents);
  Index index;
  size_t kept = 0, reduced = removed.size();
  for (size_t d = 0; d < in.shape.size(); ++d)
    index.push_back(removed.count(d) ? Expr(r[--reduced]) : out.index[kept++]);
  Expr value = at(in, index);
  if (kind == Reduction::max) {
    out.pure() = l.type.min();
    out.pure() = Halide::max(Expr(out.pure()), value);
    return out.tensor;
  }
  out.pure() = 0.0f;
  out.pure() += value;
  if (kind == Reduction::mean) {
    int64_t count = 1;
    for (int64_t e : extents)
      count *= e;
    out.pure() = Expr(out.pure()) / static_cast<float>(count);
  }
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Softmax family along the last axis: SoftmaxOp, LogSoftmaxOp, SparseSoftmaxCrossEntropyOp and its
// gradient
//===----------------------------------------------------------------------===//

/// The stable softmax's pieces for each row of x [..., C]: max = max_c x, exp = exp(x - max) and
/// sum = sum_c exp. The schedule materializes exp only where it is read twice (softmax itself).
struct SoftmaxRows {
  HalideTensor max, exp, sum;
};

SoftmaxRows softmax_rows(const HalideTensor &x, Lowering &l) {
  std::vector<int64_t> rows(x.shape.begin(), x.shape.end() - 1);
  const int64_t classes = x.shape.back();
  NewTensor max = l.funcs.make(rows, l.type, "row_max");
  NewTensor exp = l.funcs.make(x.shape, l.type, "exp");
  NewTensor sum = l.funcs.make(rows, l.type, "row_sum");
  RDom c = l.funcs.domain({classes});
  Index max_at = max.index;
  max_at.push_back(c);
  max.pure() = l.type.min();
  max.pure() = Halide::max(Expr(max.pure()), at(x, max_at));
  // A NaN in the row is passed over by max but kept by exp, so the whole row's softmax is NaN.
  exp.pure() = loom::lower::exp_keeping_nan(at(x, exp.index) - at(max.tensor, exp.row()));
  Index sum_at = sum.index;
  sum_at.push_back(c);
  sum.pure() = 0.0f;
  sum.pure() += at(exp.tensor, sum_at);
  return {max.tensor, exp.tensor, sum.tensor};
}

HalideTensor lower(SoftmaxOp, Lowering &l) {
  SoftmaxRows rows = softmax_rows(l.operands[0], l);
  NewTensor out = l.result();
  out.pure() = at(rows.exp, out.index) / at(rows.sum, out.row());
  return out.tensor;
}

HalideTensor lower(LogSoftmaxOp, Lowering &l) {
  SoftmaxRows rows = softmax_rows(l.operands[0], l);
  NewTensor out = l.result();
  out.pure() = at(l.operands[0], out.index) - at(rows.max, out.row()) -
               loom::lower::log_keeping_nan(at(rows.sum, out.row()));
  return out.tensor;
}

/// A row's label as a class index (clamped, see row_of).
Expr label_of(const HalideTensor &labels, int64_t classes, Expr row) {
  return row_of(at(labels, {row}), classes);
}

HalideTensor lower(SparseSoftmaxCrossEntropyOp, Lowering &l) {
  const HalideTensor &logits = l.operands[0], &labels = l.operands[1];
  const int64_t rows_size = logits.shape[0], classes = logits.shape[1];
  SoftmaxRows rows = softmax_rows(logits, l);
  NewTensor out = l.result();
  RDom n = l.funcs.domain({rows_size});
  Expr log_probability = at(logits, {n, label_of(labels, classes, n)}) - at(rows.max, {n}) -
                         loom::lower::log_keeping_nan(at(rows.sum, {n}));
  out.pure() = 0.0f;
  out.pure() -= log_probability;
  out.pure() = Expr(out.pure()) / static_cast<float>(rows_size);
  return out.tensor;
}

HalideTensor lower(SparseSoftmaxCrossEntropyGradOp, Lowering &l) {
  const HalideTensor &logits = l.operands[0], &labels = l.operands[1], &dloss = l.operands[2];
  const int64_t rows_size = logits.shape[0], classes = logits.shape[1];
  SoftmaxRows rows = softmax_rows(logits, l);
  NewTensor out = l.result();
  Expr n = out.index[0], c = out.index[1];
  Expr probability = at(rows.exp, {n, c}) / at(rows.sum, {n});
  Expr one_hot = Halide::select(c == label_of(labels, classes, n), 1.0f, 0.0f);
  out.pure() = (probability - one_hot) * at(dloss, {}) / static_cast<float>(rows_size);
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// ArgmaxOp
//===----------------------------------------------------------------------===//

HalideTensor lower(ArgmaxOp, Lowering &l) {
  const HalideTensor &x = l.operands[0];
  const int64_t classes = x.shape.back();
  // (best value, its index) per row; only a strictly larger value moves it, so ties keep the lowest
  // index, as PyTorch does.
  NewTensor best = l.funcs.make(l.shape, l.type, "best");
  Index first = best.index, candidate = best.index;
  first.push_back(0);
  best.pure() = Halide::Tuple(at(x, first), 0);
  if (classes > 1) {
    Expr c = l.funcs.domain({classes - 1}).x + 1;
    candidate.push_back(c);
    Expr value = at(x, candidate);
    Halide::Tuple current = best.pure();
    best.pure() = Halide::tuple_select(value > current[0], Halide::Tuple(value, c), current);
  }
  NewTensor out = l.result();
  out.pure() = Expr(best.pure()[1]);
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Search: TopKOp, GatherBeamsOp, QuotientOp, RemainderOp
//===----------------------------------------------------------------------===//

/// Whether a comes before b in top_k's order: larger first, NaN after every number.
Expr ranks_before(Expr a, Expr b) {
  return a > b || (Halide::is_nan(b) && !Halide::is_nan(a));
}

HalideTensor lower(TopKOp, Lowering &l) {
  const HalideTensor &x = l.operands[0];
  const int64_t n = x.shape.back();
  // Each entry's place in the order: how many entries come before it (ties by index), which makes
  // the places of a row a permutation of [0, N). Output slot r takes the entry whose place is r.
  // O(N^2) per row: beam search ranks a few hundred candidates.
  NewTensor place = l.funcs.make(x.shape, Halide::Int(32), "place");
  RDom j = l.funcs.domain({n});
  Index other = place.row();
  other.push_back(j);
  Expr mine = at(x, place.index), theirs = at(x, other);
  Expr equal = mine == theirs || (Halide::is_nan(mine) && Halide::is_nan(theirs));
  place.pure() = 0;
  place.pure() += Halide::select(ranks_before(theirs, mine) || (equal && j < place.index.back()), 1, 0);
  NewTensor out = l.result();
  RDom i = l.funcs.domain({n});
  Index candidate = out.row();
  candidate.push_back(i);
  out.pure() = 0;
  out.pure() += Halide::select(at(place.tensor, candidate) == out.index.back(), Expr(i), 0);
  return out.tensor;
}

HalideTensor lower(GatherBeamsOp, Lowering &l) {
  const HalideTensor &x = l.operands[0], &indices = l.operands[1];
  NewTensor out = l.result();
  Index index = out.index;
  index[1] = row_of(at(indices, {out.index[0], out.index[1]}), x.shape[1]);
  out.pure() = at(x, index);
  return out.tensor;
}

//===----------------------------------------------------------------------===//
// Dispatch
//===----------------------------------------------------------------------===//

/// Checks that the operands are the tensors the op's operand types describe.
void check_operands(mlir::Operation *op, const std::vector<HalideTensor> &operands) {
  if (operands.size() != op->getNumOperands())
    fail(op, "has " + std::to_string(op->getNumOperands()) + " operands but was given " +
                 std::to_string(operands.size()) + " tensors");
  for (size_t i = 0; i < operands.size(); ++i) {
    mlir::Type type = op->getOperand(i).getType();
    std::vector<int64_t> shape = static_shape(op, type);
    Halide::Type element = element_type(op, type);
    const HalideTensor &given = operands[i];
    if (given.shape != shape || given.type != element || !given.func.defined() ||
        given.func.dimensions() != static_cast<int>(shape.size()))
      fail(op, "operand #" + std::to_string(i) + " is " + tensor_string(shape, element) +
                   " but the tensor given for it is " + tensor_string(given.shape, given.type) +
                   (given.func.defined() ? "" : " with an undefined Func"));
  }
}

using Translation = std::function<HalideTensor(Lowering &)>;

/// The translation of `op`, chosen before any Func is made so that an op lower_op does not handle is
/// reported as such, whatever its operands.
Translation translation_of(mlir::Operation *op) {
  auto binary = [](auto combine) -> Translation {
    return [combine](Lowering &l) { return lower_binary(l, combine); };
  };
  auto unary = [](auto apply) -> Translation {
    return [apply](Lowering &l) { return lower_unary(l, apply); };
  };
  auto reduction = [](mlir::ArrayAttr axes, Reduction kind) -> Translation {
    return [axes, kind](Lowering &l) { return lower_reduction(axes, l, kind); };
  };
  return llvm::TypeSwitch<mlir::Operation *, Translation>(op)
      .Case<ConstantOp, MatmulOp, AddOp, BiasAddOp, SliceOp, ConcatOp, ReshapeOp, TransposeOp, BroadcastOp, SoftmaxOp,
            LogSoftmaxOp, SparseSoftmaxCrossEntropyOp, SparseSoftmaxCrossEntropyGradOp, ArgmaxOp, GatherOp,
            ScatterAddOp, OneHotOp, SequenceMaskOp, DropoutOp, TopKOp, GatherBeamsOp>(
          [](auto typed) -> Translation { return [typed](Lowering &l) { return lower(typed, l); }; })
      .Case([&](SubOp) { return binary([](Expr a, Expr b) { return a - b; }); })
      .Case([&](MulOp) { return binary([](Expr a, Expr b) { return a * b; }); })
      .Case([&](DivOp) { return binary([](Expr a, Expr b) { return a / b; }); })
      .Case([&](MaximumOp) { return binary([](Expr a, Expr b) { return Halide::max(a, b); }); })
      .Case([&](MinimumOp) { return binary([](Expr a, Expr b) { return Halide::min(a, b); }); })
      .Case([&](TanhOp) { return unary(tanh_from_exp); })
      .Case([&](SigmoidOp) { return unary(loom::lower::sigmoid); })
      .Case([&](ExpOp) { return unary(loom::lower::exp_keeping_nan); })
      .Case([&](LogOp) { return unary(loom::lower::log_keeping_nan); })
      .Case([&](SqrtOp) { return unary([](Expr x) { return Halide::sqrt(x); }); })
      .Case([&](ReluOp) { return unary(loom::lower::relu); })
      .Case([&](HeavisideOp) { return unary([](Expr x) { return Halide::select(x > 0.0f, 1.0f, 0.0f); }); })
      // Halide's integer division rounds towards negative infinity, its remainder is never negative.
      .Case([&](QuotientOp q) {
        const int divisor = static_cast<int>(q.divisor());
        return unary([divisor](Expr x) { return x / divisor; });
      })
      .Case([&](RemainderOp r) {
        const int divisor = static_cast<int>(r.divisor());
        return unary([divisor](Expr x) { return x % divisor; });
      })
      .Case([&](ReduceSumOp r) { return reduction(r.axes(), Reduction::sum); })
      .Case([&](ReduceMeanOp r) { return reduction(r.axes(), Reduction::mean); })
      .Case([&](ReduceMaxOp r) { return reduction(r.axes(), Reduction::max); })
      .Case<InputOp, ParameterOp, OutputOp, LossOp, ParameterGradientOp, SgdUpdateOp, AdamUpdateOp,
            RmspropUpdateOp, ScanOp, YieldOp,
            RandomStateOp>(
          [&](auto) -> Translation {
            fail(op, "is handled by the code generator, not translated op by op");
          })
      .Default([&](mlir::Operation *) -> Translation { fail(op, "has no Halide translation"); });
}

} // namespace

std::vector<HalideTensor> lower_op(mlir::Operation *op, const std::vector<HalideTensor> &operands,
                                   const std::string &name) {
  Translation translation = translation_of(op);
  check_operands(op, operands);
  mlir::Type result_type = op->getResult(0).getType();
  Lowering lowering{operands, static_shape(op, result_type), element_type(op, result_type), OpFuncs(op, name)};
  try {
    HalideTensor result = translation(lowering);
    lowering.funcs.set_estimates();
    return {result};
  } catch (const Halide::Error &error) {
    fail(op, std::string("Halide rejected its translation: ") + error.what());
  }
}

std::vector<int64_t> packed_rhs_shape(mlir::Operation *op) {
  auto matmul = llvm::dyn_cast<MatmulOp>(op);
  if (!matmul)
    fail(op, "is not a loom.matmul: only a matmul's right operand is packed");
  const std::vector<int64_t> rhs_shape = static_shape(op, matmul.rhs().getType());
  const int64_t n_size = rhs_shape[matmul.transpose_rhs() ? 0 : 1], k_size = rhs_shape[matmul.transpose_rhs() ? 1 : 0];
  return {lower::panel_count(static_cast<int>(n_size)), k_size, lower::kPanelWidth};
}

HalideTensor pack_matmul_rhs(mlir::Operation *op, const HalideTensor &rhs, const std::string &name) {
  auto matmul = llvm::dyn_cast<MatmulOp>(op);
  if (!matmul)
    fail(op, "is not a loom.matmul: only a matmul's right operand is packed");
  OpFuncs funcs(op, name);
  try {
    HalideTensor panels = pack_rhs(matmul, rhs, funcs);
    funcs.set_estimates();
    return panels;
  } catch (const Halide::Error &error) {
    fail(op, std::string("Halide rejected the packing of its right operand: ") + error.what());
  }
}

std::vector<HalideTensor> lower_matmul_packed(mlir::Operation *op, const HalideTensor &lhs,
                                              const HalideTensor &panels, const std::string &name) {
  auto matmul = llvm::dyn_cast<MatmulOp>(op);
  if (!matmul)
    fail(op, "is not a loom.matmul");
  const std::vector<int64_t> expected = packed_rhs_shape(op);
  if (panels.shape != expected)
    fail(op, "got packed panels " + tensor_string(panels.shape, panels.type) + ", expected " +
                 tensor_string(expected, panels.type));
  const std::vector<int64_t> lhs_shape = static_shape(op, matmul.lhs().getType());
  if (lhs.shape != lhs_shape || !lhs.func.defined() || lhs.func.dimensions() != 2)
    fail(op, "operand #0 is " + tensor_string(lhs_shape, panels.type) + " but the tensor given for it is " +
                 tensor_string(lhs.shape, lhs.type));
  mlir::Type result_type = op->getResult(0).getType();
  const std::vector<HalideTensor> operands{lhs, panels};
  Lowering lowering{operands, static_shape(op, result_type), element_type(op, result_type), OpFuncs(op, name)};
  try {
    HalideTensor result = multiply_panels(matmul, lhs, panels, lowering);
    lowering.funcs.set_estimates();
    return {result};
  } catch (const Halide::Error &error) {
    fail(op, std::string("Halide rejected its translation: ") + error.what());
  }
}

} // namespace loom::conversion
