// Kernels that pack w_hh into the panel layouts of the per-step kernels.
#include "loom/lower/weight_panels.h"

#include "loom/lower/panel_gemm.h"
#include "static_shape.h"

namespace loom::lower {

namespace {

std::string panels_name(const char* kind, const RecurrentShape& shape, RecurrentCell cell) {
  return std::string(cell == RecurrentCell::Lstm ? "lstm_" : "rnn_") + kind + "_h" + std::to_string(shape.H);
}

}  // namespace

Kernel recurrent_forward_weight_panels(const RecurrentShape& shape, RecurrentCell cell,
                                       const Halide::Target& target) {
  const std::string name = panels_name("forward_weight_panels", shape, cell);
  require_positive_sizes(name, {{"H", shape.H}});
  const int H = shape.H, G = gate_count(cell);
  Halide::ImageParam w_hh = static_input("w_hh", {H, G * H});
  Halide::Func panels = transposed_panels(w_hh, H, cpu_tiling(target), "w_panels");
  set_static_shape(panels.output_buffer(), {G * kPanelWidth, H, panel_count(H)});
  return {name, Halide::Pipeline(panels), {w_hh}};
}

Kernel recurrent_backward_weight_panels(const RecurrentShape& shape, RecurrentCell cell,
                                        const Halide::Target& target) {
  const std::string name = panels_name("backward_weight_panels", shape, cell);
  require_positive_sizes(name, {{"H", shape.H}});
  const int H = shape.H, G = gate_count(cell);
  Halide::ImageParam w_hh = static_input("w_hh", {H, G * H});
  Halide::Func panels = plain_panels(w_hh, H, G * H, cpu_tiling(target), "w_panels");
  set_static_shape(panels.output_buffer(), {kPanelWidth, G * H, panel_count(H)});
  return {name, Halide::Pipeline(panels), {w_hh}};
}

}  // namespace loom::lower
