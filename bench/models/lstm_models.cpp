// Single-LSTM models at the benchmark sizes, compiled through the whole Loom pipeline
// (DSL, passes, generic Halide lowering), for comparison with the hand-scheduled fused kernels.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
/// An LSTM over [T, B, I] returning every step, trained on the mean square of its outputs so that
/// train_step runs the full backprop through time.
void lstm_model(Model &model, int64_t T, int64_t B, int64_t I, int64_t H) {
  Tensor x = model.input("x", {T, B, I});
  Tensor hs = LSTM(model, "lstm", H, Returns::Sequence)(x);
  model.output("hs", hs);
  model.minimize(reduce_mean(mul(hs, hs), {0, 1, 2}), Adam{});
}
} // namespace

LOOM_MODEL(bench_lstm_small, model) { lstm_model(model, 28, 128, 28, 128); }
LOOM_MODEL(bench_lstm_large, model) { lstm_model(model, 50, 64, 512, 512); }
