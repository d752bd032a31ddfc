// Fused per-step kernels of the vanilla tanh RNN.
#include "loom/lower/rnn.h"

#include "loom/lower/activations.h"
#include "loom/lower/panel_gemm.h"
#include "static_shape.h"

namespace loom::lower {

using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::Var;

Kernel rnn_step_forward(const RecurrentShape& shape, const Halide::Target& target) {
  const std::string name = step_name("rnn_step_forward", shape.B, shape.H);
  require_positive_sizes(name, {{"B", shape.B}, {"H", shape.H}});
  const int B = shape.B, H = shape.H, P = kPanelWidth, panels = panel_count(H);
  ImageParam pre_in = static_input("pre_in", {H, B});
  ImageParam h_prev = static_input("h_prev", {H, B});
  ImageParam w_panels = static_input("w_panels", {P, H, panels});

  // Algorithm.
  Var j("j"), b("b"), p("p"), k("k");
  RDom r(0, H, "r");
  Func recurrent("recurrent"), h("h");
  recurrent(j, b, p) = 0.0f;
  recurrent(j, b, p) += panel_at(w_panels, j, r, p, panels) * h_prev(r, b);
  h(k, b) = tanh_by_exp(pre_in(k, b) + recurrent(k % P, b, k / P));

  // Schedule: register tiles of hidden units x batch rows, hidden tiles in parallel.
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = panel_tile(tiling, 1, H, B);
  const TileLoops loops;
  tile_output(h, k, b, {}, tile, tiling, loops);
  h.parallel(loops.tile_n);
  schedule_product(recurrent, j, b, p, tile, tiling, Halide::LoopLevel(h, loops.tile_m));
  set_static_shape(h.output_buffer(), {H, B});

  return {name, Halide::Pipeline(h), {pre_in, h_prev, w_panels}};
}

Kernel rnn_step_backward(const RecurrentShape& shape, const Halide::Target& target) {
  const std::string name = step_name("rnn_step_backward", shape.B, shape.H);
  require_positive_sizes(name, {{"B", shape.B}, {"H", shape.H}});
  const int B = shape.B, H = shape.H, P = kPanelWidth, panels = panel_count(H);
  ImageParam dh = static_input("dh", {H, B});
  ImageParam dh_next = static_input("dh_next", {H, B});
  ImageParam h = static_input("h", {H, B});
  ImageParam w_panels = static_input("w_panels", {P, H, panels});

  // Algorithm.
  Var j("j"), b("b"), p("p"), k("k");
  RDom r(0, H, "r");
  Func dpre("dpre"), recurrent("recurrent"), dh_prev("dh_prev");
  dpre(k, b) = (dh(k, b) + dh_next(k, b)) * (1.0f - h(k, b) * h(k, b));
  recurrent(j, b, p) = 0.0f;
  recurrent(j, b, p) += panel_at(w_panels, j, r, p, panels) * dpre(r, b);
  dh_prev(k, b) = recurrent(k % P, b, k / P);

  // Schedule: dpre is an output, so it is written first and the GEMM reads it back.
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = panel_tile(tiling, 1, H, B);
  const TileLoops loops;
  tile_output(dpre, k, b, {}, tile, tiling, loops);
  tile_output(dh_prev, k, b, {}, tile, tiling, loops);
  dpre.parallel(loops.tile_n);
  dh_prev.parallel(loops.tile_n);
  schedule_product(recurrent, j, b, p, tile, tiling, Halide::LoopLevel(dh_prev, loops.tile_m));
  set_static_shape(dpre.output_buffer(), {H, B});
  set_static_shape(dh_prev.output_buffer(), {H, B});

  return {name, Halide::Pipeline({dpre, dh_prev}), {dh, dh_next, h, w_panels}};
}

}  // namespace loom::lower
