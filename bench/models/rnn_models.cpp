// One recurrent layer per model at each of the benchmark shapes (bench/common/bench_shapes.h), compiled
// through the whole Loom pipeline (DSL, passes, generic Halide lowering): LSTM, GRU (reset after, as oneDNN's
// lbr_gru) and the tanh RNN. Each layer returns every step and trains on the mean square of its outputs, so
// train_step runs the full backprop through time, weight gradients included, and an Adam update.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {

template <typename Layer> void recurrent_model(Model &model, int64_t T, int64_t B, int64_t I, int64_t H) {
  Tensor x = model.input("x", {T, B, I});
  Tensor hs = Layer(model, "layer", H, Returns::Sequence)(x);
  model.output("hs", hs);
  model.minimize(reduce_mean(mul(hs, hs), {0, 1, 2}), Adam{});
}

} // namespace

#define LOOM_BENCH_MODELS(T, B, I, H)                                                                              \
  LOOM_MODEL(bench_lstm_T##T##_B##B##_I##I##_H##H, model) { recurrent_model<LSTM>(model, T, B, I, H); }            \
  LOOM_MODEL(bench_gru_T##T##_B##B##_I##I##_H##H, model) { recurrent_model<GRU>(model, T, B, I, H); }              \
  LOOM_MODEL(bench_rnn_T##T##_B##B##_I##I##_H##H, model) { recurrent_model<SimpleRNN>(model, T, B, I, H); }

LOOM_BENCH_MODELS(50, 64, 512, 512)
LOOM_BENCH_MODELS(50, 32, 1024, 1024)
LOOM_BENCH_MODELS(25, 1, 256, 256)
LOOM_BENCH_MODELS(150, 16, 256, 256)
LOOM_BENCH_MODELS(28, 128, 28, 128)
