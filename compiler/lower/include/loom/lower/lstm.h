// Fused per-step LSTM kernels (PyTorch conventions, gate order i,f,g,o). The caller drives the time loop
// (runtime/include/loom/runtime/recurrent_loop.h); each step is one call in which every index is a pure
// variable, so the hidden dimension vectorizes.
#pragma once

#include "loom/lower/kernel.h"
#include "loom/lower/shapes.h"

namespace loom::lower {

// One forward step: pre = gates_in + h_prev w_hh^T, i,f,o = sigmoid, g = tanh, c = f c_prev + i g,
// h = o tanh(c). Only B and H of the shape matter. P = kPanelWidth, Hp = panel_count(H).
//   gates_in (H, 4, B) = [B,4H] this step's input projection (biases included),
//   h_prev (H, B), c_prev (H, B), w_panels (4P, H, Hp) from recurrent_forward_weight_panels
//   ->  h (H, B), c (H, B), gates (H, 4, B) = [B,4H] activated gates, saved for the backward step.
Kernel lstm_step_forward(const RecurrentShape& shape, const Halide::Target& target);

// One backward step, t = T-1 down to 0. With dh_t = dh + dh_next and dc_t = dc_next + dh_t o (1 - tanh(c)^2):
// dgates = (dc_t g i(1-i), dc_t c_prev f(1-f), dc_t i (1-g^2), dh_t tanh(c) o(1-o)), dc_prev = dc_t f and
// dh_prev = dgates w_hh.
//   dh (H, B) upstream gradient of h_t, dh_next (H, B) and dc_next (H, B) from step t+1,
//   gates (H, 4, B) and c (H, B) saved at step t, c_prev (H, B), w_panels (P, 4H, Hp) from
//   recurrent_backward_weight_panels  ->  dgates (H, 4, B), dh_prev (H, B), dc_prev (H, B).
Kernel lstm_step_backward(const RecurrentShape& shape, const Halide::Target& target);

}  // namespace loom::lower
