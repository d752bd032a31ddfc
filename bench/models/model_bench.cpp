// Google Benchmark of generated model libraries: forward() and train_step() of one LSTM layer at
// (T, B, I, H) = (28, 128, 28, 128) and (50, 64, 512, 512), reported in GFLOP/s with the issue's
// count (2*T*B*(I+H)*4H for the LSTM forward, 3x that for training). bench/run_benchmarks.sh runs
// this beside loom_kernel_bench (the hand-scheduled fused kernels) and prints the ratios.
#include "bench_lstm_large.h"
#include "bench_lstm_small.h"

#include <benchmark/benchmark.h>

#include <cmath>

namespace {

double lstmForwardFlops(double T, double B, double I, double H) { return 2 * T * B * (I + H) * 4 * H; }

template <typename Model> void fillInput(Model &model) {
  auto x = model.x();
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::sin(0.01 * double(i)));
}

template <typename Model> void forward(benchmark::State &state) {
  Model model(1);
  fillInput(model);
  for (auto _ : state)
    model.forward();
  auto [T, B, I] = Model::x_shape;
  double H = double(Model::hs_shape[2]);
  state.counters["GFLOP/s"] = benchmark::Counter(lstmForwardFlops(T, B, I, H) * 1e-9 * double(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

template <typename Model> void trainStep(benchmark::State &state) {
  Model model(1);
  fillInput(model);
  for (auto _ : state)
    benchmark::DoNotOptimize(model.train_step());
  auto [T, B, I] = Model::x_shape;
  double H = double(Model::hs_shape[2]);
  state.counters["GFLOP/s"] = benchmark::Counter(3 * lstmForwardFlops(T, B, I, H) * 1e-9 *
                                                     double(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK_TEMPLATE(forward, loom::models::bench_lstm_small)->Name("model_forward/T28_B128_I28_H128")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(trainStep, loom::models::bench_lstm_small)->Name("model_train_step/T28_B128_I28_H128")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(forward, loom::models::bench_lstm_large)->Name("model_forward/T50_B64_I512_H512")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(trainStep, loom::models::bench_lstm_large)->Name("model_train_step/T50_B64_I512_H512")->UseRealTime()->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
