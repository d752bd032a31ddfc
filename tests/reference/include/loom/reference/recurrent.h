// Naive LSTM and vanilla (tanh) RNN layers over a whole sequence, forward and backward through time: the
// oracle for Loom's fused recurrent kernels. PyTorch parameter layout; LSTM gate order i,f,g,o.
#pragma once

#include <cmath>
#include <utility>

#include "loom/reference/common.h"

namespace loom::reference {

// T = time, B = batch, I = input size, H = hidden size. Sequences are time-major: x [T,B,I].
struct RecurrentShape { int T, B, I, H; };

// LSTM: w_ih [4H,I], w_hh [4H,H], b_ih [4H], b_hh [4H]. RNN: the same with H instead of 4H.
template <typename F> struct RecurrentParams { Vec<F> w_ih, w_hh, b_ih, b_hh; };

template <typename F> struct LstmForward {
  Vec<F> h;      // [T,B,H]
  Vec<F> c;      // [T,B,H]
  Vec<F> gates;  // [T,B,4H], after activation, order i,f,g,o
};

template <typename F> struct RecurrentGradients {
  Vec<F> dx;        // [T,B,I]
  Vec<F> dh0, dc0;  // [B,H]; dc0 empty for RNN
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

// One step's affine part, shared by both layers:
// pre [B,G] = x_t [B,I] w_ih^T + h_prev [B,H] w_hh^T + b_ih + b_hh
template <typename F>
void recurrent_affine_forward(const RecurrentShape& s, int G, const RecurrentParams<F>& p, const F* x_t,
                              const F* h_prev, F* pre) {
  for (int b = 0; b < s.B; b++) {
    for (int j = 0; j < G; j++) {
      F acc = p.b_ih[j] + p.b_hh[j];
      for (int i = 0; i < s.I; i++) acc += x_t[b * s.I + i] * p.w_ih[j * s.I + i];
      for (int k = 0; k < s.H; k++) acc += h_prev[b * s.H + k] * p.w_hh[j * s.H + k];
      pre[b * G + j] = acc;
    }
  }
}

// Backward of recurrent_affine_forward: given dpre [B,G], accumulates into dparams, dx_t [B,I] and dh_prev [B,H].
template <typename F>
void recurrent_affine_backward(const RecurrentShape& s, int G, const RecurrentParams<F>& p, const F* x_t,
                               const F* h_prev, const F* dpre, RecurrentParams<F>& dparams, F* dx_t, F* dh_prev) {
  for (int b = 0; b < s.B; b++) {
    for (int j = 0; j < G; j++) {
      const F d = dpre[b * G + j];
      dparams.b_ih[j] += d;
      dparams.b_hh[j] += d;
      for (int i = 0; i < s.I; i++) {
        dparams.w_ih[j * s.I + i] += d * x_t[b * s.I + i];
        dx_t[b * s.I + i] += d * p.w_ih[j * s.I + i];
      }
      for (int k = 0; k < s.H; k++) {
        dparams.w_hh[j * s.H + k] += d * h_prev[b * s.H + k];
        dh_prev[b * s.H + k] += d * p.w_hh[j * s.H + k];
      }
    }
  }
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

// h_t = tanh(x_t w_ih^T + b_ih + h_{t-1} w_hh^T + b_hh); returns h [T,B,H].
template <typename F>
Vec<F> rnn_forward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x /* [T,B,I] */,
                   const Vec<F>& h0 /* [B,H] */) {
  const std::size_t state = std::size_t(s.B) * s.H;
  detail::check_recurrent_inputs(s, s.H, p, x, h0);
  Vec<F> h(s.T * state);
  for (int t = 0; t < s.T; t++) {
    const F* h_prev = t == 0 ? h0.data() : &h[(t - 1) * state];
    F* h_t = &h[t * state];
    detail::recurrent_affine_forward(s, s.H, p, &x[std::size_t(t) * s.B * s.I], h_prev, h_t);
    for (std::size_t n = 0; n < state; n++) h_t[n] = std::tanh(h_t[n]);
  }
  return h;
}

// dh: gradient w.r.t. every h_t [T,B,H]; dh_last: extra gradient w.r.t. h_{T-1} [B,H]. Either may be empty,
// meaning zeros.
template <typename F>
RecurrentGradients<F> rnn_backward(const RecurrentShape& s, const RecurrentParams<F>& p, const Vec<F>& x,
                                   const Vec<F>& h0, const Vec<F>& h /* forward output */, const Vec<F>& dh,
                                   const Vec<F>& dh_last) {
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
      dpre[n] = (dh_all[t * state + n] + dh_next[n]) * (F(1) - h_t * h_t);
    }
    dh_next.assign(state, F(0));
    detail::recurrent_affine_backward(s, s.H, p, &x[std::size_t(t) * s.B * s.I], h_prev, dpre.data(),
                                      grads.dparams, &grads.dx[std::size_t(t) * s.B * s.I], dh_next.data());
  }
  grads.dh0 = std::move(dh_next);
  return grads;
}

}  // namespace loom::reference
