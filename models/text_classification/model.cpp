// Spam or ham: an LSTM reads the first words of an email (its subject, then its body) as word ids
// through an embedding, stops at each email's own length, and a Dense layer turns its last state
// into two logits, ham (0) and spam (1). As TensorFlow's "Text classification with an RNN" tutorial
// (Embedding, LSTM(64), Dense), on the SpamAssassin public corpus instead of IMDB reviews.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"
#include "sizes.h"

using namespace loom::dsl;
using namespace spam;

namespace {

/// The network, for any batch size: tokens [T, B] (time-major) and lengths [B] to logits [B, 2].
Tensor classify(Model &model, int64_t batch) {
  Tensor tokens = model.integer_input("tokens", {kWords, batch});
  Tensor lengths = model.integer_input("lengths", {batch}); // each in [1, kWords]
  Tensor embedded = Embedding(model, "embedding", kVocabulary, kFeatures)(tokens);
  // Keras's initializers, as the tutorial: the forget gate starting open (bias 1) lets the state
  // carry over 200 steps from the start; with PyTorch's, 0.97 validation accuracy took twice the epochs.
  LSTM lstm(model, "lstm", kUnits, RecurrentOptions{.initialization = Initialization::Keras});
  // With lengths, the final state is each email's state after its last word, not after padding.
  RecurrentOutputs read = lstm.run(embedded, {}, lengths);
  Tensor logits = Dense(model, "classifier", kClasses)(read.state[0]);
  model.output("logits", logits);
  return logits;
}

} // namespace

LOOM_MODEL(text_classification, model) {
  Tensor logits = classify(model, kBatch);
  Tensor labels = model.integer_input("labels", {kBatch}); // 0 ham, 1 spam
  // Clipping keeps an occasional exploding gradient through 200 steps from undoing an epoch (without
  // it, one run's validation accuracy fell from 0.97 to 0.90 for an epoch).
  model.minimize(sparse_softmax_cross_entropy(logits, labels), Adam{.learning_rate = 1e-3},
                 ClipByGlobalNorm{.max_norm = 1.0});
}

// One email at a time for infer_text_classification; reads the parameters the batched model saves.
LOOM_MODEL(text_classification_single, model) {
  model.variant_of("text_classification");
  classify(model, 1);
}
