// Whole-matrix GEMM kernels: dense layers forward and backward, and the recurrent input projection.
#include "loom/lower/linear.h"

#include "loom/lower/panel_gemm.h"
#include "static_shape.h"

namespace loom::lower {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::Var;

namespace {

std::string linear_name(const char* kind, const LinearShape& shape) {
  return std::string(kind) + "_m" + std::to_string(shape.M) + "_k" + std::to_string(shape.K) + "_n" +
         std::to_string(shape.N);
}

// out[M,N] = x[M,K] weight[N,K]^T + the sum of the biases: the algorithm and schedule of linear_forward
// and of the recurrent input projection, which differ only in names and bias count.
Kernel affine(const std::string& name, const LinearShape& shape, const Halide::Target& target,
              const std::string& x_name, const std::string& weight_name, const std::vector<std::string>& bias_names,
              const std::string& out_name) {
  require_positive_sizes(name, {{"M", shape.M}, {"K", shape.K}, {"N", shape.N}});
  const int M = shape.M, K = shape.K, N = shape.N, panels = panel_count(N);
  const CpuTiling tiling = cpu_tiling(target);
  ImageParam x = static_input(x_name, {K, M});
  ImageParam weight = static_input(weight_name, {K, N});
  std::vector<Halide::Argument> arguments{x, weight};

  // Algorithm.
  Var j("j"), m("m"), p("p"), n("n");
  RDom r(0, K, "r");
  Func weight_panels = transposed_panels(weight, N, tiling, weight_name + "_panels");
  Func product("product"), out(out_name);
  product(j, m, p) = 0.0f;
  product(j, m, p) += panel_at(weight_panels, j, r, p, panels) * x(r, m);
  Expr value = product(n % kPanelWidth, m, n / kPanelWidth);
  for (const std::string& bias_name : bias_names) {
    ImageParam bias = static_input(bias_name, {N});
    value += bias(n);
    arguments.push_back(bias);
  }
  out(n, m) = value;

  // Schedule.
  const PanelTile tile = panel_tile(tiling, 1, N, M);
  const TileLoops loops;
  tile_output(out, n, m, {}, tile, tiling, loops);
  parallelize_row_blocks(out, loops);
  schedule_product(product, j, m, p, tile, tiling, Halide::LoopLevel(out, loops.tile_m));
  set_static_shape(out.output_buffer(), {N, M});
  return {name, Halide::Pipeline(out), arguments};
}

}  // namespace

Kernel linear_forward(const LinearShape& shape, const Halide::Target& target) {
  return affine(linear_name("linear_forward", shape), shape, target, "x", "weight", {"bias"}, "y");
}

Kernel recurrent_input_projection(const RecurrentShape& shape, RecurrentCell cell, const Halide::Target& target) {
  const std::string name = std::string(cell == RecurrentCell::Lstm ? "lstm" : "rnn") + "_input_projection_t" +
                           std::to_string(shape.T) + "_b" + std::to_string(shape.B) + "_i" +
                           std::to_string(shape.I) + "_h" + std::to_string(shape.H);
  const LinearShape gemm{shape.T * shape.B, shape.I, gate_count(cell) * shape.H};
  return affine(name, gemm, target, "x", "w_ih", {"b_ih", "b_hh"}, "gates_in");
}

Kernel linear_backward_data(const LinearShape& shape, const Halide::Target& target) {
  const std::string name = linear_name("linear_backward_data", shape);
  require_positive_sizes(name, {{"M", shape.M}, {"K", shape.K}, {"N", shape.N}});
  const int M = shape.M, K = shape.K, N = shape.N, panels = panel_count(K);
  const CpuTiling tiling = cpu_tiling(target);
  ImageParam dy = static_input("dy", {N, M});
  ImageParam weight = static_input("weight", {K, N});

  // Algorithm.
  Var j("j"), m("m"), p("p"), k("k");
  RDom r(0, N, "r");
  Func weight_panels = plain_panels(weight, K, N, tiling, "weight_panels");
  Func product("product"), dx("dx");
  product(j, m, p) = 0.0f;
  product(j, m, p) += panel_at(weight_panels, j, r, p, panels) * dy(r, m);
  dx(k, m) = product(k % kPanelWidth, m, k / kPanelWidth);

  // Schedule.
  const PanelTile tile = panel_tile(tiling, 1, K, M);
  const TileLoops loops;
  tile_output(dx, k, m, {}, tile, tiling, loops);
  parallelize_row_blocks(dx, loops);
  schedule_product(product, j, m, p, tile, tiling, Halide::LoopLevel(dx, loops.tile_m));
  set_static_shape(dx.output_buffer(), {K, M});
  return {name, Halide::Pipeline(dx), {dy, weight}};
}

Kernel linear_backward_weights(const LinearShape& shape, bool with_bias, const Halide::Target& target) {
  const std::string name = linear_name(with_bias ? "linear_backward_weights_bias" : "linear_backward_weights", shape);
  require_positive_sizes(name, {{"M", shape.M}, {"K", shape.K}, {"N", shape.N}});
  const int M = shape.M, K = shape.K, N = shape.N, panels = panel_count(K);
  const CpuTiling tiling = cpu_tiling(target);
  ImageParam dy = static_input("dy", {N, M});
  ImageParam x = static_input("x", {K, M});

  // Algorithm: dweight[N,K] has rows n and columns k, and reduces over the M rows of dy and x.
  Var j("j"), row("row"), p("p"), k("k"), n("n");
  RDom r(0, M, "r");
  const PanelTile tile = panel_tile(tiling, 1, K, N);
  Func x_panels = plain_panels(x, K, M, tiling, "x_panels");
  Func dy_rows = row_panels(dy, N, M, tile.rows, "dy_rows");
  Func product("product"), dweight("dweight");
  product(j, row, p) = 0.0f;
  product(j, row, p) += panel_at(x_panels, j, r, p, panels) * dy_rows(row % tile.rows, r, row / tile.rows);
  dweight(k, n) = product(k % kPanelWidth, n, k / kPanelWidth);

  // Schedule. Row tiles start at multiples of tile.rows, where dy_rows' panels do.
  const TileLoops loops;
  tile_output(dweight, k, n, {}, tile, tiling, loops, Halide::TailStrategy::GuardWithIf);
  parallelize_row_blocks(dweight, loops);
  schedule_product(product, j, row, p, tile, tiling, Halide::LoopLevel(dweight, loops.tile_m));
  set_static_shape(dweight.output_buffer(), {K, N});
  if (!with_bias) return {name, Halide::Pipeline(dweight), {dy, x}};

  // dbias = the column sums of dy, whole vectors of columns at a time. The sums accumulate in an internal
  // Func: Halide 14 assumes vector alignment for a reduction's loads from its own output buffer, and the
  // masked tail load then faulted on a caller's 16-byte aligned array.
  Func column_sums("column_sums"), dbias("dbias");
  column_sums(n) = 0.0f;
  column_sums(n) += dy(n, r);
  dbias(n) = column_sums(n);
  column_sums.compute_root().vectorize(n, tiling.lanes, Halide::TailStrategy::GuardWithIf);
  column_sums.update().reorder(n, r.x).vectorize(n, tiling.lanes, Halide::TailStrategy::GuardWithIf);
  dbias.vectorize(n, tiling.lanes, Halide::TailStrategy::GuardWithIf);
  set_static_shape(dbias.output_buffer(), {N});
  return {name, Halide::Pipeline({dweight, dbias}), {dy, x}};
}

}  // namespace loom::lower
