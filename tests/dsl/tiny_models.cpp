// Small models for the DSL's IR tests (tests/lit/dsl-*.mlir run loomc-tiny on them).
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

// The Fashion-MNIST classifier's shape at a small size: rows as time steps, last LSTM state, Dense.
LOOM_MODEL(lstm_classifier, model) {
  Tensor images = model.input("images", {5, 2, 3});
  Tensor labels = model.integer_input("labels", {2});
  Tensor h = LSTM(model, "lstm", 4)(images);
  Tensor logits = Dense(model, "head", 10)(h);
  model.output("logits", logits);
  model.output("class", argmax(logits));
  model.minimize(sparse_softmax_cross_entropy(logits, labels), Adam{});
}

LOOM_MODEL(rnn_tagger, model) {
  Tensor words = model.input("words", {3, 1, 4});
  Tensor states = SimpleRNN(model, "rnn", 3, Returns::Sequence)(words);
  model.output("states", states);
}

// Token ids through an embedding, dropout, a masked GRU over the valid steps and a per-step head,
// trained on a weighted sequence loss with RMSprop and clipping: the training-only pieces together.
LOOM_MODEL(dropout_tagger, model) {
  Tensor tokens = model.integer_input("tokens", {4, 3});
  Tensor lengths = model.integer_input("lengths", {3});
  Tensor tags = model.integer_input("tags", {4, 3});
  Tensor embedded = dropout(Embedding(model, "embedding", 7, 5)(tokens), 0.5);
  RecurrentOutputs gru = GRU(model, "gru", 6).run(embedded, {}, lengths);
  Tensor logits = Dense(model, "head", 4)(dropout(gru.sequence, 0.25));
  model.output("logits", logits);
  model.minimize(sequence_loss(logits, tags, sequence_mask(lengths, 4)), RMSprop{.learning_rate = 0.05},
                 ClipByGlobalNorm{.max_norm = 1.0});
}
