// Dense-layer GEMM kernels, forward and backward, also used for the whole-sequence parts of recurrent
// layers (the input projection of all time steps and the weight and input gradients after BPTT).
#pragma once

#include "loom/lower/kernel.h"
#include "loom/lower/shapes.h"

namespace loom::lower {

// Buffers are row-major arrays, given to Halide innermost dimension first; each kernel's doc lists its
// arguments in call order as name (Halide extents) = row-major shape.

// y = x w^T + bias.
//   x (K, M) = [M,K], weight (K, N) = [N,K], bias (N)  ->  y (N, M) = [M,N]
Kernel linear_forward(const LinearShape& shape, const Halide::Target& target);

// dx = dy w, the gradient of linear_forward with respect to its input.
//   dy (N, M), weight (K, N)  ->  dx (K, M)
Kernel linear_backward_data(const LinearShape& shape, const Halide::Target& target);

// dweight = dy^T x and, with with_bias, dbias = the column sums of dy.
//   dy (N, M), x (K, M)  ->  dweight (K, N) [, dbias (N)]
Kernel linear_backward_weights(const LinearShape& shape, bool with_bias, const Halide::Target& target);

// The input projection of every time step at once: gates_in = x w_ih^T + b_ih + b_hh, with G = gate_count.
//   x (I, T*B) = [T,B,I], w_ih (I, G*H), b_ih (G*H), b_hh (G*H)  ->  gates_in (G*H, T*B) = [T,B,G*H]
Kernel recurrent_input_projection(const RecurrentShape& shape, RecurrentCell cell, const Halide::Target& target);

}  // namespace loom::lower
