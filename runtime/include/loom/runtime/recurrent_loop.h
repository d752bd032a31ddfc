// Time-loop drivers for Loom's fused recurrent kernels (DESIGN.md placement (a)): generated code passes the
// AOT kernels of one layer, made by loom-kernelgen's lstm_layer / rnn_layer builders, and row-major arrays.
// Also the views the kernels take.
//
// Threads: every kernel runs its parallel loops on Halide's thread pool, sized by HL_NUM_THREADS or
// halide_set_num_threads() (default: one thread per core). Between kernels and steps idle workers spin
// briefly and then sleep on a condition variable (halide_threads.h says how long), so per-step
// synchronisation does not keep spinning on a shared machine.
#pragma once

#include <array>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>
#include <utility>

#include "HalideRuntime.h"
#include "loom/runtime/halide_errors.h"

namespace loom {

// A dense row-major float array seen as a halide_buffer_t, extents innermost first: a row-major [T,B,I]
// array is {I, B, T}. A view never owns memory; kernels only read their input views.
class BufferView {
 public:
  BufferView(const float* data, std::initializer_list<int> extents) {
    buffer_.host = reinterpret_cast<uint8_t*>(const_cast<float*>(data));
    buffer_.type = halide_type_t(halide_type_float, 32);
    buffer_.dimensions = static_cast<int32_t>(extents.size());
    buffer_.dim = dims_.data();
    int stride = 1;
    std::size_t d = 0;
    for (int extent : extents) {
      dims_.at(d++) = halide_dimension_t(0, extent, stride);
      stride *= extent;
    }
  }
  BufferView(const BufferView& other) : buffer_(other.buffer_), dims_(other.dims_) { buffer_.dim = dims_.data(); }
  BufferView& operator=(const BufferView&) = delete;

  halide_buffer_t* get() { return &buffer_; }

 private:
  halide_buffer_t buffer_{};
  std::array<halide_dimension_t, 4> dims_{};
};

namespace recurrent {

// T = time, B = batch, I = input size, H = hidden size. Sequences are time-major row-major: x [T,B,I].
struct Shape {
  int T, B, I, H;
};

// PyTorch layout with G = 4 gate blocks (i,f,g,o) for the LSTM, 1 for the RNN:
// w_ih [G*H,I], w_hh [G*H,H], b_ih [G*H], b_hh [G*H].
struct Weights {
  const float *w_ih, *w_hh, *b_ih, *b_hh;
};

// Same layout; the backward drivers overwrite them (they do not accumulate).
struct WeightGradients {
  float *w_ih, *w_hh, *b_ih, *b_hh;
};

// Must equal loom::lower::kPanelWidth, the column count of the packed w_hh panels.
inline constexpr int kWeightPanelWidth = 16;

// Floats of the packed w_hh workspace (forward or backward; both hold the same count) for G gate blocks.
constexpr std::size_t weight_panel_floats(const Shape& shape, int gates) {
  const std::size_t panels = (shape.H + kWeightPanelWidth - 1) / kWeightPanelWidth;
  return std::size_t(gates) * shape.H * kWeightPanelWidth * panels;
}

using Buffer = halide_buffer_t*;

// The kernels of one LSTM layer shape; parameter names give each kernel's arguments in call order.
struct LstmKernels {
  int (*input_projection)(Buffer x, Buffer w_ih, Buffer b_ih, Buffer b_hh, Buffer gates_in);
  int (*forward_weight_panels)(Buffer w_hh, Buffer w_panels);
  int (*step_forward)(Buffer gates_in, Buffer h_prev, Buffer c_prev, Buffer w_panels, Buffer h, Buffer c,
                      Buffer gates);
  int (*backward_weight_panels)(Buffer w_hh, Buffer w_panels);
  int (*step_backward)(Buffer dh, Buffer dh_next, Buffer dc_next, Buffer gates, Buffer c_prev, Buffer c,
                       Buffer w_panels, Buffer dgates, Buffer dh_prev, Buffer dc_prev);
  int (*input_weight_gradients)(Buffer dgates, Buffer x, Buffer dw_ih, Buffer db);
  int (*hidden_weight_gradients)(Buffer dgates, Buffer h_prev, Buffer dw_hh);
  int (*input_gradients)(Buffer dgates, Buffer w_ih, Buffer dx);
};

// The kernels of one tanh RNN layer shape.
struct RnnKernels {
  int (*input_projection)(Buffer x, Buffer w_ih, Buffer b_ih, Buffer b_hh, Buffer pre_in);
  int (*forward_weight_panels)(Buffer w_hh, Buffer w_panels);
  int (*step_forward)(Buffer pre_in, Buffer h_prev, Buffer w_panels, Buffer h);
  int (*backward_weight_panels)(Buffer w_hh, Buffer w_panels);
  int (*step_backward)(Buffer dh, Buffer dh_next, Buffer h, Buffer w_panels, Buffer dpre, Buffer dh_prev);
  int (*input_weight_gradients)(Buffer dpre, Buffer x, Buffer dw_ih, Buffer db);
  int (*hidden_weight_gradients)(Buffer dpre, Buffer h_prev, Buffer dw_hh);
  int (*input_gradients)(Buffer dpre, Buffer w_ih, Buffer dx);
};

// The kernels loom-kernelgen generates for "<prefix>=lstm_layer:..." (or rnn_layer), with run-time
// dispatch, or one target's variants, e.g. LOOM_LSTM_KERNEL_VARIANTS(my_lstm, avx2).
#define LOOM_DETAIL_LAYER_KERNELS(Kernels, prefix, suffix)                                               \
  ::loom::recurrent::Kernels {                                                                           \
    prefix##_input_projection##suffix, prefix##_forward_weight_panels##suffix, prefix##_step_forward##suffix, \
        prefix##_backward_weight_panels##suffix, prefix##_step_backward##suffix,                        \
        prefix##_input_weight_gradients##suffix, prefix##_hidden_weight_gradients##suffix,              \
        prefix##_input_gradients##suffix                                                                 \
  }
#define LOOM_LSTM_KERNELS(prefix) LOOM_DETAIL_LAYER_KERNELS(LstmKernels, prefix, )
#define LOOM_LSTM_KERNEL_VARIANTS(prefix, variant) LOOM_DETAIL_LAYER_KERNELS(LstmKernels, prefix, _##variant)
#define LOOM_RNN_KERNELS(prefix) LOOM_DETAIL_LAYER_KERNELS(RnnKernels, prefix, )
#define LOOM_RNN_KERNEL_VARIANTS(prefix, variant) LOOM_DETAIL_LAYER_KERNELS(RnnKernels, prefix, _##variant)

// Hidden (and cell) states are stored [T+1,B,H] with the initial state first, so that h_{t-1} for every
// step is one contiguous view and the weight gradient needs no copy.
struct LstmForwardBuffers {
  const float* x;    // [T,B,I]
  float* h;          // [T+1,B,H]: the caller sets h[0] = h0; the driver writes h[t+1] = h_t
  float* c;          // [T+1,B,H]: likewise with c[0] = c0
  float* gates;      // [T,B,4H]: activated gates i,f,g,o, read by the backward pass
  float* projection; // [T,B,4H] workspace: x w_ih^T + b_ih + b_hh
  float* w_panels;   // weight_panel_floats(shape, 4) workspace
};

struct LstmBackwardBuffers {
  const float* dh;       // [T,B,H]: gradient with respect to every h_t (zeros where unused)
  const float* dh_last;  // [B,H]: extra gradient with respect to the final h, or nullptr for zeros
  const float* dc_last;  // [B,H]: gradient with respect to the final c, or nullptr for zeros
  float* dx;             // [T,B,I]
  float* dh0;            // [B,H]
  float* dc0;            // [B,H]
  float* dgates;         // [T,B,4H] workspace: gradients of the gate pre-activations
  float* w_panels;       // weight_panel_floats(shape, 4) workspace
  float* carried;        // [4,B,H] workspace: the recurrent gradients between steps
};

struct RnnForwardBuffers {
  const float* x;     // [T,B,I]
  float* h;           // [T+1,B,H]: the caller sets h[0] = h0; the driver writes h[t+1] = h_t
  float* projection;  // [T,B,H] workspace
  float* w_panels;    // weight_panel_floats(shape, 1) workspace
};

struct RnnBackwardBuffers {
  const float* dh;       // [T,B,H]
  const float* dh_last;  // [B,H] or nullptr for zeros
  float* dx;             // [T,B,I]
  float* dh0;            // [B,H]
  float* dpre;           // [T,B,H] workspace: gradients of the pre-activations
  float* w_panels;       // weight_panel_floats(shape, 1) workspace
  float* carried;        // [2,B,H] workspace
};

namespace detail {

// The input projection of all steps and the packing of w_hh for the forward steps.
template <typename Kernels>
void project_and_pack(const Kernels& kernels, const Shape& s, int gates, const Weights& w, const float* x,
                      float* projection, float* w_panels) {
  const int G = gates * s.H, M = s.T * s.B;
  const int panels = (s.H + kWeightPanelWidth - 1) / kWeightPanelWidth;
  check_kernel(kernels.input_projection(BufferView(x, {s.I, M}).get(), BufferView(w.w_ih, {s.I, G}).get(),
                                        BufferView(w.b_ih, {G}).get(), BufferView(w.b_hh, {G}).get(),
                                        BufferView(projection, {G, M}).get()),
               "input_projection");
  check_kernel(kernels.forward_weight_panels(BufferView(w.w_hh, {s.H, G}).get(),
                                             BufferView(w_panels, {gates * kWeightPanelWidth, s.H, panels}).get()),
               "forward_weight_panels");
}

// Packing of w_hh for the backward steps' dh_prev = dgates w_hh; the returned view is shared by every step.
template <typename Kernels>
BufferView pack_backward(const Kernels& kernels, const Shape& s, int gates, const Weights& w, float* w_panels) {
  const int G = gates * s.H, panels = (s.H + kWeightPanelWidth - 1) / kWeightPanelWidth;
  BufferView view(w_panels, {kWeightPanelWidth, G, panels});
  check_kernel(kernels.backward_weight_panels(BufferView(w.w_hh, {s.H, G}).get(), view.get()),
               "backward_weight_panels");
  return view;
}

// After the time loop, the whole-sequence GEMMs over the pre-activation gradients dgates [T*B, G*H]:
// dw_ih = dgates^T x, db = column sums (the same for b_ih and b_hh), dw_hh = dgates^T h_{t-1}, dx = dgates w_ih.
template <typename Kernels>
void sequence_gradients(const Kernels& kernels, const Shape& s, int gates, const Weights& w, const float* x,
                        const float* h_states, const float* dgates, float* dx, const WeightGradients& grads) {
  const int G = gates * s.H, M = s.T * s.B;
  check_kernel(kernels.input_weight_gradients(BufferView(dgates, {G, M}).get(), BufferView(x, {s.I, M}).get(),
                                              BufferView(grads.w_ih, {s.I, G}).get(),
                                              BufferView(grads.b_ih, {G}).get()),
               "input_weight_gradients");
  std::memcpy(grads.b_hh, grads.b_ih, sizeof(float) * G);
  check_kernel(kernels.hidden_weight_gradients(BufferView(dgates, {G, M}).get(), BufferView(h_states, {s.H, M}).get(),
                                               BufferView(grads.w_hh, {s.H, G}).get()),
               "hidden_weight_gradients");
  check_kernel(kernels.input_gradients(BufferView(dgates, {G, M}).get(), BufferView(w.w_ih, {s.I, G}).get(),
                                       BufferView(dx, {s.I, M}).get()),
               "input_gradients");
}

// A gradient carried from step t+1 to step t (dh, or the LSTM's dc): two [B,H] slots used in turn so that a
// step never writes what it reads; the caller's final-state gradient (or zeros) feeds step T-1 and step 0
// writes the caller's output.
class CarriedGradient {
 public:
  CarriedGradient(float* slots, const float* last, float* first, std::size_t size)
      : slots_(slots), first_(first), size_(size), current_(last) {
    if (!last) {
      std::memset(slots_ + size_, 0, sizeof(float) * size_);
      current_ = slots_ + size_;
    }
  }
  const float* in() const { return current_; }
  float* out(int t) const { return t == 0 ? first_ : current_ == slots_ ? slots_ + size_ : slots_; }
  void advance(const float* written) { current_ = written; }

 private:
  float* slots_;
  float* first_;
  std::size_t size_;
  const float* current_;
};

}  // namespace detail

// Forward over t = 0..T-1.
inline void lstm_forward(const LstmKernels& kernels, const Shape& s, const Weights& w, const LstmForwardBuffers& f) {
  install_halide_error_handler();
  const int B = s.B, H = s.H, panels = (H + kWeightPanelWidth - 1) / kWeightPanelWidth;
  const std::size_t state = std::size_t(B) * H, gates = 4 * state;
  detail::project_and_pack(kernels, s, 4, w, f.x, f.projection, f.w_panels);
  BufferView w_panels(f.w_panels, {4 * kWeightPanelWidth, H, panels});
  for (int t = 0; t < s.T; t++) {
    check_kernel(kernels.step_forward(BufferView(f.projection + t * gates, {H, 4, B}).get(),
                                      BufferView(f.h + t * state, {H, B}).get(),
                                      BufferView(f.c + t * state, {H, B}).get(), w_panels.get(),
                                      BufferView(f.h + (t + 1) * state, {H, B}).get(),
                                      BufferView(f.c + (t + 1) * state, {H, B}).get(),
                                      BufferView(f.gates + t * gates, {H, 4, B}).get()),
                 "step_forward");
  }
}

// Backward through time over t = T-1..0, after lstm_forward filled `f` for the same weights.
inline void lstm_backward(const LstmKernels& kernels, const Shape& s, const Weights& w, const LstmForwardBuffers& f,
                          const LstmBackwardBuffers& b, const WeightGradients& grads) {
  install_halide_error_handler();
  const int B = s.B, H = s.H;
  const std::size_t state = std::size_t(B) * H, gates = 4 * state;
  BufferView w_panels = detail::pack_backward(kernels, s, 4, w, b.w_panels);
  detail::CarriedGradient dh_next(b.carried, b.dh_last, b.dh0, state);
  detail::CarriedGradient dc_next(b.carried + 2 * state, b.dc_last, b.dc0, state);
  for (int t = s.T - 1; t >= 0; t--) {
    float* dh_prev = dh_next.out(t);
    float* dc_prev = dc_next.out(t);
    check_kernel(kernels.step_backward(BufferView(b.dh + t * state, {H, B}).get(),
                                       BufferView(dh_next.in(), {H, B}).get(), BufferView(dc_next.in(), {H, B}).get(),
                                       BufferView(f.gates + t * gates, {H, 4, B}).get(),
                                       BufferView(f.c + t * state, {H, B}).get(),
                                       BufferView(f.c + (t + 1) * state, {H, B}).get(), w_panels.get(),
                                       BufferView(b.dgates + t * gates, {H, 4, B}).get(),
                                       BufferView(dh_prev, {H, B}).get(), BufferView(dc_prev, {H, B}).get()),
                 "step_backward");
    dh_next.advance(dh_prev);
    dc_next.advance(dc_prev);
  }
  detail::sequence_gradients(kernels, s, 4, w, f.x, f.h, b.dgates, b.dx, grads);
}

// Forward over t = 0..T-1.
inline void rnn_forward(const RnnKernels& kernels, const Shape& s, const Weights& w, const RnnForwardBuffers& f) {
  install_halide_error_handler();
  const int B = s.B, H = s.H, panels = (H + kWeightPanelWidth - 1) / kWeightPanelWidth;
  const std::size_t state = std::size_t(B) * H;
  detail::project_and_pack(kernels, s, 1, w, f.x, f.projection, f.w_panels);
  BufferView w_panels(f.w_panels, {kWeightPanelWidth, H, panels});
  for (int t = 0; t < s.T; t++) {
    check_kernel(kernels.step_forward(BufferView(f.projection + t * state, {H, B}).get(),
                                      BufferView(f.h + t * state, {H, B}).get(), w_panels.get(),
                                      BufferView(f.h + (t + 1) * state, {H, B}).get()),
                 "step_forward");
  }
}

// Backward through time over t = T-1..0, after rnn_forward filled `f` for the same weights.
inline void rnn_backward(const RnnKernels& kernels, const Shape& s, const Weights& w, const RnnForwardBuffers& f,
                         const RnnBackwardBuffers& b, const WeightGradients& grads) {
  install_halide_error_handler();
  const int B = s.B, H = s.H;
  const std::size_t state = std::size_t(B) * H;
  BufferView w_panels = detail::pack_backward(kernels, s, 1, w, b.w_panels);
  detail::CarriedGradient dh_next(b.carried, b.dh_last, b.dh0, state);
  for (int t = s.T - 1; t >= 0; t--) {
    float* dh_prev = dh_next.out(t);
    check_kernel(kernels.step_backward(BufferView(b.dh + t * state, {H, B}).get(),
                                       BufferView(dh_next.in(), {H, B}).get(),
                                       BufferView(f.h + (t + 1) * state, {H, B}).get(), w_panels.get(),
                                       BufferView(b.dpre + t * state, {H, B}).get(), BufferView(dh_prev, {H, B}).get()),
                 "step_backward");
    dh_next.advance(dh_prev);
  }
  detail::sequence_gradients(kernels, s, 1, w, f.x, f.h, b.dpre, b.dx, grads);
}

}  // namespace recurrent
}  // namespace loom
