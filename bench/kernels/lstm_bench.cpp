// The compiled LSTM layer (recurrent_loop.h drivers over loom-kernelgen kernels), forward and forward +
// backward, in GFLOP/s, with the naive reference side by side at the small shape as the baseline.
// FLOPs count the GEMMs only: 2*T*B*(I+H)*4H forward, three times that for forward + backward.
// On the 2-core EPYC (FMA peak about 450 GFLOP/s for both cores), in a quiet moment of a shared machine:
// forward 214 / 318 GFLOP/s and forward + backward 181 / 290 at (28,128,28,128) / (50,64,512,512); the
// AVX2 variants about half; the naive reference 3.6 and 6.3 at the small shape.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "loom/reference/recurrent.h"
#include "loom/runtime/recurrent_loop.h"
#include "bench_shapes.h"
#include "loom_bench_kernels.h"

namespace {

namespace recurrent = loom::recurrent;
namespace reference = loom::reference;
using loom::bench::set_gflops;
using Floats = std::vector<float>;

double forward_flops(const recurrent::Shape& s) { return 2.0 * s.T * s.B * (s.I + s.H) * 4.0 * s.H; }

Floats uniform(std::size_t n, float bound, std::mt19937& rng) {
  std::uniform_real_distribution<float> dist(-bound, bound);
  Floats v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// Weights, inputs and every buffer the drivers need for one shape.
struct LstmLayer {
  recurrent::Shape shape;
  reference::RecurrentParams<float> params;
  Floats x, h0, c0, dh, h, c, gates, projection, panels, dx, dh0, dc0, dgates, carried;
  reference::RecurrentParams<float> grads;

  explicit LstmLayer(const recurrent::Shape& s) : shape(s) {
    const auto [T, B, I, H] = s;
    const std::size_t state = std::size_t(B) * H, rows = 4 * std::size_t(H);
    std::mt19937 rng(7);
    const float k = 1.0f / std::sqrt(float(H));
    params = {uniform(rows * I, k, rng), uniform(rows * H, k, rng), uniform(rows, k, rng), uniform(rows, k, rng)};
    x = uniform(std::size_t(T) * B * I, 1.0f, rng);
    h0 = uniform(state, 0.5f, rng);
    c0 = uniform(state, 0.5f, rng);
    dh = uniform(T * state, 1.0f, rng);
    h.assign((T + 1) * state, 0.0f);
    c.assign((T + 1) * state, 0.0f);
    std::copy(h0.begin(), h0.end(), h.begin());
    std::copy(c0.begin(), c0.end(), c.begin());
    gates.resize(T * 4 * state);
    projection.resize(gates.size());
    panels.resize(recurrent::weight_panel_floats(s, 4));
    dx.resize(x.size());
    dh0.resize(state);
    dc0.resize(state);
    dgates.resize(gates.size());
    carried.resize(4 * state);
    grads = {Floats(params.w_ih.size()), Floats(params.w_hh.size()), Floats(rows), Floats(rows)};
  }

  recurrent::Weights weights() const {
    return {params.w_ih.data(), params.w_hh.data(), params.b_ih.data(), params.b_hh.data()};
  }
  recurrent::LstmForwardBuffers forward_buffers() {
    return {x.data(), h.data(), c.data(), gates.data(), projection.data(), panels.data()};
  }
  void forward(const recurrent::LstmKernels& kernels) {
    recurrent::lstm_forward(kernels, shape, weights(), forward_buffers());
  }
  void backward(const recurrent::LstmKernels& kernels) {
    recurrent::lstm_backward(kernels, shape, weights(), forward_buffers(),
                             {dh.data(), nullptr, nullptr, dx.data(), dh0.data(), dc0.data(), dgates.data(),
                              panels.data(), carried.data()},
                             {grads.w_ih.data(), grads.w_hh.data(), grads.b_ih.data(), grads.b_hh.data()});
  }
};

void compiled_forward(benchmark::State& state, recurrent::LstmKernels kernels, recurrent::Shape shape) {
  LstmLayer layer(shape);
  for (auto _ : state) {
    layer.forward(kernels);
    benchmark::DoNotOptimize(layer.h.data());
  }
  set_gflops(state, forward_flops(shape));
}

void compiled_forward_backward(benchmark::State& state, recurrent::LstmKernels kernels, recurrent::Shape shape) {
  LstmLayer layer(shape);
  for (auto _ : state) {
    layer.forward(kernels);
    layer.backward(kernels);
    benchmark::DoNotOptimize(layer.grads.w_hh.data());
  }
  set_gflops(state, 3 * forward_flops(shape));
}

void reference_forward(benchmark::State& state, recurrent::Shape shape) {
  LstmLayer layer(shape);
  const reference::RecurrentShape s{shape.T, shape.B, shape.I, shape.H};
  for (auto _ : state) {
    benchmark::DoNotOptimize(reference::lstm_forward(s, layer.params, layer.x, layer.h0, layer.c0));
  }
  set_gflops(state, forward_flops(shape));
}

void reference_forward_backward(benchmark::State& state, recurrent::Shape shape) {
  LstmLayer layer(shape);
  const reference::RecurrentShape s{shape.T, shape.B, shape.I, shape.H};
  for (auto _ : state) {
    const auto forward = reference::lstm_forward(s, layer.params, layer.x, layer.h0, layer.c0);
    benchmark::DoNotOptimize(
        reference::lstm_backward(s, layer.params, layer.x, layer.h0, layer.c0, forward, layer.dh, {}, {}));
  }
  set_gflops(state, 3 * forward_flops(shape));
}

constexpr recurrent::Shape kMnist{28, 128, 28, 128};
constexpr recurrent::Shape kLarge{50, 64, 512, 512};

// Dispatching entry points (AVX-512 on a machine that has it) and the AVX2 variants for comparison.
BENCHMARK_CAPTURE(compiled_forward, T28_B128_I28_H128, LOOM_LSTM_KERNELS(lstm_mnist), kMnist)->UseRealTime();
BENCHMARK_CAPTURE(compiled_forward, T28_B128_I28_H128_avx2, LOOM_LSTM_KERNEL_VARIANTS(lstm_mnist, avx2), kMnist)
    ->UseRealTime();
BENCHMARK_CAPTURE(reference_forward, T28_B128_I28_H128, kMnist)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compiled_forward_backward, T28_B128_I28_H128, LOOM_LSTM_KERNELS(lstm_mnist), kMnist)
    ->UseRealTime();
BENCHMARK_CAPTURE(compiled_forward_backward, T28_B128_I28_H128_avx2, LOOM_LSTM_KERNEL_VARIANTS(lstm_mnist, avx2),
                  kMnist)
    ->UseRealTime();
BENCHMARK_CAPTURE(reference_forward_backward, T28_B128_I28_H128, kMnist)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compiled_forward, T50_B64_I512_H512, LOOM_LSTM_KERNELS(lstm_large), kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compiled_forward, T50_B64_I512_H512_avx2, LOOM_LSTM_KERNEL_VARIANTS(lstm_large, avx2), kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compiled_forward_backward, T50_B64_I512_H512, LOOM_LSTM_KERNELS(lstm_large), kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(compiled_forward_backward, T50_B64_I512_H512_avx2, LOOM_LSTM_KERNEL_VARIANTS(lstm_large, avx2),
                  kLarge)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
