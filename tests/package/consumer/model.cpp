// The outside project's model: characters as ids through an embedding, a GRU and a dense head that
// learns the next character of "hihell" (the first RNN tutorial, here with a GRU).
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
constexpr int64_t kSteps = 6, kCharacters = 5, kFeatures = 8, kUnits = 16;
} // namespace

LOOM_MODEL(greeting, model) {
  Tensor characters = model.integer_input("characters", {kSteps, 1});
  Tensor next = model.integer_input("next", {kSteps});
  Tensor embedded = Embedding(model, "embedding", kCharacters, kFeatures)(characters);
  Tensor states = GRU(model, "gru", kUnits, Returns::Sequence)(embedded);
  Tensor logits = Dense(model, "head", kCharacters)(reshape(states, {kSteps, kUnits}));
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, next), Adam{.learning_rate = 0.05});
}
