// Naive LSTM, GRU and vanilla (tanh or relu) RNN layers over a whole sequence, forward and backward through
// time: the oracle for Loom's fused recurrent kernels. PyTorch parameter layout; LSTM gate order i,f,g,o, GRU r,z,n.
#pragma once

#include <algorithm>
#include <cmath>
#include <utility>

#include "loom/reference/common.h"

namespace loom::reference {

// T = time, B = batch, I = input size, H = hidden size. Sequences are time-major: x [T,B,I].
struct RecurrentShape { int T, B, I, H; };

// LSTM: w_ih [4H,I], w_hh [4H,H], b_ih [4H], b_hh [4H]. GRU: the same with 3H, RNN with H, instead of 4H.
template <typename F> struct RecurrentParams { Vec<F> w_ih, w_hh, b_ih, b_hh; };

template <typename F> struct LstmForward {
  Vec<F> h;      // [T,B,H]
  Vec<F> c;      // [T,B,H]
  Vec<F> gates;  // [T,B,4H], after activation, order i,f,g,o
};

template <typename F> struct GruForward {
  bool reset_after;     // the variant that produced it, which gru_backward follows
  Vec<F> h;             // [T,B,H]
  Vec<F> gates;         // [T,B,3H], after activation, order r,z,n
  // [T,B,H], n's recurrent term: W_hn h_{t-1} + b_hn, which r then scales, when reset_after;
  // W_hn (r * h_{t-1}) + b_hn otherwise. Backward reads it only when reset_after.
  Vec<F> recurrent_n;
};

// The vanilla RNN's nonlinearity, as torch.nn.RNN's `nonlinearity`.
enum class RnnActivation { Tanh, Relu };

template <typename F> struct RecurrentGradients {
  Vec<F> dx;        // [T,B,I]
  Vec<F> dh0, dc0;  // [B,H]; dc0 empty for the GRU and the RNN
  RecurrentParams<F> dparams;
};

namespace detail {

// G = rows of the gate pre-activations: 4H for the LSTM, H for the RNN.
template <typename F> void check_recurrent_inputs(const RecurrentShape& s, int G, const RecurrentParams<F>& p,
                                                  const Vec<F>& x, const Vec<F>& h0) {
  require_size(p.w_ih, std::size_t(G) * s.I, "w_ih");
  require_size(p.w_hh, std::size_t(G) * s.H, "w_hh");
  require_size(p.b_ih, std::size_t(G), "b_ih");
  require_size(p.b_hh, std::size_t(G), "b_hh");
  require_size(x, std::size_t(s.T) * s.B * s.I, "x");
  require_size(h0, std::size_t(s.B) * s.H, "h0");
}

// An empty upstream gradient means zeros, so callers need not build arrays for outputs they do not use.
template <typename F> Vec<F> zeros_if_empty(const Vec<F>& v, std::size_t n, const char* what) {
  if (v.empty()) return Vec<F>(n, F(0));
  require_size(v, n, what);
  return v;
}

template <typename F> RecurrentParams<F> zero_params_like(const RecurrentParams<F>& p) {
  return {Vec<F>(p.w_ih.size()), Vec<F>(p.w_hh.size()), Vec<F>(p.b_ih.size()), Vec<F>(p.b_hh.size())};
}

// One projection over a block of R weight rows (the GRU projects its n rows apart from r and z):
// out [B,R] (row stride out_stride) += in [B,K] w [R,K]^T + bias [R]
template <typename F>
void linear_forward(int B, int K, int R, const F* w, const F* bias, const F* in, F* out, int out_stride) {
  for (int b = 0; b < B; b++) {
    for (int j = 0; j < R; j++) {
      F acc = bias[j];
      for (int k = 0; k < K; k++) acc += in[b * K + k] * w[j * K + k];
      out[b * out_stride + j] += acc;
    }
  }
}

// Backward of linear_forward: given dout [B,R] (row stride dout_stride), accumulates into dw [R,K], dbias [R]
// and din [B,K].
template <typename F>
void linear_backward(int B, int K, int R, const F* w, const F* in, const F* dout, int dout_stride, F* dw,
                     F* dbias, F* din) {
  for (int b = 0; b < B; b++) {
    for (int j = 0; j < R; j++) {
      const F d = dout[b * dout_stride + j];
      dbias[j] += d;
      for (int k = 0; k < K; k++) {
        dw[j * K + k] += d * in[b * K + k];
        din[b * K + k] += d * w[j * K + k];
      }
    }
  }
}

// One step's affine part of the LSTM and the RNN:
// pre [B,G] = x_t [B,I] w_ih^T + h_prev [B,H] w_hh^T + b_ih + b_hh
template <typename F>
void recurrent_affine_forward(const RecurrentShape& s, int G, const RecurrentParams<F>& p, const F* x_t,
                              const F* h_prev, F* pre) {
  std::fill(pre, pre + std::size_t(s.B) * G, F(0));
  linear_forward(s.B, s.I, G, p.w_ih.data(), p.b_ih.data(), x_t, pre, G);
  linear_forward(s.B, s.H, G, p.w_hh.data(), p.b_hh.data(), h_prev, pre, G);
}

// Backward of recurrent_affine_forward: given dpre [B,G], accumulates into dparams, dx_t [B,I] and dh_prev [B,H].
template <typename F>
void recurrent_affine_backward(const RecurrentShape& s, int G, const RecurrentParams<F>& p, const F* x_t,
                               const F* h_prev, const F* dpre, RecurrentParams<F>& dparams, F* dx_t, F* dh_prev) {
  linear_backward(s.B, s.I, G, p.w_ih.data(), x_t, dpre, G, dparams.w_ih.data(), dparams.b_ih.data(), dx_t);
  linear_backward(s.B, s.H, G, p.w_hh.data(), h_prev, dpre, G, dparams.w_hh.data(), dparams.b_hh.data(), dh_prev);
}

}  // namespace detail

// i = sigmoid(pre_i), f = sigmoid(pre_f), g = tanh(pre_g), o = sigmoid(pre_o)
// c_t = f * c_{t-1} + i * g,  h_t = o * tanh(c_t)
template <typename F>
LstmForward<F> lstm_forward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x /* [T,B,I] */,
                            const Vec<F>& h0 /* [B,H] */, const Vec<F>& c0 /* [B,H] */) {
  const int B = s.B, H = s.H, G = 4 * H;
  detail::check_recurrent_inputs(s, G, p, x, h0);
  require_size(c0, std::size_t(B) * H, "c0");
  LstmForward<F> out{Vec<F>(std::size_t(s.T) * B * H), Vec<F>(std::size_t(s.T) * B * H),
                     Vec<F>(std::size_t(s.T) * B * G)};
  for (int t = 0; t < s.T; t++) {
    const F* h_prev = t == 0 ? h0.data() : &out.h[std::size_t(t - 1) * B * H];
    const F* c_prev = t == 0 ? c0.data() : &out.c[std::size_t(t - 1) * B * H];
    F* gates = &out.gates[std::size_t(t) * B * G];
    F* h = &out.h[std::size_t(t) * B * H];
    F* c = &out.c[std::size_t(t) * B * H];
    detail::recurrent_affine_forward(s, G, p, &x[std::size_t(t) * B * s.I], h_prev, gates);
    for (int b = 0; b < B; b++) {
      F* gb = gates + b * G;
      for (int k = 0; k < H; k++) {
        const F i = sigmoid(gb[k]), f = sigmoid(gb[H + k]), g = std::tanh(gb[2 * H + k]),
                o = sigmoid(gb[3 * H + k]);
        gb[k] = i;
        gb[H + k] = f;
        gb[2 * H + k] = g;
        gb[3 * H + k] = o;
        c[b * H + k] = f * c_prev[b * H + k] + i * g;
        h[b * H + k] = o * std::tanh(c[b * H + k]);
      }
    }
  }
  return out;
}

// dh: gradient w.r.t. every h_t [T,B,H] (zeros where unused); dh_last/dc_last: extra gradient w.r.t. the final
// state [B,H]. Any of the three may be empty, meaning zeros.
template <typename F>
RecurrentGradients<F> lstm_backward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x,
                                    const Vec<F>& h0, const Vec<F>& c0, const LstmForward<F>& fwd, const Vec<F>& dh,
                                    const Vec<F>& dh_last, const Vec<F>& dc_last) {
  const int B = s.B, H = s.H, G = 4 * H;
  const std::size_t state = std::size_t(B) * H;
  detail::check_recurrent_inputs(s, G, p, x, h0);
  require_size(c0, state, "c0");
  require_size(fwd.h, s.T * state, "fwd.h");
  require_size(fwd.c, s.T * state, "fwd.c");
  require_size(fwd.gates, std::size_t(s.T) * B * G, "fwd.gates");
  const Vec<F> dh_all = detail::zeros_if_empty(dh, s.T * state, "dh");
  RecurrentGradients<F> grads{Vec<F>(x.size()), Vec<F>(), Vec<F>(), detail::zero_params_like(p)};
  // Gradients flowing into h_t and c_t from step t+1 (from the caller at the last step).
  Vec<F> dh_next = detail::zeros_if_empty(dh_last, state, "dh_last");
  Vec<F> dc_next = detail::zeros_if_empty(dc_last, state, "dc_last");
  Vec<F> dpre(std::size_t(B) * G);
  for (int t = s.T - 1; t >= 0; t--) {
    const F* c_prev = t == 0 ? c0.data() : &fwd.c[(t - 1) * state];
    const F* h_prev = t == 0 ? h0.data() : &fwd.h[(t - 1) * state];
    const F* gates = &fwd.gates[std::size_t(t) * B * G];
    const F* c = &fwd.c[t * state];
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        const int n = b * H + k;
        const F i = gates[b * G + k], f = gates[b * G + H + k], g = gates[b * G + 2 * H + k],
                o = gates[b * G + 3 * H + k];
        const F tanh_c = std::tanh(c[n]);
        const F dh_t = dh_all[t * state + n] + dh_next[n];
        const F dc_t = dc_next[n] + dh_t * o * (F(1) - tanh_c * tanh_c);
        dpre[b * G + k] = dc_t * g * i * (F(1) - i);
        dpre[b * G + H + k] = dc_t * c_prev[n] * f * (F(1) - f);
        dpre[b * G + 2 * H + k] = dc_t * i * (F(1) - g * g);
        dpre[b * G + 3 * H + k] = dh_t * tanh_c * o * (F(1) - o);
        dc_next[n] = dc_t * f;
      }
    }
    // dh_next was fully read above; it now collects the gradient for h_{t-1}.
    dh_next.assign(state, F(0));
    detail::recurrent_affine_backward(s, G, p, &x[std::size_t(t) * B * s.I], h_prev, dpre.data(), grads.dparams,
                                      &grads.dx[std::size_t(t) * B * s.I], dh_next.data());
  }
  grads.dh0 = std::move(dh_next);
  grads.dc0 = std::move(dc_next);
  return grads;
}

// r = sigmoid(x_t W_ir^T + b_ir + h_{t-1} W_hr^T + b_hr), z likewise with the z rows,
// the new gate n = tanh(x_t W_in^T + b_in + r * (h_{t-1} W_hn^T + b_hn))  when reset_after (PyTorch, cuDNN)
//           or n = tanh(x_t W_in^T + b_in + (r * h_{t-1}) W_hn^T + b_hn)  otherwise (Cho et al.),
// h_t = (1 - z) * n + z * h_{t-1}. Returns every h_t and what gru_backward needs.
template <typename F>
GruForward<F> gru_forward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x /* [T,B,I] */,
                          const Vec<F>& h0 /* [B,H] */, bool reset_after) {
  const int B = s.B, H = s.H, G = 3 * H;
  const std::size_t state = std::size_t(B) * H;
  detail::check_recurrent_inputs(s, G, p, x, h0);
  GruForward<F> out{reset_after, Vec<F>(s.T * state), Vec<F>(std::size_t(s.T) * B * G), Vec<F>(s.T * state)};
  // The n rows of w_hh and b_hh, and r * h_{t-1} [B,H], their input when the reset comes first.
  const F* w_hn = p.w_hh.data() + std::size_t(2) * H * H;
  const F* b_hn = p.b_hh.data() + 2 * H;
  Vec<F> reset_h(state);
  for (int t = 0; t < s.T; t++) {
    const F* h_prev = t == 0 ? h0.data() : &out.h[(t - 1) * state];
    F* gates = &out.gates[std::size_t(t) * B * G];
    F* recurrent_n = &out.recurrent_n[t * state];
    F* h = &out.h[t * state];
    // Pre-activations, added onto out's zeros: the r and z rows take both projections, the n rows only the
    // input's, since their recurrent term depends on the variant.
    detail::linear_forward(B, s.I, G, p.w_ih.data(), p.b_ih.data(), &x[std::size_t(t) * B * s.I], gates, G);
    detail::linear_forward(B, H, 2 * H, p.w_hh.data(), p.b_hh.data(), h_prev, gates, G);
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        gates[b * G + k] = sigmoid(gates[b * G + k]);
        gates[b * G + H + k] = sigmoid(gates[b * G + H + k]);
        if (!reset_after) reset_h[b * H + k] = gates[b * G + k] * h_prev[b * H + k];
      }
    }
    detail::linear_forward(B, H, H, w_hn, b_hn, reset_after ? h_prev : reset_h.data(), recurrent_n, H);
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        const int n = b * H + k;
        const F r = gates[b * G + k], z = gates[b * G + H + k];
        const F recurrent = reset_after ? r * recurrent_n[n] : recurrent_n[n];
        const F new_gate = std::tanh(gates[b * G + 2 * H + k] + recurrent);
        gates[b * G + 2 * H + k] = new_gate;
        h[n] = (F(1) - z) * new_gate + z * h_prev[n];
      }
    }
  }
  return out;
}

// dh: gradient w.r.t. every h_t [T,B,H]; dh_last: extra gradient w.r.t. h_{T-1} [B,H]. Either may be empty,
// meaning zeros. The variant is fwd's.
template <typename F>
RecurrentGradients<F> gru_backward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x,
                                   const Vec<F>& h0, const GruForward<F>& fwd, const Vec<F>& dh,
                                   const Vec<F>& dh_last) {
  const int B = s.B, H = s.H, G = 3 * H;
  const std::size_t state = std::size_t(B) * H;
  detail::check_recurrent_inputs(s, G, p, x, h0);
  require_size(fwd.h, s.T * state, "fwd.h");
  require_size(fwd.gates, std::size_t(s.T) * B * G, "fwd.gates");
  require_size(fwd.recurrent_n, s.T * state, "fwd.recurrent_n");
  const Vec<F> dh_all = detail::zeros_if_empty(dh, s.T * state, "dh");
  RecurrentGradients<F> grads{Vec<F>(x.size()), Vec<F>(), Vec<F>(), detail::zero_params_like(p)};
  const std::size_t hn_offset = std::size_t(2) * H * H;
  const F* w_hn = p.w_hh.data() + hn_offset;
  F* dw_hn = grads.dparams.w_hh.data() + hn_offset;
  F* db_hn = grads.dparams.b_hh.data() + 2 * H;
  // Gradient flowing into h_t from step t+1 (from the caller at the last step).
  Vec<F> dh_next = detail::zeros_if_empty(dh_last, state, "dh_last");
  Vec<F> dh_t(state), dpre(std::size_t(B) * G), drecurrent_n(state), reset_h(state), dreset_h(state);
  for (int t = s.T - 1; t >= 0; t--) {
    const F* h_prev = t == 0 ? h0.data() : &fwd.h[(t - 1) * state];
    const F* gates = &fwd.gates[std::size_t(t) * B * G];
    const F* recurrent_n = &fwd.recurrent_n[t * state];
    for (std::size_t n = 0; n < state; n++) dh_t[n] = dh_all[t * state + n] + dh_next[n];
    // dh_next was fully read above; it now collects the gradient for h_{t-1}.
    dh_next.assign(state, F(0));
    // dpre [B,3H]: gradients w.r.t. the gate pre-activations, which are also those w.r.t. x_t's projection.
    // The r rows wait, under reset-first, until the n rows' backward has given d(r * h_{t-1}).
    for (int b = 0; b < B; b++) {
      for (int k = 0; k < H; k++) {
        const int n = b * H + k;
        const F r = gates[b * G + k], z = gates[b * G + H + k], new_gate = gates[b * G + 2 * H + k];
        const F dnew_pre = dh_t[n] * (F(1) - z) * (F(1) - new_gate * new_gate);
        dpre[b * G + H + k] = dh_t[n] * (h_prev[n] - new_gate) * z * (F(1) - z);
        dpre[b * G + 2 * H + k] = dnew_pre;
        dh_next[n] = dh_t[n] * z;
        if (fwd.reset_after) {
          dpre[b * G + k] = dnew_pre * recurrent_n[n] * r * (F(1) - r);
          drecurrent_n[n] = dnew_pre * r;
        } else {
          drecurrent_n[n] = dnew_pre;
          reset_h[n] = r * h_prev[n];
        }
      }
    }
    if (fwd.reset_after) {
      detail::linear_backward(B, H, H, w_hn, h_prev, drecurrent_n.data(), H, dw_hn, db_hn, dh_next.data());
    } else {
      dreset_h.assign(state, F(0));
      detail::linear_backward(B, H, H, w_hn, reset_h.data(), drecurrent_n.data(), H, dw_hn, db_hn,
                              dreset_h.data());
      for (int b = 0; b < B; b++) {
        for (int k = 0; k < H; k++) {
          const int n = b * H + k;
          const F r = gates[b * G + k];
          dpre[b * G + k] = dreset_h[n] * h_prev[n] * r * (F(1) - r);
          dh_next[n] += dreset_h[n] * r;
        }
      }
    }
    detail::linear_backward(B, H, 2 * H, p.w_hh.data(), h_prev, dpre.data(), G, grads.dparams.w_hh.data(),
                            grads.dparams.b_hh.data(), dh_next.data());
    detail::linear_backward(B, s.I, G, p.w_ih.data(), &x[std::size_t(t) * B * s.I], dpre.data(), G,
                            grads.dparams.w_ih.data(), grads.dparams.b_ih.data(),
                            &grads.dx[std::size_t(t) * B * s.I]);
  }
  grads.dh0 = std::move(dh_next);
  return grads;
}

// h_t = act(x_t w_ih^T + b_ih + h_{t-1} w_hh^T + b_hh), act tanh or relu; returns h [T,B,H].
template <typename F>
Vec<F> rnn_forward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x /* [T,B,I] */,
                   const Vec<F>& h0 /* [B,H] */, RnnActivation activation = RnnActivation::Tanh) {
  const std::size_t state = std::size_t(s.B) * s.H;
  detail::check_recurrent_inputs(s, s.H, p, x, h0);
  Vec<F> h(s.T * state);
  for (int t = 0; t < s.T; t++) {
    const F* h_prev = t == 0 ? h0.data() : &h[(t - 1) * state];
    F* h_t = &h[t * state];
    detail::recurrent_affine_forward(s, s.H, p, &x[std::size_t(t) * s.B * s.I], h_prev, h_t);
    for (std::size_t n = 0; n < state; n++) {
      h_t[n] = activation == RnnActivation::Tanh ? std::tanh(h_t[n]) : std::max(h_t[n], F(0));
    }
  }
  return h;
}

// dh: gradient w.r.t. every h_t [T,B,H]; dh_last: extra gradient w.r.t. h_{T-1} [B,H]. Either may be empty,
// meaning zeros. `activation` must be the forward's. Relu's derivative is taken as 0 at 0, as PyTorch does.
template <typename F>
RecurrentGradients<F> rnn_backward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x,
                                   const Vec<F>& h0, const Vec<F>& h /* forward output */, const Vec<F>& dh,
                                   const Vec<F>& dh_last, RnnActivation activation = RnnActivation::Tanh) {
  const std::size_t state = std::size_t(s.B) * s.H;
  detail::check_recurrent_inputs(s, s.H, p, x, h0);
  require_size(h, s.T * state, "h");
  const Vec<F> dh_all = detail::zeros_if_empty(dh, s.T * state, "dh");
  RecurrentGradients<F> grads{Vec<F>(x.size()), Vec<F>(), Vec<F>(), detail::zero_params_like(p)};
  Vec<F> dh_next = detail::zeros_if_empty(dh_last, state, "dh_last");
  Vec<F> dpre(state);
  for (int t = s.T - 1; t >= 0; t--) {
    const F* h_prev = t == 0 ? h0.data() : &h[(t - 1) * state];
    for (std::size_t n = 0; n < state; n++) {
      const F h_t = h[t * state + n];
      const F local = activation == RnnActivation::Tanh ? F(1) - h_t * h_t : F(h_t > F(0));
      dpre[n] = (dh_all[t * state + n] + dh_next[n]) * local;
    }
    dh_next.assign(state, F(0));
    detail::recurrent_affine_backward(s, s.H, p, &x[std::size_t(t) * s.B * s.I], h_prev, dpre.data(),
                                      grads.dparams, &grads.dx[std::size_t(t) * s.B * s.I], dh_next.data());
  }
  grads.dh0 = std::move(dh_next);
  return grads;
}

}  // namespace loom::reference
