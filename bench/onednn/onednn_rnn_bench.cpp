// oneDNN's RNN primitives (Debian libdnnl-dev 2.6) under Google Benchmark: the baseline Loom's recurrent
// kernels are measured against (issue 5). Loom itself never calls oneDNN; this executable is built only when
// the package is installed.
//
// For LSTM, GRU (oneDNN's lbr_gru: the reset gate applied after the recurrent product, as PyTorch, cuDNN and
// Loom's default GRU) and the tanh RNN, at the suite's shapes (T, B, I, H):
//   onednn_<cell>_inference  forward with prop_kind::forward_inference (oneDNN's fastest forward)
//   onednn_<cell>_forward    forward with prop_kind::forward_training (keeps what backward needs, as Loom's does)
//   onednn_<cell>_training   what a training step must do: zero the weight gradients (oneDNN accumulates into
//                            them), forward_training, backward (data and weight gradients)
// GFLOP/s count the GEMMs only: 2*T*B*(I+H)*G*H per forward with G = 4, 3, 1 gates; training counts 3x that.
// Primitives, reorders and buffers are made before the timed loop. Threads: OMP_NUM_THREADS (all cores when
// unset); run bench/run_benchmarks.sh, which sets it like Loom's HL_NUM_THREADS.
#include <benchmark/benchmark.h>
#include <oneapi/dnnl/dnnl.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <unordered_map>

#include "bench_shapes.h"

namespace {

using namespace dnnl;
using tag = memory::format_tag;
using loom::bench::RnnShape;

memory::desc f32(memory::dims dims, tag format) { return memory::desc(dims, memory::data_type::f32, format); }

/// The descriptors of one cell kind. Weights are [layers=1, directions=1, in, gates, out] in any format the
/// primitive prefers; states [1, 1, B, H]; sequences [T, B, features].
struct Lstm {
  static constexpr int gates = 4, bias_rows = 4;
  static constexpr bool cell_state = true;
  using forward_primitive = lstm_forward;
  using backward_primitive = lstm_backward;
  static lstm_forward::desc forward(prop_kind kind, const memory::desc& x, const memory::desc& s,
                                    const memory::desc& wl, const memory::desc& wi, const memory::desc& b,
                                    const memory::desc& h) {
    return {kind, rnn_direction::unidirectional_left2right, x, s, s, wl, wi, b, h, s, s};
  }
  static lstm_backward::desc backward(const memory::desc& x, const memory::desc& s, const memory::desc& wl,
                                      const memory::desc& wi, const memory::desc& b, const memory::desc& h) {
    return {prop_kind::backward, rnn_direction::unidirectional_left2right, x, s, s, wl, wi, b, h, s, s,
            x, s, s, wl, wi, b, h, s, s};
  }
};

struct Gru {
  static constexpr int gates = 3, bias_rows = 4;  // linear-before-reset: the recurrent n-gate bias is apart
  static constexpr bool cell_state = false;
  using forward_primitive = lbr_gru_forward;
  using backward_primitive = lbr_gru_backward;
  static lbr_gru_forward::desc forward(prop_kind kind, const memory::desc& x, const memory::desc& s,
                                       const memory::desc& wl, const memory::desc& wi, const memory::desc& b,
                                       const memory::desc& h) {
    return {kind, rnn_direction::unidirectional_left2right, x, s, wl, wi, b, h, s};
  }
  static lbr_gru_backward::desc backward(const memory::desc& x, const memory::desc& s, const memory::desc& wl,
                                         const memory::desc& wi, const memory::desc& b, const memory::desc& h) {
    return {prop_kind::backward, rnn_direction::unidirectional_left2right, x, s, wl, wi, b, h, s,
            x, s, wl, wi, b, h, s};
  }
};

struct Rnn {
  static constexpr int gates = 1, bias_rows = 1;
  static constexpr bool cell_state = false;
  using forward_primitive = vanilla_rnn_forward;
  using backward_primitive = vanilla_rnn_backward;
  static vanilla_rnn_forward::desc forward(prop_kind kind, const memory::desc& x, const memory::desc& s,
                                           const memory::desc& wl, const memory::desc& wi, const memory::desc& b,
                                           const memory::desc& h) {
    return {kind, algorithm::eltwise_tanh, rnn_direction::unidirectional_left2right, x, s, wl, wi, b, h, s};
  }
  static vanilla_rnn_backward::desc backward(const memory::desc& x, const memory::desc& s, const memory::desc& wl,
                                             const memory::desc& wi, const memory::desc& b, const memory::desc& h) {
    return {prop_kind::backward, algorithm::eltwise_tanh, rnn_direction::unidirectional_left2right, x, s, wl, wi,
            b, h, s, x, s, wl, wi, b, h, s};
  }
};

/// One layer's primitives and memories, every input filled with U(-k, k) values (k = 1/sqrt(H) for weights).
template <typename Cell> class Layer {
 public:
  Layer(const RnnShape& s, prop_kind kind) : engine_(engine::kind::cpu, 0), stream_(engine_) {
    const memory::dim T = s.T, B = s.B, I = s.I, H = s.H, G = Cell::gates;
    const memory::desc x = f32({T, B, I}, tag::tnc), h = f32({T, B, H}, tag::tnc), state = f32({1, 1, B, H}, tag::ldnc);
    const memory::desc any_wl = f32({1, 1, I, G, H}, tag::any), any_wi = f32({1, 1, H, G, H}, tag::any);
    const memory::desc bias = f32({1, 1, Cell::bias_rows, H}, tag::ldgo);
    typename Cell::forward_primitive::primitive_desc forward_pd(Cell::forward(kind, x, state, any_wl, any_wi, bias, h),
                                                                engine_);
    forward_ = typename Cell::forward_primitive(forward_pd);
    std::mt19937 rng(7);
    const float k = 1.0f / std::sqrt(float(H));
    // Weights are drawn in a plain ldigo layout and reordered into the primitive's own.
    user_wl_ = filled(f32({1, 1, I, G, H}, tag::ldigo), k, rng);
    user_wi_ = filled(f32({1, 1, H, G, H}, tag::ldigo), k, rng);
    forward_args_ = {{DNNL_ARG_SRC_LAYER, filled(x, 1.0f, rng)},
                     {DNNL_ARG_SRC_ITER, filled(state, 0.5f, rng)},
                     {DNNL_ARG_WEIGHTS_LAYER, reordered(user_wl_, forward_pd.weights_layer_desc())},
                     {DNNL_ARG_WEIGHTS_ITER, reordered(user_wi_, forward_pd.weights_iter_desc())},
                     {DNNL_ARG_BIAS, filled(bias, k, rng)},
                     {DNNL_ARG_DST_LAYER, memory(h, engine_)},
                     {DNNL_ARG_DST_ITER, memory(state, engine_)}};
    if (Cell::cell_state) {
      forward_args_[DNNL_ARG_SRC_ITER_C] = filled(state, 0.5f, rng);
      forward_args_[DNNL_ARG_DST_ITER_C] = memory(state, engine_);
    }
    if (kind == prop_kind::forward_training) {
      forward_args_[DNNL_ARG_WORKSPACE] = memory(forward_pd.workspace_desc(), engine_);
      typename Cell::backward_primitive::primitive_desc backward_pd(
          Cell::backward(x, state, any_wl, any_wi, bias, h), engine_, forward_pd);
      backward_ = typename Cell::backward_primitive(backward_pd);
      backward_args_ = forward_args_;  // the same inputs, outputs and workspace
      backward_args_[DNNL_ARG_WEIGHTS_LAYER] = reordered(user_wl_, backward_pd.weights_layer_desc());
      backward_args_[DNNL_ARG_WEIGHTS_ITER] = reordered(user_wi_, backward_pd.weights_iter_desc());
      for (int arg : {DNNL_ARG_DIFF_SRC_LAYER, DNNL_ARG_DIFF_SRC_ITER, DNNL_ARG_DIFF_WEIGHTS_LAYER,
                      DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS, DNNL_ARG_DIFF_DST_ITER})
        backward_args_[arg] = filled(backward_pd.query_md(query::exec_arg_md, arg), 0.0f, rng);
      backward_args_[DNNL_ARG_DIFF_DST_LAYER] =
          filled(backward_pd.query_md(query::exec_arg_md, DNNL_ARG_DIFF_DST_LAYER), 1.0f, rng);
      if (Cell::cell_state) {
        for (int arg : {DNNL_ARG_DIFF_SRC_ITER_C, DNNL_ARG_DIFF_DST_ITER_C})
          backward_args_[arg] = filled(backward_pd.query_md(query::exec_arg_md, arg), 0.0f, rng);
      }
    }
    forward();  // the first run touches every page
  }

  void forward() {
    forward_.execute(stream_, forward_args_);
    stream_.wait();
  }

  /// One training step's worth of work: the weight gradients zeroed, forward, backward.
  void train() {
    for (int arg : {DNNL_ARG_DIFF_WEIGHTS_LAYER, DNNL_ARG_DIFF_WEIGHTS_ITER, DNNL_ARG_DIFF_BIAS}) {
      memory& m = backward_args_.at(arg);
      std::memset(m.get_data_handle(), 0, m.get_desc().get_size());
    }
    forward_.execute(stream_, forward_args_);
    backward_.execute(stream_, backward_args_);
    stream_.wait();
  }

 private:
  memory filled(const memory::desc& desc, float bound, std::mt19937& rng) {
    memory m(desc, engine_);
    std::uniform_real_distribution<float> uniform(-bound, bound);
    float* data = static_cast<float*>(m.get_data_handle());
    for (std::size_t i = 0, n = desc.get_size() / sizeof(float); i < n; ++i) data[i] = bound > 0 ? uniform(rng) : 0.0f;
    return m;
  }
  memory reordered(memory& from, const memory::desc& to) {
    memory m(to, engine_);
    reorder(from, m).execute(stream_, from, m);
    stream_.wait();
    return m;
  }

  engine engine_;
  stream stream_;
  primitive forward_, backward_;
  memory user_wl_, user_wi_;
  std::unordered_map<int, memory> forward_args_, backward_args_;
};

template <typename Cell> double forward_flops(const RnnShape& s) {
  return 2.0 * double(s.T) * double(s.B) * double(s.I + s.H) * Cell::gates * double(s.H);
}

template <typename Cell> void inference(benchmark::State& state, RnnShape s) {
  Layer<Cell> layer(s, prop_kind::forward_inference);
  for (auto _ : state) layer.forward();
  loom::bench::set_gflops(state, forward_flops<Cell>(s));
}

template <typename Cell> void forward(benchmark::State& state, RnnShape s) {
  Layer<Cell> layer(s, prop_kind::forward_training);
  for (auto _ : state) layer.forward();
  loom::bench::set_gflops(state, forward_flops<Cell>(s));
}

template <typename Cell> void training(benchmark::State& state, RnnShape s) {
  Layer<Cell> layer(s, prop_kind::forward_training);
  for (auto _ : state) layer.train();
  loom::bench::set_gflops(state, 3 * forward_flops<Cell>(s));
}

template <typename Cell> void register_cell(const std::string& cell) {
  for (const RnnShape& s : loom::bench::kRnnShapes) {
    const std::string suffix = "/" + s.name();
    loom::bench::register_shape_benchmark("onednn_" + cell + "_inference" + suffix, inference<Cell>, s);
    loom::bench::register_shape_benchmark("onednn_" + cell + "_forward" + suffix, forward<Cell>, s);
    loom::bench::register_shape_benchmark("onednn_" + cell + "_training" + suffix, training<Cell>, s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_cell<Lstm>("lstm");
  register_cell<Gru>("gru");
  register_cell<Rnn>("rnn");
  loom::bench::register_fma_peak();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
