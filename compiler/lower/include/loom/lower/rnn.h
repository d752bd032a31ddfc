// Fused per-step kernels of the vanilla tanh RNN (PyTorch's nn.RNN): h_t = tanh(x_t w_ih^T + b_ih +
// h_{t-1} w_hh^T + b_hh). As for the LSTM, the caller drives the time loop.
#pragma once

#include "loom/lower/kernel.h"
#include "loom/lower/shapes.h"

namespace loom::lower {

// One forward step; only B and H of the shape matter. P = kPanelWidth, Hp = panel_count(H).
//   pre_in (H, B) this step's input projection (biases included), h_prev (H, B),
//   w_panels (P, H, Hp) from recurrent_forward_weight_panels  ->  h (H, B)
Kernel rnn_step_forward(const RecurrentShape& shape, const Halide::Target& target);

// One backward step: dpre = (dh + dh_next) (1 - h^2), dh_prev = dpre w_hh.
//   dh (H, B) upstream gradient of h_t, dh_next (H, B) from step t+1, h (H, B) saved at step t,
//   w_panels (P, H, Hp) from recurrent_backward_weight_panels  ->  dpre (H, B), dh_prev (H, B)
Kernel rnn_step_backward(const RecurrentShape& shape, const Halide::Target& target);

}  // namespace loom::lower
