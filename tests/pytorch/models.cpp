// Loom's side of the PyTorch round trip (make_reference.py builds the same models in PyTorch): each
// names its layers as the PyTorch module's attributes so that tools/loom_pytorch.py maps the weights.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

// nn.Embedding(11, 6) -> nn.LSTM(6, 8, num_layers=2) -> nn.Linear(8, 5) on every step.
LOOM_MODEL(pytorch_tagger, model) {
  constexpr int64_t kSteps = 7, kBatch = 3;
  Tensor tokens = model.integer_input("tokens", {kSteps, kBatch});
  Tensor embedded = Embedding(model, "embedding", 11, 6)(tokens);
  RecurrentOutputs lstm = Stacked<LSTM>(model, "lstm", 8, 2).run(embedded);
  model.output("logits", Dense(model, "head", 5)(reshape(lstm.sequence, {kSteps * kBatch, 8})));
}

// nn.GRU(4, 6, bidirectional=True) whose final states, concatenated, feed nn.Linear(12, 3).
LOOM_MODEL(pytorch_classifier, model) {
  Tensor x = model.input("x", {9, 2, 4});
  Tensor states = Bidirectional<GRU>(model, "gru", 6)(x);
  model.output("logits", Dense(model, "head", 3)(states));
}

// nn.RNN(3, 4, bias=False): the exporter writes zero biases.
LOOM_MODEL(pytorch_rnn, model) {
  Tensor x = model.input("x", {5, 2, 3});
  model.output("states", SimpleRNN(model, "rnn", 4, Returns::Sequence)(x));
}
