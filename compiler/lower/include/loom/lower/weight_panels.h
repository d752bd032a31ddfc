// Packing of the recurrent weight w_hh into the panel layouts the per-step kernels read (see kPanelWidth).
// Each runs once per sequence, outside the time loop, so the steps stream their weights contiguously.
#pragma once

#include "loom/lower/kernel.h"
#include "loom/lower/shapes.h"

namespace loom::lower {

// Panels of w_hh^T for the forward step, the G gate blocks of each panel side by side so that one tile of
// the step holds every gate of its hidden units. With P = kPanelWidth, G = gate_count(cell):
//   w_hh (H, G*H) = [G*H,H]  ->  panels (G*P, H, panel_count(H));
//   panels(g*P + i, r, p) = w_hh[g*H + p*P + i][r], zero past H.
Kernel recurrent_forward_weight_panels(const RecurrentShape& shape, RecurrentCell cell,
                                       const Halide::Target& target);

// Panels of w_hh for the backward step's dh_prev = dgates w_hh:
//   w_hh (H, G*H)  ->  panels (P, G*H, panel_count(H));  panels(i, j, p) = w_hh[j][p*P + i], zero past H.
Kernel recurrent_backward_weight_panels(const RecurrentShape& shape, RecurrentCell cell,
                                        const Halide::Target& target);

}  // namespace loom::lower
