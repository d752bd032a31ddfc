// The register-tiled GEMM every Loom CPU kernel is built around, with its per-target schedule:
//   product(j, m, p) = sum_r lhs(r, m) * panels(j, r, p)
// Panel p holds output columns p*P .. p*P+P-1 (P = kPanelWidth) of each of the panel's gate blocks, so
// column n of gate block g is product(g*P + n % P, m, n / P). The product is computed per output tile,
// with the whole tile's accumulators in vector registers, and consumed there by the fused epilogue.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"
#include "loom/lower/shapes.h"

namespace loom::lower {

// Register tiling for one CPU target.
struct CpuTiling {
  int lanes;             // floats per vector register
  int vectors_per_pass;  // accumulator vectors per tile row in one pass over the reduction
  int rows;              // tile rows; each row's lhs value is broadcast once per reduction step
};

CpuTiling cpu_tiling(const Halide::Target& target);

// The shape of one output tile, for a given output and tiling.
struct PanelTile {
  int width;       // columns of one panel: gates * kPanelWidth
  int panels;      // panels per tile
  int pass_width;  // panel columns accumulated per pass over the reduction (wide LSTM panels need passes)
  int rows;        // rows per tile
  int columns() const { return panels * kPanelWidth; }
};

// columns = output columns per gate block, rows = output rows.
PanelTile panel_tile(const CpuTiling& tiling, int gates, int columns, int rows);

// The tile of a product over gates (schedule_gated_product): one panel's columns of each of `gates` gates
// and as many rows as the target's accumulator registers allow, at most the plain tile's and `rows`, or
// up to two fewer where that computes fewer rows past the end. AVX-512 holds one vector per gate: up to 6
// rows for an LSTM's 4 gates (24 accumulators, like the plain tile) and for a GRU's 3 (8 rows were 5-10%
// slower), 4 at 64 or 32 rows. AVX2 needs two ymm per gate: 1 row for an LSTM, 2 for a GRU. (A half
// panel per tile would read column n of the product at n % P over a tile that Halide cannot prove stays
// within one panel.)
PanelTile gated_tile(const CpuTiling& tiling, int gates, int rows);

// Reads panel p clamped to the last one: a tile of several panels may overhang the end of the output.
Halide::Expr panel_at(const Halide::Func& panels, const Halide::Expr& j, const Halide::Expr& r,
                      const Halide::Expr& p, int panel_count);

// Packs w^T for out = lhs w^T, w = [gates*columns, reduction] given as w(r, row): panel(g*P + i, r, p)
// = w[g*columns + p*P + i][r], zero past columns; the output buffer's extent sets the gate count. The
// result is scheduled at root.
Halide::Func transposed_panels(const Halide::Func& w, int columns, const CpuTiling& tiling, const std::string& name);

// Packs w for out = lhs w, w = [reduction, columns] given as w(c, r): panel(i, r, p) = w[r][p*P + i], zero
// past columns. The result is scheduled at root.
Halide::Func plain_panels(const Halide::Func& w, int columns, int reduction, const CpuTiling& tiling,
                          const std::string& name);

// Packs the lhs rows of a product whose lhs is read down a column, lhs(row, r) = w[r][row] given as
// w(row, r): panel(i, r, t) = w[r][t*panel_rows + i], zero past rows. Each reduction step then reads one
// tile's rows contiguously instead of one cache line and page per step (dweight = dy^T x, with a stride
// of 4H floats between steps, ran at half the speed). Read it as panel(m % panel_rows, r, m / panel_rows)
// from row tiles that start at multiples of panel_rows (tile_output with guarded rows). Scheduled at root.
Halide::Func row_panels(const Halide::Func& w, int rows, int reduction, int panel_rows, const std::string& name);

// Computes product (pure vars j, m, p) per output tile at `at`. Each update stage is one reduction (its
// RDom's dimensions, outermost last) accumulated into the same tile: a sum of products such as x W_ih^T +
// h W_hh^T runs its reductions one after the other on the same registers.
void schedule_product(Halide::Func product, const Halide::Var& j, const Halide::Var& m, const Halide::Var& p,
                      const PanelTile& tile, const CpuTiling& tiling, const Halide::LoopLevel& at);

// Computes a product over gates (pure vars j, m, q, g: column j of panel q of gate g at row m; LoomToHalide's
// gated products) per output tile at `at`: tile.width columns of one panel for every gate, all
// accumulators in registers, one update stage per reduction as in schedule_product.
void schedule_gated_product(Halide::Func product, const Halide::Var& j, const Halide::Var& m, const Halide::Var& q,
                            const Halide::Var& g, int gates, const PanelTile& tile, const CpuTiling& tiling,
                            const Halide::LoopLevel& at);

// The loop names of an output tiled by tile_output; Funcs fused with compute_with must share them.
struct TileLoops {
  Halide::Var tile_n{"tile_n"}, n_in_tile{"n_in_tile"}, vector{"vector"}, lane{"lane"};
  Halide::Var tile_m{"tile_m"}, row{"row"};
};

// Splits output f over columns n and rows m into tiles of tile.columns() x tile.rows, vector lanes innermost,
// then `between` (e.g. the gate index, unrolled), then rows; the tile loops (tile_m inside tile_n) stay
// outermost for the caller to parallelize. Columns past the end are guarded unless column_tail says
// otherwise; the last row tile shifts inwards (recomputing a few rows) unless row_tail says otherwise.
//
// A Func stored inside the pipeline should round its columns up (TailStrategy::RoundUp, its bound a
// whole number of tiles) rather than guard them: Halide 14's vectorizer can drop the guard of a tile's
// last vectors when the column tile loop has a constant extent, and the stores of the overhanging
// tile then land in the first tile (seen on [1, 256] x [256, 112] with 64-column tiles).
void tile_output(Halide::Func f, const Halide::Var& n, const Halide::Var& m, const std::vector<Halide::Var>& between,
                 const PanelTile& tile, const CpuTiling& tiling, const TileLoops& loops,
                 Halide::TailStrategy row_tail = Halide::TailStrategy::ShiftInwards,
                 Halide::TailStrategy column_tail = Halide::TailStrategy::GuardWithIf);

// For whole-matrix GEMMs: groups row tiles into blocks (tile_m stays the innermost tile loop) and runs
// (column tile, row block) pairs in parallel, so a task reuses its panel across the block's rows.
void parallelize_row_blocks(Halide::Func f, const TileLoops& loops);

}  // namespace loom::lower
