// Loom's default CPU schedule: which Funcs of a kernel are stored and how their loops run. The choice is
// made from the Funcs' structure (updates, consumers, how each consumer indexes its producers) and the
// extent estimates lower_op() sets, so it needs no knowledge of which op made a Func. The numbers in the
// comments were measured with Halide 14's JIT on this project's development machine: an AMD EPYC with
// AVX-512, two cores shared with other jobs, medians of 50 to 200 runs.
#include "CpuSchedule.h"

#include "loom/lower/panel_gemm.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>

namespace loom::conversion {
namespace {

using Halide::Expr;
using Halide::Func;
using Halide::Var;
using Halide::VarOrRVar;

/// Work (points times reduction iterations) of one parallel task. One task per row of a 128 x 512
/// element-wise Func ran 2.2x slower than no parallelism at all on a shared 2-core machine; tasks of
/// 16K points ran 1.35x faster at 64K points and 1.7-1.9x faster from 128K up, and no faster or slower
/// at 32K. So a loop runs in parallel only when it makes at least four such tasks.
constexpr int64_t task_work = int64_t(1) << 14;
constexpr int64_t min_parallel_tasks = 4;

/// The arguments of every call in an expression to a Func or buffer whose name `wanted` accepts.
class CallArguments : public Halide::Internal::IRGraphVisitor {
public:
  explicit CallArguments(std::function<bool(const std::string &)> wanted) : wanted_(std::move(wanted)) {}
  std::vector<std::vector<Expr>> found;

private:
  using IRGraphVisitor::visit;
  void visit(const Halide::Internal::Call *call) override {
    bool reads_memory = call->call_type == Halide::Internal::Call::Halide ||
                        call->call_type == Halide::Internal::Call::Image;
    if (reads_memory && wanted_(call->name))
      found.push_back(call->args);
    IRGraphVisitor::visit(call);
  }

  std::function<bool(const std::string &)> wanted_;
};

/// One definition of a Func (the pure one or an update): its arguments, its values and the names of
/// the loops it runs (pure Vars and reduction Vars).
struct Definition {
  std::vector<Expr> args, values;
  std::vector<std::string> loops;
};

std::vector<Definition> definitions(const Func &f) {
  std::vector<Definition> all;
  Definition pure{{}, f.values().as_vector(), {}};
  for (const Var &v : f.args()) {
    pure.args.push_back(v);
    pure.loops.push_back(v.name());
  }
  all.push_back(pure);
  for (int i = 0; i < f.num_update_definitions(); ++i) {
    Definition update{f.update_args(i), f.update_values(i).as_vector(), {}};
    for (const Expr &arg : update.args) {
      if (const auto *v = arg.as<Halide::Internal::Variable>())
        update.loops.push_back(v->name);
    }
    for (const Halide::RVar &r : f.rvars(i))
      update.loops.push_back(r.name());
    all.push_back(update);
  }
  return all;
}

std::vector<std::vector<Expr>> calls_in(const Definition &definition,
                                        std::function<bool(const std::string &)> wanted) {
  CallArguments calls(std::move(wanted));
  for (const Expr &e : definition.values)
    e.accept(&calls);
  for (const Expr &e : definition.args)
    e.accept(&calls);
  return calls.found;
}

/// True when `consumer` reads some point of `producer` more than once: one of its loops does not appear
/// in the arguments of a call to the producer, so the call repeats along that loop.
bool rereads(const Func &consumer, const std::string &producer) {
  for (const Definition &definition : definitions(consumer)) {
    auto is_producer = [&](const std::string &name) { return name == producer; };
    for (const std::vector<Expr> &args : calls_in(definition, is_producer)) {
      for (const std::string &loop : definition.loops) {
        bool used = false;
        for (const Expr &arg : args)
          used = used || Halide::Internal::expr_uses_var(arg, loop);
        if (!used)
          return true;
      }
    }
  }
  return false;
}

/// The estimated extent of each Halide dimension of `f`, or -1 where it has none.
std::vector<int64_t> estimated_extents(const Func &f) {
  std::vector<int64_t> extents(f.dimensions(), -1);
  for (const Halide::Internal::Bound &bound : f.function().schedule().estimates()) {
    for (int d = 0; d < f.dimensions(); ++d) {
      const int64_t *extent = Halide::Internal::as_const_int(bound.extent);
      if (f.args()[d].name() == bound.var && extent)
        extents[d] = *extent;
    }
  }
  return extents;
}

int64_t product(const std::vector<int64_t> &extents) {
  int64_t total = 1;
  for (int64_t e : extents)
    total *= e < 0 ? 1 : e;
  return total;
}

/// Iterations of the reduction loops of update `i` of `f`. Func::rvars() names the reduction
/// variables without their extents; the definition has both.
int64_t reduction_iterations(const Func &f, int i) {
  int64_t iterations = 1;
  for (const Halide::Internal::ReductionVariable &r : f.function().update(i).schedule().rvars()) {
    const int64_t *extent = Halide::Internal::as_const_int(r.extent);
    iterations *= extent ? *extent : 1;
  }
  return iterations;
}

/// The target's natural vector width, halved until it fits the extent, so that small Funcs (10 classes
/// on AVX-512) still run full vectors rather than only the guarded tail.
int vector_width(const Halide::Target &target, Halide::Type type, int64_t extent) {
  int width = target.natural_vector_size(type);
  while (extent > 0 && width > extent)
    width /= 2;
  return width;
}

/// The cost of computing one point of a Func's pure definition, in simple operations (an add, a load), the
/// Funcs inlined into it included: a math call (exp, log) counts as 16, a float division as 4. task_work
/// was measured on Funcs of 2 to 4 simple operations per point, so a point costing `c` is worth about c / 4
/// of those points: a GRU step's gate math (3 exps and 3 divisions per point over 64 x 512 points) runs
/// in parallel, a bias add of the same size does not.
class PointCost : public Halide::Internal::IRGraphVisitor {
public:
  /// `inlined_cost` gives the cost of a Func inlined into the definition, or nothing for a stored one
  /// (read as one load).
  explicit PointCost(std::function<std::optional<int64_t>(const std::string &)> inlined_cost)
      : inlined_cost_(std::move(inlined_cost)) {}
  int64_t cost = 0;

private:
  using IRGraphVisitor::visit;
  static constexpr int64_t math_call = 16, division = 4;

  void visit(const Halide::Internal::Call *call) override {
    if (call->call_type == Halide::Internal::Call::Halide) {
      std::optional<int64_t> inlined = inlined_cost_(call->name);
      cost += inlined ? *inlined : 1;
    } else if (call->call_type == Halide::Internal::Call::PureExtern) {
      cost += math_call;
    } else {
      cost += 1;
    }
    IRGraphVisitor::visit(call);
  }
  void visit(const Halide::Internal::Div *div) override {
    cost += div->type.is_float() ? division : 1;
    IRGraphVisitor::visit(div);
  }
  template <typename Node> void count(const Node *node) {
    cost += 1;
    IRGraphVisitor::visit(node);
  }
  void visit(const Halide::Internal::Add *n) override { count(n); }
  void visit(const Halide::Internal::Sub *n) override { count(n); }
  void visit(const Halide::Internal::Mul *n) override { count(n); }
  void visit(const Halide::Internal::Min *n) override { count(n); }
  void visit(const Halide::Internal::Max *n) override { count(n); }
  void visit(const Halide::Internal::Select *n) override { count(n); }

  std::function<std::optional<int64_t>(const std::string &)> inlined_cost_;
};

/// The cost of one point of `f` (see PointCost).
int64_t point_cost(const Func &f, const std::function<std::optional<int64_t>(const std::string &)> &inlined_cost) {
  PointCost point(inlined_cost);
  const Halide::Tuple values = f.values();
  for (const Expr &value : values.as_vector())
    value.accept(&point);
  return point.cost;
}

/// Points of `f`'s pure definition weighted by their cost (see PointCost) as task_work counts them.
int64_t weighted_work(int64_t points, int64_t point_cost) {
  constexpr int64_t simple_point = 4;
  return points * std::max<int64_t>(1, point_cost / simple_point);
}

/// Runs `outer` (of `outer_extent` iterations, `work` in all) in parallel tasks of about task_work,
/// when that makes enough tasks. Returns whether it did.
bool parallelize(Halide::Stage stage, const Var &outer, int64_t outer_extent, int64_t work) {
  if (outer_extent < 2 || work < min_parallel_tasks * task_work)
    return false;
  const int64_t per_iteration = std::max<int64_t>(1, work / outer_extent);
  const int64_t chunk = (task_work + per_iteration - 1) / per_iteration;
  if (chunk <= 1) {
    stage.parallel(outer);
  } else {
    Var task, within;
    stage.split(outer, task, within, static_cast<int>(chunk), Halide::TailStrategy::GuardWithIf)
        .parallel(task);
  }
  return true;
}

/// Runs the update's innermost pure Var in vectors, inside its reduction loops, when the update reads
/// memory contiguously along it (a matmul row, a reduction over a leading axis); otherwise the reduction
/// loops stay innermost and walk memory in order (softmax rows).
void schedule_update(Func &f, int update, int width, const std::vector<int64_t> &extents) {
  Halide::Stage stage = f.update(update);
  const Var inner = f.args().front();
  std::vector<Halide::RVar> rvars = f.rvars(update);
  Definition definition = definitions(f)[update + 1];
  bool contiguous = rvars.empty();
  auto is_input = [&](const std::string &name) { return name != f.name(); };
  for (const std::vector<Expr> &args : calls_in(definition, is_input)) {
    const auto *first = args.empty() ? nullptr : args.front().as<Halide::Internal::Variable>();
    contiguous = contiguous || (first && first->name == inner.name());
  }
  // An update that writes at a computed index (a scatter) loops over only some of the pure Vars.
  auto loops_over = [&](const Var &v) {
    return std::find(definition.loops.begin(), definition.loops.end(), v.name()) != definition.loops.end();
  };
  const bool vectorized = contiguous && width > 1 && loops_over(inner);
  if (vectorized) {
    std::vector<VarOrRVar> order{inner};
    order.insert(order.end(), rvars.begin(), rvars.end());
    for (size_t d = 1; d < f.args().size(); ++d) {
      if (loops_over(f.args()[d]))
        order.push_back(f.args()[d]);
    }
    stage.reorder(order).vectorize(inner, width, Halide::TailStrategy::GuardWithIf);
  }
  const bool parallel = f.dimensions() >= 2 && loops_over(f.args().back()) &&
                        parallelize(stage, f.args().back(), extents.back(),
                                    product(extents) * reduction_iterations(f, update));
  if (!vectorized && !parallel)
    stage.unscheduled();
}

/// Where the pure definition of `f` changes branch along its innermost Var, when it is piecewise
/// there: select(x < 512, a, select(x < 1024, b, ...)) (a concatenation) gives {512, 1024, ...}.
std::vector<int64_t> piece_boundaries(const Func &f) {
  std::vector<int64_t> boundaries;
  if (f.has_update_definition() || f.outputs() != 1)
    return boundaries;
  const std::string inner = f.args().front().name();
  Expr value = f.value();
  while (const auto *select = value.as<Halide::Internal::Select>()) {
    const auto *less = select->condition.as<Halide::Internal::LT>();
    const auto *var = less ? less->a.as<Halide::Internal::Variable>() : nullptr;
    const auto *bound = less ? less->b.as<Halide::Internal::IntImm>() : nullptr;
    if (!var || var->name != inner || !bound)
      return {};
    boundaries.push_back(bound->value);
    value = select->false_value;
  }
  return boundaries;
}

/// Loops over a piecewise Func's innermost Var (see piece_boundaries) piece by piece: split at the
/// pieces' common size and unrolled over the pieces, each vector lies in one piece and computes only
/// its branch; a vectorized select would compute every branch for every vector. Returns whether it
/// did (the pieces must be whole vectors and few).
bool vectorize_by_piece(Func &f, int width, int64_t extent) {
  const std::vector<int64_t> boundaries = piece_boundaries(f);
  if (boundaries.empty() || width <= 1)
    return false;
  int64_t piece = extent;
  for (int64_t boundary : boundaries)
    piece = std::gcd(piece, boundary);
  if (piece % width != 0 || extent / piece > 16)
    return false;
  const Var inner = f.args().front();
  Var pieces("pieces"), within("within");
  // The whole extent is stored whatever part the consumers read, so the piece loop has a constant
  // extent to unroll.
  f.bound(inner, 0, static_cast<int>(extent))
      .split(inner, pieces, within, static_cast<int>(piece), Halide::TailStrategy::RoundUp)
      .vectorize(within, width)
      .unroll(pieces);
  return true;
}

/// Stores `f` at root, vectorized and, when its work (points weighted by `point_cost`) is large, in
/// parallel tasks.
void schedule_root(Func f, const Halide::Target &target, int64_t point_cost) {
  f.compute_root();
  if (f.dimensions() == 0)
    return;
  const std::vector<int64_t> extents = estimated_extents(f);
  const int width = vector_width(target, f.output_types().front(), extents.front());
  if (width > 1 && !vectorize_by_piece(f, width, extents.front()))
    f.vectorize(f.args().front(), width, Halide::TailStrategy::GuardWithIf);
  if (f.dimensions() >= 2)
    parallelize(f, f.args().back(), extents.back(), weighted_work(product(extents), point_cost));
  for (int i = 0; i < f.num_update_definitions(); ++i)
    schedule_update(f, i, width, extents);
}

/// `name` without the "$<k>" Halide appends when a kernel compiled earlier in the process (for another
/// target) used it.
std::string unsuffixed(const std::string &name) { return name.substr(0, name.find('$')); }

/// The panel product of a matmul's result `f` (LoomToHalide names it after the result), when `f` is its
/// one reader: f(n, m) = product(n % P, m, n / P).
std::optional<Func> read_panel_product(const Func &f, const std::map<std::string, Func> &pipeline,
                                       const std::map<std::string, std::set<std::string>> &consumers) {
  using namespace Halide::Internal;
  if (f.has_update_definition() || f.dimensions() != 2 || f.outputs() != 1)
    return std::nullopt;
  const auto *call = f.value().as<Call>();
  if (!call || call->call_type != Call::Halide || unsuffixed(call->name) != unsuffixed(f.name()) + "_panel_product" ||
      !pipeline.count(call->name) || consumers.at(call->name).size() != 1)
    return std::nullopt;
  Func product = pipeline.at(call->name);
  if (!product.has_update_definition() || product.dimensions() != 3)
    return std::nullopt;
  for (int update = 0; update < product.num_update_definitions(); ++update) {
    if (product.rvars(update).size() != 1)
      return std::nullopt;
  }
  return product;
}

/// Stores a matmul's result tile by tile with loom/lower's register-tiled panel GEMM: each tile's product
/// is computed just before it with every accumulator in a vector register (6 rows x 4 vectors on AVX-512,
/// 6 x 2 on AVX2), the k loop outside the unrolled tile, streaming one packed panel. Row tiles shift
/// inwards at the edge, so the result is bounded to its whole shape. Inside the pipeline its columns are
/// rounded up to whole tiles (the extra columns read the last panel again and nothing reads them); a
/// kernel output guards them (loom/lower/panel_gemm.h says why guards are avoided where possible).
///
/// The panels moved the compiled LSTM layer at T=50, B=64, I=H=512 from the 2-row x 2-vector tiles over
/// the unpacked operand (115-134 GFLOP/s on 128 x 128 x 512, 46 on 37 x 45 x 133) to the figures of
/// loom/lower/panel_gemm.cpp (about 205 GFLOP/s per core on the input projection).
///
/// Parallel tasks: blocks of row tiles x column tiles for tall products (an input projection over all
/// steps), column tiles for the short products of a step kernel, nothing when the work is small.
void schedule_panel_product(Func result, Func panel_product, bool output, const Halide::Target &target) {
  using namespace loom::lower;
  const std::vector<int64_t> extents = estimated_extents(result);
  const int64_t columns_size = extents[0], rows_size = extents[1];
  const Var n = result.args()[0], m = result.args()[1];
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = panel_tile(tiling, 1, static_cast<int>(std::max<int64_t>(columns_size, 1)),
                                    static_cast<int>(std::max<int64_t>(rows_size, 1)));
  const TileLoops loops;
  const int64_t column_tiles = (columns_size + tile.columns() - 1) / tile.columns();
  const Halide::TailStrategy column_tail =
      output ? Halide::TailStrategy::GuardWithIf : Halide::TailStrategy::RoundUp;
  result.compute_root();
  if (columns_size > 0 && rows_size > 0) {
    const int64_t stored_columns = output ? columns_size : column_tiles * tile.columns();
    result.bound(n, 0, static_cast<int>(stored_columns)).bound(m, 0, static_cast<int>(rows_size));
  }
  tile_output(result, n, m, {}, tile, tiling, loops, Halide::TailStrategy::ShiftInwards, column_tail);
  const int64_t row_tiles = (rows_size + tile.rows - 1) / tile.rows;
  int64_t iterations = 0;
  for (int update = 0; update < panel_product.num_update_definitions(); ++update)
    iterations += reduction_iterations(panel_product, update);
  const int64_t work = product(extents) * iterations;
  // A product of one row tile (a step at batch 1-6) streams its panels once, memory-bound: split among
  // threads it gains less than a GEMM of the same work, and at batch 1 the wake-up of the other thread at
  // every step cost more than it gave below twice the usual work (tanh RNN, H=256: [1, 256] x [256, 256],
  // 65K, forward 0.11 -> 0.083 ms and training 0.47 -> 0.38 ms on one thread; the GRU's and LSTM's
  // 196K and 262K stayed level in parallel, and ran up to 1.3x slower on one thread).
  const bool one_row_tile = result.dimensions() == 2 && row_tiles == 1;
  if (work >= min_parallel_tasks * task_work * (one_row_tile ? 2 : 1)) {
    if (result.dimensions() > 2) {
      // Tiles of one outer index (a step of a sequence) share the lhs rows; tasks are column tiles of one
      // step, all steps in one parallel loop.
      Var task = loops.tile_n;
      for (int d = 2; d < result.dimensions(); ++d) {
        Var fused("task_" + std::to_string(d));
        result.fuse(task, result.args()[d], fused);
        task = fused;
      }
      result.parallel(task);
    } else if (row_tiles >= 32) {
      parallelize_row_blocks(result, loops);
    } else if (column_tiles >= 2) {
      result.parallel(loops.tile_n);
    } else if (row_tiles >= 2) {
      result.parallel(loops.tile_m);
    }
  }
  const std::vector<Var> args = panel_product.args();
  schedule_product(panel_product, args[0], args[1], args[2], tile, tiling, Halide::LoopLevel(result, loops.tile_m));
}

/// True when `consumer`, an element-wise Func, reads `producer` only at its own column (argument 0), at
/// rows that step by one with its own argument 1 and do not depend on its column: a bias add, an
/// activation, a reshape of leading axes. A matmul's product tile then maps onto a tile of the consumer.
bool reads_column_by_column(const Func &consumer, const std::string &producer) {
  using namespace Halide::Internal;
  if (consumer.has_update_definition() || consumer.outputs() != 1 || consumer.dimensions() < 2)
    return false;
  const Var column = consumer.args()[0], row = consumer.args()[1];
  auto is_producer = [&](const std::string &name) { return name == producer; };
  const std::vector<std::vector<Expr>> calls = calls_in(definitions(consumer).front(), is_producer);
  for (const std::vector<Expr> &args : calls) {
    const auto *first = args.size() >= 2 ? args[0].as<Variable>() : nullptr;
    if (!first || first->name != column.name())
      return false;
    for (size_t i = 1; i < args.size(); ++i) {
      if (expr_uses_var(args[i], column.name()))
        return false;
    }
    const Expr step = simplify(substitute(row.name(), row + 1, args[1]) - args[1]);
    if (!is_const_one(step))
      return false;
    for (size_t i = 2; i < args.size(); ++i) {
      if (expr_uses_var(args[i], row.name()))
        return false;
    }
  }
  return !calls.empty();
}

/// A product over gates (LoomToHalide.cpp, multiply_panels with a gate size): Halide (j, m, q, g), one update
/// stage per reduction.
bool is_gated_product(const Func &f) {
  return f.dimensions() == 4 && f.has_update_definition() && f.outputs() == 1 &&
         unsuffixed(f.name()).ends_with("_panel_product");
}

/// The Funcs from a gated product to the kernel outputs it reaches: its views by gate (n, m, g) and the
/// element-wise Funcs (n, m) of the step's gate math, and the outputs.
struct GatedEpilogue {
  std::vector<std::string> products;
  std::set<std::string> outputs;
  std::set<std::string> between;
};

/// Whether `args` are exactly `expected`, expression by expression.
bool same_args(const std::vector<Expr> &args, const std::vector<Expr> &expected) {
  if (args.size() != expected.size())
    return false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!Halide::Internal::equal(args[i], expected[i]))
      return false;
  }
  return true;
}

/// Whether the outputs of `epilogue` can share one loop nest (compute_with): no Func of the epilogue reads
/// an output, and the outputs name their dimensions alike (the code generator's copies do: d0, d1).
bool fusable(const GatedEpilogue &epilogue, const std::map<std::string, Func> &pipeline,
             const std::map<std::string, std::set<std::string>> &consumers) {
  std::vector<std::string> names;
  for (const std::string &output : epilogue.outputs) {
    std::vector<std::string> args;
    for (const Var &arg : pipeline.at(output).args())
      args.push_back(arg.name());
    if (names.empty())
      names = args;
    else if (args != names)
      return false;
    auto readers = consumers.find(output);
    if (readers == consumers.end())
      continue;
    for (const std::string &reader : readers->second) {
      if (epilogue.outputs.count(reader) || epilogue.between.count(reader))
        return false;
    }
  }
  return true;
}

/// The epilogue of gated product `product` when one tile of columns and rows of every output needs one
/// tile of the product, all gates: every Func between reads the product and each other at its own point
/// (the views at their column, row and gate, the element-wise Funcs at their column and row, a slice reads
/// a view at a constant gate), has one definition and the outputs' shape, and no output reads another.
/// Only Funcs in `live` (those the outputs read) count.
std::optional<GatedEpilogue> gated_epilogue(const Func &product, const std::map<std::string, Func> &pipeline,
                                            const std::map<std::string, std::set<std::string>> &consumers,
                                            const std::set<std::string> &outputs, const std::set<std::string> &live) {
  using namespace Halide::Internal;
  std::set<std::string> reached;
  std::vector<std::string> pending{product.name()};
  while (!pending.empty()) {
    const std::string name = pending.back();
    pending.pop_back();
    auto readers = consumers.find(name);
    if (readers == consumers.end())
      continue;
    for (const std::string &reader : readers->second) {
      if (live.count(reader) && reached.insert(reader).second)
        pending.push_back(reader);
    }
  }
  // Halide order: product (j, m, q, g), views (n, m, g), the others (n, m).
  const std::vector<int64_t> product_extents = estimated_extents(product);
  const int64_t columns = product_extents[2] * lower::kPanelWidth, rows = product_extents[1],
                gates = product_extents[3];
  GatedEpilogue epilogue;
  for (const std::string &name : reached) {
    const Func &f = pipeline.at(name);
    const bool view = f.dimensions() == 3, output = outputs.count(name) > 0;
    if (f.has_update_definition() || f.outputs() != 1 || (f.dimensions() != 2 && !view) || (view && output))
      return std::nullopt;
    const std::vector<int64_t> extents = estimated_extents(f);
    const std::vector<int64_t> expected_extents =
        view ? std::vector<int64_t>{columns, rows, gates} : std::vector<int64_t>{columns, rows};
    if (extents != expected_extents)
      return std::nullopt;
    const Expr n = f.args()[0], m = f.args()[1];
    auto in_epilogue = [&](const std::string &callee) { return callee == product.name() || reached.count(callee); };
    CallArguments calls(in_epilogue);
    f.value().accept(&calls);
    for (const std::vector<Expr> &args : calls.found) {
      bool pointwise = false;
      if (args.size() == 4) {
        pointwise = view && same_args(args, {n % lower::kPanelWidth, m, n / lower::kPanelWidth, f.args()[2]});
      } else if (args.size() == 3) {
        pointwise = equal(args[0], n) && equal(args[1], m) &&
                    (view ? equal(args[2], Expr(f.args()[2])) : args[2].as<IntImm>() != nullptr);
      } else {
        pointwise = !view && same_args(args, {n, m});
      }
      if (!pointwise)
        return std::nullopt;
    }
    (output ? epilogue.outputs : epilogue.between).insert(name);
  }
  if (epilogue.outputs.empty() || !fusable(epilogue, pipeline, consumers))
    return std::nullopt;
  epilogue.products.push_back(product.name());
  return epilogue;
}

/// The epilogues of gated products that reach the same Funcs (a GRU step's input and recurrent products,
/// both read by its gates) merged into one: all those products are computed per tile of the same
/// outputs. A merged epilogue that is not fusable does not qualify: its products are returned apart, each
/// with an epilogue without outputs (stored at root: schedule_gated_product_at_root).
std::vector<GatedEpilogue> merge_gated_epilogues(std::vector<GatedEpilogue> epilogues,
                                                 const std::map<std::string, Func> &pipeline,
                                                 const std::map<std::string, std::set<std::string>> &consumers) {
  auto overlap = [](const GatedEpilogue &a, const GatedEpilogue &b) {
    for (const std::set<std::string> *names : {&b.outputs, &b.between}) {
      for (const std::string &name : *names) {
        if (a.outputs.count(name) || a.between.count(name))
          return true;
      }
    }
    return false;
  };
  std::vector<GatedEpilogue> merged;
  while (!epilogues.empty()) {
    GatedEpilogue group = std::move(epilogues.back());
    epilogues.pop_back();
    for (bool grew = true; grew;) {
      grew = false;
      for (auto other = epilogues.begin(); other != epilogues.end();) {
        if (!overlap(group, *other)) {
          ++other;
          continue;
        }
        group.products.insert(group.products.end(), other->products.begin(), other->products.end());
        group.outputs.insert(other->outputs.begin(), other->outputs.end());
        group.between.insert(other->between.begin(), other->between.end());
        other = epilogues.erase(other);
        grew = true;
      }
    }
    merged.push_back(std::move(group));
  }
  std::vector<GatedEpilogue> result;
  for (GatedEpilogue &group : merged) {
    if (fusable(group, pipeline, consumers)) {
      result.push_back(std::move(group));
      continue;
    }
    for (const std::string &product : group.products)
      result.push_back(GatedEpilogue{{product}, {}, {}});
  }
  return result;
}

/// Whether the gated product's work (points times reduction iterations) is worth parallel tasks; a
/// product of one row tile needs twice the usual work (see schedule_panel_product).
bool gated_work_is_parallel(const Func &gated, int tile_rows) {
  const std::vector<int64_t> extents = estimated_extents(gated);
  int64_t iterations = 0;
  for (int update = 0; update < gated.num_update_definitions(); ++update)
    iterations += reduction_iterations(gated, update);
  const bool one_row_tile = extents[1] <= tile_rows;
  return product(extents) * iterations >= min_parallel_tasks * task_work * (one_row_tile ? 2 : 1);
}

/// Gated products whose epilogue qualifies (gated_epilogue, merge_gated_epilogues) run the whole step in one
/// loop nest, like the hand-written LSTM kernel (loom/lower/lstm.cpp): the outputs are tiled alike (a tile
/// = one panel's columns by the rows of gated_tile) and fused with compute_with; each product is computed
/// per tile with one accumulator set per gate; a Func between with several readers (an LSTM's new cell
/// state, read by h and by the c output) is computed per tile, the others are inlined. Tiles of columns
/// run in parallel when the work is large. Measured at the LSTM's T=50, B=64, I=H=512, where before the
/// gates were stored (64 x 2048) and read back by a parallel loop for c, a serial copy of c and a parallel
/// loop for h: see the commit log.
void schedule_gated_epilogue(const GatedEpilogue &epilogue, const std::map<std::string, Func> &pipeline,
                             const std::map<std::string, std::set<std::string>> &consumers,
                             const std::set<std::string> &live, const Halide::Target &target) {
  using namespace loom::lower;
  int gates = 1, rows = 1;
  bool parallel = false;
  const CpuTiling tiling = cpu_tiling(target);
  for (const std::string &name : epilogue.products) {
    const std::vector<int64_t> extents = estimated_extents(pipeline.at(name));
    gates = std::max(gates, static_cast<int>(extents[3]));
    rows = std::max(rows, static_cast<int>(extents[1]));
  }
  const PanelTile tile = gated_tile(tiling, gates, rows);
  for (const std::string &name : epilogue.products)
    parallel = parallel || gated_work_is_parallel(pipeline.at(name), tile.rows);
  const TileLoops loops;
  Func leader = pipeline.at(*epilogue.outputs.begin());
  for (const std::string &name : epilogue.outputs) {
    Func output = pipeline.at(name);
    // Static bounds (the generated code passes whole tensors) give every output of a tile the same min, so
    // the product's accumulators have constant indices and stay in registers.
    const std::vector<int64_t> extents = estimated_extents(output);
    output.compute_root()
        .bound(output.args()[0], 0, static_cast<int>(extents[0]))
        .bound(output.args()[1], 0, static_cast<int>(extents[1]));
    tile_output(output, output.args()[0], output.args()[1], {}, tile, tiling, loops);
    if (parallel)
      output.parallel(loops.tile_n);
    if (name != leader.name())
      output.compute_with(leader, loops.tile_m);
  }
  for (const std::string &name : epilogue.between) {
    Func f = pipeline.at(name);
    const std::set<std::string> &readers = consumers.at(name);
    auto is_live = [&](const std::string &reader) { return live.count(reader) > 0; };
    if (f.dimensions() == 2 && std::count_if(readers.begin(), readers.end(), is_live) > 1)
      f.compute_at(leader, loops.tile_m)
          .bound_extent(f.args()[0], tile.width)
          .bound_extent(f.args()[1], tile.rows)
          .vectorize(f.args()[0], tiling.lanes);
  }
  for (const std::string &name : epilogue.products) {
    Func product = pipeline.at(name);
    const std::vector<Var> args = product.args();
    schedule_gated_product(product, args[0], args[1], args[2], args[3],
                           static_cast<int>(estimated_extents(product)[3]), tile, tiling,
                           Halide::LoopLevel(leader, loops.tile_m));
  }
}

/// A gated product whose epilogue does not qualify is stored whole, gate by gate ([G, H/P, M, P]), by the
/// same tiles; its readers are scheduled as usual.
void schedule_gated_product_at_root(Func product, const Halide::Target &target) {
  using namespace loom::lower;
  const std::vector<int64_t> extents = estimated_extents(product);
  const int gates = static_cast<int>(extents[3]), rows = static_cast<int>(extents[1]);
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = gated_tile(tiling, gates, rows);
  const TileLoops loops;
  Func stored = product.in();
  const std::vector<Var> args = stored.args();
  stored.compute_root()
      .bound(args[0], 0, kPanelWidth)
      .bound(args[3], 0, gates)
      .split(args[0], loops.tile_n, loops.n_in_tile, tile.width)
      .split(loops.n_in_tile, loops.vector, loops.lane, tiling.lanes)
      .split(args[1], loops.tile_m, loops.row, tile.rows, Halide::TailStrategy::ShiftInwards)
      .reorder(loops.lane, loops.vector, args[3], loops.row, loops.tile_m, loops.tile_n, args[2])
      .vectorize(loops.lane)
      .unroll(loops.vector)
      .unroll(args[3]);
  if (gated_work_is_parallel(product, tile.rows))
    stored.parallel(args[2]);
  const std::vector<Var> product_args = product.args();
  schedule_gated_product(product, product_args[0], product_args[1], product_args[2], product_args[3], gates, tile,
                         tiling, Halide::LoopLevel(stored, loops.tile_m));
}

} // namespace

void schedule_cpu(const std::vector<HalideTensor> &funcs, const std::vector<HalideTensor> &outputs,
                  const Halide::Target &target) {
  std::map<std::string, Func> pipeline;
  std::set<std::string> output_names;
  auto collect = [&](const Func &f) {
    pipeline.emplace(f.name(), f);
    for (const auto &[name, function] : Halide::Internal::find_transitive_calls(f.function()))
      pipeline.emplace(name, Func(function));
  };
  for (const HalideTensor &t : funcs)
    collect(t.func);
  for (const HalideTensor &t : outputs) {
    collect(t.func);
    output_names.insert(t.func.name());
  }
  // Funcs that lower_op did not make (a code generator's copies into its output buffers) get their
  // estimates from their tensors' shapes, so that their loops are sized like the rest.
  for (const std::vector<HalideTensor> *tensors : {&funcs, &outputs}) {
    for (const HalideTensor &t : *tensors) {
      Func f = t.func;
      if (f.function().schedule().estimates().empty() && f.dimensions() > 0) {
        Halide::Region estimates;
        for (auto extent = t.shape.rbegin(); extent != t.shape.rend(); ++extent)
          estimates.push_back({0, static_cast<int>(*extent)});
        f.set_estimates(estimates);
      }
    }
  }

  // An ImageParam reads its buffer through a Func of its own (Halide 14); such Funcs are the kernel's
  // inputs, not producers: a Func that reads only them is a read of the inputs, inlined.
  auto reads_a_buffer = [](const Func &f) {
    if (f.has_update_definition() || f.outputs() != 1)
      return false;
    const auto *call = f.value().as<Halide::Internal::Call>();
    return call && call->call_type == Halide::Internal::Call::Image;
  };
  std::map<std::string, std::set<std::string>> consumers, producers;
  for (const auto &[name, f] : pipeline) {
    for (const auto &[callee, function] : Halide::Internal::find_direct_calls(f.function())) {
      if (callee != name && !reads_a_buffer(Func(function))) {
        consumers[callee].insert(name);
        producers[name].insert(callee);
      }
    }
  }

  std::set<std::string> products;
  for (auto &[name, f] : pipeline) {
    if (std::optional<Func> product = read_panel_product(f, pipeline, consumers))
      products.insert(product->name());
  }

  // Gated products (a step's gates computed tile by tile for all gates at once) and their epilogues, among
  // the Funcs the outputs read (lower_op leaves unread Funcs behind: a product folded into a sum).
  std::set<std::string> live = output_names;
  for (const HalideTensor &t : outputs) {
    for (const auto &[name, function] : Halide::Internal::find_transitive_calls(t.func.function()))
      live.insert(name);
  }
  std::vector<GatedEpilogue> qualified;
  std::vector<std::string> unqualified;
  for (const auto &[name, f] : pipeline) {
    if (!live.count(name) || !is_gated_product(f))
      continue;
    products.insert(name);
    if (std::optional<GatedEpilogue> epilogue = gated_epilogue(f, pipeline, consumers, output_names, live))
      qualified.push_back(std::move(*epilogue));
    else
      unqualified.push_back(name);
  }
  std::vector<GatedEpilogue> gated = merge_gated_epilogues(std::move(qualified), pipeline, consumers);
  for (const std::string &name : unqualified)
    gated.push_back(GatedEpilogue{{name}, {}, {}});
  std::set<std::string> gated_epilogue_funcs;
  for (const GatedEpilogue &epilogue : gated) {
    gated_epilogue_funcs.insert(epilogue.outputs.begin(), epilogue.outputs.end());
    gated_epilogue_funcs.insert(epilogue.between.begin(), epilogue.between.end());
  }

  auto is_stored = [&](const std::string &name) {
    const Func &f = pipeline.at(name);
    if (output_names.count(name) || f.has_update_definition())
      return true;
    // A view by gate reads a gated product or adds biases to another view: a load and an add.
    if (unsuffixed(name).ends_with("_by_gate"))
      return false;
    // A Func that only reads an input buffer at other indices (a reshape, a transpose) is a view of it.
    const bool view = producers[name].empty() && f.outputs() == 1 && f.value().as<Halide::Internal::Call>();
    const std::set<std::string> &readers = consumers[name];
    return !view && (readers.size() > 1 || (readers.size() == 1 && rereads(pipeline.at(*readers.begin()), name)));
  };

  std::map<std::string, Func> results; // matmul results, by name, with their products
  for (auto &[name, f] : pipeline) {
    if (std::optional<Func> product = read_panel_product(f, pipeline, consumers))
      results.emplace(name, *product);
  }

  // A matmul result read only through a chain of element-wise Funcs (a bias add, an activation, a
  // reshape of leading axes; see reads_column_by_column) up to one that is stored anyway is not stored
  // itself: that Func is stored tile by tile instead, each tile's product computed just before it, so
  // the epilogue runs on the tile while it is in registers and cache, in the product's parallel loop.
  // A Func stored inside the pipeline must then have whole tiles of columns (see tile_output).
  std::map<std::string, Func> fused; // the Func stored tile by tile -> its product
  std::set<std::string> fused_results;
  for (const auto &[result, product] : results) {
    std::string link = result;
    while (!output_names.count(link) && consumers[link].size() == 1) {
      const std::string &reader = *consumers[link].begin();
      const Func f = pipeline.at(reader);
      if (results.count(reader) || products.count(reader) || !reads_column_by_column(f, link))
        break;
      if (is_stored(reader)) {
        const std::vector<int64_t> extents = estimated_extents(f);
        const int64_t columns = extents[0], rows = extents[1];
        const lower::CpuTiling tiling = lower::cpu_tiling(target);
        const lower::PanelTile tile = lower::panel_tile(tiling, 1, static_cast<int>(columns), static_cast<int>(rows));
        // Beyond two dimensions, tiles cover rows of one outer index only (B rows of one step, not T x B
        // rows): that must not cost more than a sixteenth in rows computed twice by the last, shifted
        // tile (B = 64 and 128 pass; B = 1, 16 and 32 would recompute 12% or more, and a single row
        // would stream the whole right operand once per step).
        const int64_t spare_rows = (rows + tile.rows - 1) / tile.rows * tile.rows - rows;
        const bool whole_columns = output_names.count(reader) || columns % tile.columns() == 0;
        const bool few_spare_rows = f.dimensions() == 2 || (rows >= tiling.rows && spare_rows * 16 <= rows);
        // A Func that adds two products stores the tiles of the first; the second is stored whole.
        if (columns > 0 && rows > 0 && whole_columns && few_spare_rows && fused.emplace(reader, product).second)
          fused_results.insert(result);
        break;
      }
      link = reader;
    }
  }

  std::set<std::string> roots, panel_results;
  for (auto &[name, f] : pipeline) {
    if (products.count(name) || reads_a_buffer(f) || fused_results.count(name) || gated_epilogue_funcs.count(name))
      continue;
    const auto tiled = fused.find(name), result = results.find(name);
    if (tiled != fused.end() || result != results.end()) {
      const Func &product = tiled != fused.end() ? tiled->second : result->second;
      schedule_panel_product(f, product, output_names.count(name) > 0, target);
      panel_results.insert(name);
    } else if (is_stored(name)) {
      roots.insert(name);
    }
  }

  // The cost of a point of each inlined Func, counted once however many Funcs inline it.
  std::map<std::string, int64_t> inlined_costs;
  std::function<std::optional<int64_t>(const std::string &)> inlined_cost =
      [&](const std::string &name) -> std::optional<int64_t> {
    if (roots.count(name) || panel_results.count(name) || products.count(name) || !pipeline.count(name))
      return std::nullopt;
    if (auto known = inlined_costs.find(name); known != inlined_costs.end())
      return known->second;
    return inlined_costs[name] = point_cost(pipeline.at(name), inlined_cost);
  };
  for (const std::string &name : roots)
    schedule_root(pipeline.at(name), target, point_cost(pipeline.at(name), inlined_cost));
  for (const GatedEpilogue &epilogue : gated) {
    if (!epilogue.outputs.empty())
      schedule_gated_epilogue(epilogue, pipeline, consumers, live, target);
    else
      schedule_gated_product_at_root(pipeline.at(epilogue.products.front()), target);
  }
}

} // namespace loom::conversion
