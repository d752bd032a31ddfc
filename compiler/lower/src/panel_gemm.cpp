// The register-tiled panel GEMM and its per-target schedule.
#include "loom/lower/panel_gemm.h"

#include <algorithm>

namespace loom::lower {

using Halide::Expr;
using Halide::Func;
using Halide::TailStrategy;
using Halide::Var;

// One schedule for all CPU targets, with these register tiles. Measured per core (kernel CPU time; the
// machine was shared) on the 2-core AMD EPYC (Zen 5, FMA peak about 225 GFLOP/s per core with zmm, half
// with ymm) at the LSTM shapes T=50, B=64, I=512, H=512:
//   AVX-512, 6 rows x 4 vectors (24 zmm accumulators; 4 panel loads and 6 broadcasts per 24 FMAs): input
//   projection 205 GFLOP/s, forward step 170, backward step 183, dx 207, dw_hh 178. 8 rows (32
//   accumulators) spilled and fell to 88 on two cores.
//   AVX2, 6 rows x 2 vectors (12 of the 16 ymm registers): 96, 86, 88, 109, 98.
CpuTiling cpu_tiling(const Halide::Target& target) {
  if (target.has_feature(Halide::Target::AVX512)) return {16, 4, 6};
  return {8, 2, 6};
}

PanelTile panel_tile(const CpuTiling& tiling, int gates, int columns, int rows) {
  const int width = gates * kPanelWidth;
  const int pass_columns = tiling.lanes * tiling.vectors_per_pass;
  PanelTile tile{width, 1, width, std::min(tiling.rows, rows)};
  if (width >= pass_columns) {
    tile.pass_width = pass_columns;
  } else {
    tile.panels = std::min(pass_columns / width, panel_count(columns));
  }
  return tile;
}

PanelTile gated_tile(const CpuTiling& tiling, int gates, int rows) {
  const int per_row = std::max(gates, 1) * (kPanelWidth / tiling.lanes);
  const int most = std::clamp(tiling.vectors_per_pass * tiling.rows / per_row, 1, tiling.rows);
  // Of the two tallest tiles and one shorter, the one that computes the fewest rows past the end (tiles
  // are shifted inwards, so those rows are computed twice): at 64 rows, 4 rows (64) rather than 6 (66).
  int best = std::min(most, rows);
  auto computed = [&](int r) { return (rows + r - 1) / r * r; };
  for (int r = best - 1; r >= std::max(1, most - 2); --r) {
    if (computed(r) < computed(best)) best = r;
  }
  return {kPanelWidth, 1, kPanelWidth, best};
}

Expr panel_at(const Func& panels, const Expr& j, const Expr& r, const Expr& p, int panel_count) {
  return panels(j, r, Halide::min(p, panel_count - 1));
}

Func transposed_panels(const Func& w, int columns, const CpuTiling& tiling, const std::string& name) {
  Func panels(name);
  Var j("j"), r("r"), p("p"), block("block"), lane("lane");
  const Expr gate = j / kPanelWidth;
  const Expr column = p * kPanelWidth + j % kPanelWidth;
  panels(j, r, p) = Halide::select(column < columns, w(r, gate * columns + Halide::min(column, columns - 1)), 0.0f);
  // A transpose: the vector loads gather along w's rows. It runs once per sequence, not per step.
  panels.compute_root().split(j, block, lane, tiling.lanes).vectorize(lane).parallel(p);
  return panels;
}

Func plain_panels(const Func& w, int columns, int reduction, const CpuTiling& tiling, const std::string& name) {
  Func padded = Halide::BoundaryConditions::constant_exterior(w, 0.0f, {{0, columns}, {0, reduction}});
  Func panels(name);
  Var i("i"), r("r"), p("p");
  panels(i, r, p) = padded(p * kPanelWidth + i, r);
  panels.compute_root().vectorize(i, tiling.lanes).parallel(p);
  return panels;
}

Func row_panels(const Func& w, int rows, int reduction, int panel_rows, const std::string& name) {
  Func padded = Halide::BoundaryConditions::constant_exterior(w, 0.0f, {{0, rows}, {0, reduction}});
  Func panels(name);
  Var i("i"), r("r"), t("t"), r_block("r_block"), r_in("r_in"), t_block("t_block"), t_in("t_in");
  panels(i, r, t) = padded(t * panel_rows + i, r);
  // Blocks of 64 reduction rows x 32 panels: the reads stay within 64 pages and reuse each cache line for
  // neighbouring panels, the writes are contiguous runs.
  panels.compute_root()
      .split(r, r_block, r_in, 64, TailStrategy::GuardWithIf)
      .split(t, t_block, t_in, 32, TailStrategy::GuardWithIf)
      .reorder(i, r_in, t_in, r_block, t_block)
      .unroll(i)
      .parallel(t_block);
  return panels;
}

namespace {

// One tile dimension of a product beyond its columns and rows: a panel or gate index with its extent.
struct TileAxis {
  Var var;
  int extent;
};

void schedule_tile_product(Func product, const Var& j, const Var& m, const std::vector<TileAxis>& axes,
                           const PanelTile& tile, const CpuTiling& tiling, const Halide::LoopLevel& at) {
  // Constant extents let every accumulator be unrolled into its own register.
  product.compute_at(at).align_bounds(j, tile.width).bound_extent(j, tile.width).bound_extent(m, tile.rows);
  for (const TileAxis& axis : axes) product.align_bounds(axis.var, axis.extent).bound_extent(axis.var, axis.extent);
  Var vector("vector"), lane("lane");
  product.split(j, vector, lane, tiling.lanes).vectorize(lane).unroll(vector).unroll(m);
  for (const TileAxis& axis : axes) product.unroll(axis.var);

  for (int update = 0; update < product.num_update_definitions(); ++update) {
    Var pass("pass"), in_pass("in_pass");
    std::vector<Halide::VarOrRVar> order{lane, vector, m};
    for (const TileAxis& axis : axes) order.push_back(axis.var);
    for (const Halide::RVar& r : product.rvars(update)) order.push_back(r);
    order.push_back(pass);
    Halide::Stage stage = product.update(update);
    stage.split(j, pass, in_pass, tile.pass_width)
        .split(in_pass, vector, lane, tiling.lanes)
        .reorder(order)
        .vectorize(lane)
        .unroll(vector)
        .unroll(m)
        .unroll(pass);
    for (const TileAxis& axis : axes) stage.unroll(axis.var);
  }
}

}  // namespace

void schedule_product(Func product, const Var& j, const Var& m, const Var& p, const PanelTile& tile,
                      const CpuTiling& tiling, const Halide::LoopLevel& at) {
  schedule_tile_product(product, j, m, {{p, tile.panels}}, tile, tiling, at);
}

void schedule_gated_product(Func product, const Var& j, const Var& m, const Var& q, const Var& g, int gates,
                            const PanelTile& tile, const CpuTiling& tiling, const Halide::LoopLevel& at) {
  schedule_tile_product(product, j, m, {{q, 1}, {g, gates}}, tile, tiling, at);
}

void tile_output(Func f, const Var& n, const Var& m, const std::vector<Var>& between, const PanelTile& tile,
                 const CpuTiling& tiling, const TileLoops& loops, TailStrategy row_tail, TailStrategy column_tail) {
  std::vector<Halide::VarOrRVar> order{loops.lane, loops.vector};
  order.insert(order.end(), between.begin(), between.end());
  order.insert(order.end(), {loops.row, loops.tile_m, loops.tile_n});
  f.split(n, loops.tile_n, loops.n_in_tile, tile.columns(), column_tail)
      .split(loops.n_in_tile, loops.vector, loops.lane, tiling.lanes)
      .split(m, loops.tile_m, loops.row, tile.rows, row_tail)
      .reorder(order)
      .vectorize(loops.lane)
      .unroll(loops.vector);
  for (const Var& v : between) f.unroll(v);
}

void parallelize_row_blocks(Func f, const TileLoops& loops) {
  // 16 tiles of 6 rows keep a block of a 512-wide lhs (196 KB) and one panel (128 KB) in the 1 MB L2.
  constexpr int kTilesPerBlock = 16;
  Var row_block("row_block"), task("task");
  f.split(loops.tile_m, row_block, loops.tile_m, kTilesPerBlock, TailStrategy::GuardWithIf)
      .reorder(loops.tile_m, loops.tile_n, row_block)
      .fuse(loops.tile_n, row_block, task)
      .parallel(task);
}

}  // namespace loom::lower
