// The static shapes kernel builders take, and the packed weight-panel layout shared by the kernels that
// produce panels and the kernels that read them.
#pragma once

namespace loom::lower {

// A dense layer y[M,N] = x[M,K] w[N,K]^T + b[N]: M = rows (batch, or time x batch), K = input features,
// N = output features. PyTorch layout for w.
struct LinearShape {
  int M, K, N;
};

// A recurrent layer: T = time, B = batch, I = input size, H = hidden size. Sequences are time-major [T,B,*].
struct RecurrentShape {
  int T, B, I, H;
};

// Which recurrent cell; the gate count is the number of H-sized blocks in w_ih, w_hh and the biases.
enum class RecurrentCell { Tanh, Lstm };

constexpr int gate_count(RecurrentCell cell) { return cell == RecurrentCell::Lstm ? 4 : 1; }

// Weights are packed once per sequence into panels of kPanelWidth output columns: a GEMM tile then streams
// its panel contiguously instead of striding through the weight matrix (on the EPYC this moved the
// LSTM step from 70 to 115 GFLOP/s, the strided form touching a new page on every reduction step). The
// width is the same for every CPU target, so runtime dispatch between AVX2 and AVX-512 kernels can share
// one packed buffer; the last panel is padded with zeros.
inline constexpr int kPanelWidth = 16;

constexpr int panel_count(int columns) { return (columns + kPanelWidth - 1) / kPanelWidth; }

}  // namespace loom::lower
