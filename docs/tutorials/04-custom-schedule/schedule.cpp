// Lesson 4's schedule: the tagger's head, [1600, 128] x [128, 2], computed a tile of rows at a time
// with vectors along the rows instead of along the columns (of which there are only two).
#include "loom/dsl/Schedule.h"

using Halide::Func, Halide::RVar, Halide::Var;

LOOM_SCHEDULE(step_tagger_tuned, forward_kernel5, kernel) {
  Func states = kernel.func("reshape_0");               // states(k, m): unit k of row m
  Func product = kernel.func("matmul_1_panel_product"); // product(j, m, p): column 16 p + j of row m
  Func logits = kernel.output(0);                       // logits(j, m): the head's output
  const int lanes = kernel.target().natural_vector_size<float>();
  Var j = logits.args()[0], m = logits.args()[1], tile("tile");

  // Tiles of `lanes` rows in parallel, a vector of rows per column. (An output's size is its
  // caller's buffer's: bound() promises Halide two columns, so that their loop can be unrolled.)
  logits.bound(j, 0, 2).split(m, tile, m, lanes).reorder(j, m, tile).vectorize(m).unroll(j).parallel(tile);
  // The tile's states, transposed: a vector holds one unit of every row of the tile.
  Var k = states.args()[0], row = states.args()[1];
  states.compute_at(logits, tile).reorder_storage(row, k).reorder(row, k).vectorize(row);
  // The tile's product, a vector of rows per column, summed over the units with both in registers.
  Var pj = product.args()[0], pm = product.args()[1], pp = product.args()[2];
  RVar units = product.rvars(0)[0];
  product.compute_at(logits, tile).reorder(pm, pj, pp).vectorize(pm).unroll(pj);
  product.update().reorder(pm, pj, units, pp).vectorize(pm).unroll(pj);
}
