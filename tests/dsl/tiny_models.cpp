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
