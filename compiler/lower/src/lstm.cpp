// Fused per-step LSTM kernels: the recurrent GEMM, gate nonlinearities and state update in one pipeline.
#include "loom/lower/lstm.h"

#include "loom/lower/activations.h"
#include "loom/lower/panel_gemm.h"
#include "static_shape.h"

namespace loom::lower {

using Halide::Expr;
using Halide::Func;
using Halide::ImageParam;
using Halide::RDom;
using Halide::Var;

namespace {

constexpr int kGates = 4;

}  // namespace

Kernel lstm_step_forward(const RecurrentShape& shape, const Halide::Target& target) {
  const std::string name = step_name("lstm_step_forward", shape.B, shape.H);
  require_positive_sizes(name, {{"B", shape.B}, {"H", shape.H}});
  const int B = shape.B, H = shape.H, P = kPanelWidth, panels = panel_count(H);
  ImageParam gates_in = static_input("gates_in", {H, kGates, B});
  ImageParam h_prev = static_input("h_prev", {H, B});
  ImageParam c_prev = static_input("c_prev", {H, B});
  ImageParam w_panels = static_input("w_panels", {kGates * P, H, panels});

  // Algorithm. recurrent = h_prev w_hh^T, all four gates of a panel side by side.
  Var j("j"), b("b"), p("p"), k("k"), g("g");
  RDom r(0, H, "r");
  Func recurrent("recurrent");
  recurrent(j, b, p) = 0.0f;
  recurrent(j, b, p) += panel_at(w_panels, j, r, p, panels) * h_prev(r, b);
  auto pre = [&](const Expr& gate) { return gates_in(k, gate, b) + recurrent(gate * P + k % P, b, k / P); };
  const Expr i = sigmoid(pre(0)), f = sigmoid(pre(1)), cell = tanh_by_exp(pre(2)), o = sigmoid(pre(3));
  const Expr c_new = f * c_prev(k, b) + i * cell;
  Func h("h"), c("c"), gates("gates");
  h(k, b) = o * tanh_by_exp(c_new);
  c(k, b) = c_new;
  gates(k, g, b) = Halide::select(g == 2, tanh_by_exp(pre(g)), sigmoid(pre(g)));

  // Schedule. One tile = every gate of one panel of hidden units for a few batch rows; h, c and gates are
  // written from the tile's registers in one fused loop nest, tiles of hidden units in parallel.
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = panel_tile(tiling, kGates, H, B);
  const TileLoops loops;
  tile_output(h, k, b, {}, tile, tiling, loops);
  tile_output(c, k, b, {}, tile, tiling, loops);
  tile_output(gates, k, b, {g}, tile, tiling, loops);
  for (Func output : {h, c, gates}) output.parallel(loops.tile_n);
  c.compute_with(h, loops.tile_m);
  gates.compute_with(h, loops.tile_m);
  schedule_product(recurrent, j, b, p, tile, tiling, Halide::LoopLevel(h, loops.tile_m));
  set_static_shape(h.output_buffer(), {H, B});
  set_static_shape(c.output_buffer(), {H, B});
  set_static_shape(gates.output_buffer(), {H, kGates, B});

  return {name, Halide::Pipeline({h, c, gates}), {gates_in, h_prev, c_prev, w_panels}};
}

Kernel lstm_step_backward(const RecurrentShape& shape, const Halide::Target& target) {
  const std::string name = step_name("lstm_step_backward", shape.B, shape.H);
  require_positive_sizes(name, {{"B", shape.B}, {"H", shape.H}});
  const int B = shape.B, H = shape.H, P = kPanelWidth, panels = panel_count(H);
  ImageParam dh = static_input("dh", {H, B});
  ImageParam dh_next = static_input("dh_next", {H, B});
  ImageParam dc_next = static_input("dc_next", {H, B});
  ImageParam gates = static_input("gates", {H, kGates, B});
  ImageParam c_prev = static_input("c_prev", {H, B});
  ImageParam c = static_input("c", {H, B});
  ImageParam w_panels = static_input("w_panels", {P, kGates * H, panels});

  // Algorithm.
  Var k("k"), g("g"), b("b"), j("j"), p("p");
  const Expr i = gates(k, 0, b), f = gates(k, 1, b), cell = gates(k, 2, b), o = gates(k, 3, b);
  const Expr tanh_c = tanh_by_exp(c(k, b));
  const Expr dh_t = dh(k, b) + dh_next(k, b);
  const Expr dc_t = dc_next(k, b) + dh_t * o * (1.0f - tanh_c * tanh_c);
  Func dgates("dgates"), dc_prev("dc_prev"), dh_prev("dh_prev");
  dgates(k, g, b) = Halide::select(g == 0, dc_t * cell * i * (1.0f - i),
                                   g == 1, dc_t * c_prev(k, b) * f * (1.0f - f),
                                   g == 2, dc_t * i * (1.0f - cell * cell),
                                   dh_t * tanh_c * o * (1.0f - o));
  dc_prev(k, b) = dc_t * f;
  // dh_prev = dgates w_hh, reducing over the gate-major rows j = gate * H + unit of w_hh.
  RDom r(0, H, 0, kGates, "r");
  Func recurrent("recurrent");
  recurrent(j, b, p) = 0.0f;
  recurrent(j, b, p) += panel_at(w_panels, j, r.x + r.y * H, p, panels) * dgates(r.x, r.y, b);
  dh_prev(k, b) = recurrent(k % P, b, k / P);

  // Schedule. The elementwise gate gradients are one fused loop nest written to dgates; the GEMM then reads
  // them back, since an output cannot be computed inside another output's tiles.
  const CpuTiling tiling = cpu_tiling(target);
  const PanelTile tile = panel_tile(tiling, 1, H, B);
  const TileLoops loops;
  tile_output(dgates, k, b, {g}, tile, tiling, loops);
  tile_output(dc_prev, k, b, {}, tile, tiling, loops);
  tile_output(dh_prev, k, b, {}, tile, tiling, loops);
  for (Func output : {dgates, dc_prev, dh_prev}) output.parallel(loops.tile_n);
  dc_prev.compute_with(dgates, loops.tile_m);
  schedule_product(recurrent, j, b, p, tile, tiling, Halide::LoopLevel(dh_prev, loops.tile_m));
  set_static_shape(dgates.output_buffer(), {H, kGates, B});
  set_static_shape(dh_prev.output_buffer(), {H, B});
  set_static_shape(dc_prev.output_buffer(), {H, B});

  return {name, Halide::Pipeline({dgates, dh_prev, dc_prev}), {dh, dh_next, dc_next, gates, c_prev, c, w_panels}};
}

}  // namespace loom::lower
