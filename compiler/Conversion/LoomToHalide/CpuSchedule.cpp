// Loom's default CPU schedule: which Funcs of a kernel are stored and how their loops run. The choice is
// made from the Funcs' structure (updates, consumers, how each consumer indexes its producers) and the
// extent estimates lower_op() sets, so it needs no knowledge of which op made a Func. The numbers in the
// comments were measured with Halide 14's JIT on this project's development machine: an AMD EPYC with
// AVX-512, two cores shared with other jobs, medians of 50 to 200 runs.
#include "CpuSchedule.h"

#include <algorithm>
#include <functional>
#include <map>
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

void schedule_root(Func f, const Halide::Target &target) {
  f.compute_root();
  if (f.dimensions() == 0)
    return;
  const std::vector<int64_t> extents = estimated_extents(f);
  const int width = vector_width(target, f.output_types().front(), extents.front());
  if (width > 1)
    f.vectorize(f.args().front(), width, Halide::TailStrategy::GuardWithIf);
  if (f.dimensions() >= 2)
    parallelize(f, f.args().back(), extents.back(), product(extents));
  for (int i = 0; i < f.num_update_definitions(); ++i)
    schedule_update(f, i, width, extents);
}

/// The 2-D reduction that `f` only copies, point for point, when `f` is its one reader and the
/// reduction updates each point in place: how lower_op writes a matmul (the sum, and the result that
/// stores it).
std::optional<Func> copied_reduction(const Func &f, const std::map<std::string, Func> &pipeline,
                                     const std::map<std::string, std::set<std::string>> &consumers) {
  if (f.has_update_definition() || f.dimensions() != 2 || f.outputs() != 1)
    return std::nullopt;
  const auto *call = f.value().as<Halide::Internal::Call>();
  if (!call || call->call_type != Halide::Internal::Call::Halide || !pipeline.count(call->name) ||
      consumers.at(call->name).size() != 1 || call->args.size() != 2)
    return std::nullopt;
  for (int d = 0; d < f.dimensions(); ++d) {
    const auto *v = call->args[d].as<Halide::Internal::Variable>();
    if (!v || v->name != f.args()[d].name())
      return std::nullopt;
  }
  Func reduction = pipeline.at(call->name);
  if (reduction.num_update_definitions() != 1 || reduction.dimensions() != 2)
    return std::nullopt;
  // A sum updates every point where it stands (sum(n, m) += ...); a scatter writes at computed
  // indices and is not a product.
  const std::vector<Expr> update_args = reduction.update_args(0);
  for (int d = 0; d < reduction.dimensions(); ++d) {
    const auto *v = update_args[d].as<Halide::Internal::Variable>();
    if (!v || v->name != reduction.args()[d].name())
      return std::nullopt;
  }
  return reduction;
}

/// Rows of a product tile, whose columns are two vectors when the product is that wide: 2 x 8
/// accumulators on AVX-512 (32 vector registers), 2 x 6 on AVX2 (16).
int tile_rows(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512) ? 8 : 6;
}

/// Stores a matmul: `result` is computed at root tile by tile, and each tile's sum is computed into a
/// small buffer just before it, the k loop outside the unrolled tile so the accumulators stay in
/// registers. Tiles shift inwards at the edges (recomputing a few points), which measured 1.5-2x faster
/// than guarding each point; bounding `result` to its whole shape keeps the shifted tiles inside it even
/// when its readers need only part of it.
///
/// GFLOP/s of x [M, K] times a PyTorch-layout weight [N, K]:
///   M x K x N        sum at root, n vectorized  tiles on AVX-512  tiles on AVX2
///   128 x 28 x 512          46-58                    180-195          100-103
///   128 x 128 x 512         51-55                    115-134           79-84
///   3584 x 28 x 512         50-52                    184-204          104-108
///   37 x 45 x 133            22                      107-119           68-75
///   128 x 512 x 10            3                       50-60             45
/// Other AVX-512 tiles (vectors x rows: 1 x 8, 1 x 12, 2 x 4, 2 x 6, 3 x 4) were no better overall; 1 x 8
/// reached 291 on the 3584-row product but 46 on the 37-row one. On AVX2, 2 x 4 and 3 x 4 came close
/// to 2 x 6, and 1 x 8 and 1 x 12 were slower.
void schedule_product(Func result, Func sum, const Halide::Target &target) {
  const std::vector<int64_t> extents = estimated_extents(result);
  const int64_t columns_size = extents[0], rows_size = extents[1];
  if (columns_size < 1 || rows_size < 1) {
    schedule_root(result, target);
    schedule_root(sum, target);
    return;
  }
  const Var n = result.args()[0], m = result.args()[1];
  const Halide::RVar k = sum.rvars(0).front();
  Var n_tile, m_tile, n_in, m_in;
  const int width = vector_width(target, result.output_types().front(), columns_size);
  const int columns = columns_size >= 2 * width ? 2 * width : width;
  const int rows = static_cast<int>(std::min<int64_t>(tile_rows(target), rows_size));
  result.compute_root()
      .bound(n, 0, static_cast<int>(columns_size))
      .bound(m, 0, static_cast<int>(rows_size))
      .tile(n, m, n_tile, m_tile, n_in, m_in, columns, rows);
  sum.compute_at(result, n_tile);
  Halide::Stage update = sum.update();
  update.reorder(n, m, k);
  if (width > 1) {
    result.vectorize(n_in, width);
    sum.vectorize(n, width);
    update.vectorize(n, width);
  }
  result.unroll(n_in).unroll(m_in);
  sum.unroll(n).unroll(m);
  update.unroll(n).unroll(m);
  const int64_t bands = (rows_size + rows - 1) / rows;
  parallelize(result, m_tile, bands, columns_size * rows_size * reduction_iterations(sum, 0));
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

  std::map<std::string, std::set<std::string>> consumers, producers;
  for (const auto &[name, f] : pipeline) {
    for (const auto &[callee, function] : Halide::Internal::find_direct_calls(f.function())) {
      if (callee != name) {
        consumers[callee].insert(name);
        producers[name].insert(callee);
      }
    }
  }

  std::set<std::string> product_sums;
  for (auto &[name, f] : pipeline) {
    if (std::optional<Func> sum = copied_reduction(f, pipeline, consumers))
      product_sums.insert(sum->name());
  }

  for (auto &[name, f] : pipeline) {
    if (product_sums.count(name))
      continue;
    if (std::optional<Func> sum = copied_reduction(f, pipeline, consumers)) {
      schedule_product(f, *sum, target);
      continue;
    }
    bool root = output_names.count(name) || f.has_update_definition();
    if (!root && !producers[name].empty()) {
      const std::set<std::string> &readers = consumers[name];
      root = readers.size() > 1 ||
             (readers.size() == 1 && rereads(pipeline.at(*readers.begin()), name));
    }
    if (root)
      schedule_root(f, target);
  }
}

} // namespace loom::conversion
