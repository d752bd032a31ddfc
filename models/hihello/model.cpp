// "hihello", the first RNN tutorial: an LSTM with 5 units reads "hihell" one character (one-hot)
// per step and learns to predict the next character of each, "ihello". A Dense layer turns each
// step's hidden state into logits over the 5 characters h, i, e, l, o (the LSTM's own outputs lie
// in [-1, 1], too narrow to separate "l" from "o" after "hell" with confidence).
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
constexpr int64_t kSteps = 6, kBatch = 1, kCharacters = 5;
} // namespace

LOOM_MODEL(hihello, model) {
  Tensor characters = model.input("characters", {kSteps, kBatch, kCharacters}); // one-hot, time-major
  Tensor next = model.integer_input("next", {kSteps * kBatch});
  Tensor outputs = LSTM(model, "lstm", kCharacters, Returns::Sequence)(characters);
  Tensor logits = Dense(model, "head", kCharacters)(reshape(outputs, {kSteps * kBatch, kCharacters}));
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, next), Adam{.learning_rate = 0.1});
}
