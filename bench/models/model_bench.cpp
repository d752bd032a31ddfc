// Google Benchmark of generated model libraries: forward() and train_step() of one LSTM, GRU and tanh RNN layer
// at every shape of bench_shapes.h, in GFLOP/s with the count bench/onednn uses (2*T*B*(I+H)*G*H per forward,
// G = 4, 3, 1; 3x that for training), so bench/run_benchmarks.sh can print Loom/oneDNN ratios.
#include "bench_gru_T150_B16_I256_H256.h"
#include "bench_gru_T25_B1_I256_H256.h"
#include "bench_gru_T28_B128_I28_H128.h"
#include "bench_gru_T50_B32_I1024_H1024.h"
#include "bench_gru_T50_B64_I512_H512.h"
#include "bench_lstm_T150_B16_I256_H256.h"
#include "bench_lstm_T25_B1_I256_H256.h"
#include "bench_lstm_T28_B128_I28_H128.h"
#include "bench_lstm_T50_B32_I1024_H1024.h"
#include "bench_lstm_T50_B64_I512_H512.h"
#include "bench_rnn_T150_B16_I256_H256.h"
#include "bench_rnn_T25_B1_I256_H256.h"
#include "bench_rnn_T28_B128_I28_H128.h"
#include "bench_rnn_T50_B32_I1024_H1024.h"
#include "bench_rnn_T50_B64_I512_H512.h"
#include "bench_shapes.h"

#include <cmath>
#include <memory>

namespace {

using loom::bench::RnnShape;

template <typename Model> RnnShape shape_of() {
  auto [T, B, I] = Model::x_shape;
  return {T, B, I, Model::hs_shape[2]};
}

template <typename Model> std::unique_ptr<Model> filled_model() {
  auto model = std::make_unique<Model>(1);
  auto x = model->x();
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = float(std::sin(0.01 * double(i)));
  return model;
}

template <typename Model> void forward(benchmark::State &state, RnnShape s, int gates) {
  auto model = filled_model<Model>();
  model->forward(); // the first run touches every page, as in bench/onednn
  for (auto _ : state)
    model->forward();
  loom::bench::set_gflops(state, 2.0 * double(s.T * s.B * (s.I + s.H) * gates * s.H));
}

template <typename Model> void training(benchmark::State &state, RnnShape s, int gates) {
  auto model = filled_model<Model>();
  benchmark::DoNotOptimize(model->train_step()); // the first run touches every page
  for (auto _ : state)
    benchmark::DoNotOptimize(model->train_step());
  loom::bench::set_gflops(state, 3 * 2.0 * double(s.T * s.B * (s.I + s.H) * gates * s.H));
}

template <typename Model> void register_model(const char *cell, int gates) {
  const RnnShape s = shape_of<Model>();
  using Function = void (*)(benchmark::State &, RnnShape, int);
  const std::pair<const char *, Function> kinds[] = {{"_forward/", forward<Model>}, {"_training/", training<Model>}};
  for (auto [kind, function] : kinds)
    benchmark::RegisterBenchmark((std::string("loom_") + cell + kind + s.name()).c_str(), function, s, gates)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
}

template <typename... Models> void register_cell(const char *cell, int gates) { (register_model<Models>(cell, gates), ...); }

} // namespace

int main(int argc, char **argv) {
  using namespace loom::models;
  register_cell<bench_lstm_T50_B64_I512_H512, bench_lstm_T50_B32_I1024_H1024, bench_lstm_T25_B1_I256_H256,
                bench_lstm_T150_B16_I256_H256, bench_lstm_T28_B128_I28_H128>("lstm", 4);
  register_cell<bench_gru_T50_B64_I512_H512, bench_gru_T50_B32_I1024_H1024, bench_gru_T25_B1_I256_H256,
                bench_gru_T150_B16_I256_H256, bench_gru_T28_B128_I28_H128>("gru", 3);
  register_cell<bench_rnn_T50_B64_I512_H512, bench_rnn_T50_B32_I1024_H1024, bench_rnn_T25_B1_I256_H256,
                bench_rnn_T150_B16_I256_H256, bench_rnn_T28_B128_I28_H128>("rnn", 1);
  loom::bench::register_fma_peak();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
