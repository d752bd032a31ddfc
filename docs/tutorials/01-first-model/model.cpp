// Lesson 1's model: an LSTM reads a sequence of +1/-1 moves and, at every step, says whether the
// running sum so far is positive. A Dense head turns each step's hidden state into two logits.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

LOOM_MODEL(running_sign, model) {
  constexpr int64_t kSteps = 12, kBatch = 32, kUnits = 16;
  Tensor moves = model.input("moves", {kSteps, kBatch, 1});           // time-major: [T, B, features]
  Tensor positive = model.integer_input("positive", {kSteps * kBatch}); // the label of every step
  Tensor states = LSTM(model, "lstm", kUnits, Returns::Sequence)(moves); // [T, B, units]
  Tensor logits = Dense(model, "head", 2)(reshape(states, {kSteps * kBatch, kUnits}));
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, positive), Adam{.learning_rate = 0.02});
}
