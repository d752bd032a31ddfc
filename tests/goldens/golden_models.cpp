// The models of the PyTorch golden cases (tests/goldens/data), written with Loom's DSL. Names and
// shapes follow the JSON files; README.md beside this file describes each case. The recurrent
// cases train with SGD at learning rate 1, so one train_step moves every parameter by exactly its
// gradient and the test reads the gradients back from the parameters.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Attention.h"

using namespace loom::dsl;

namespace {

constexpr int64_t T = 5, B = 3, I = 4, H = 6;

/// sum(sequence * probe_sequence) + sum(state[k] * probe_k) for each named final state.
Tensor probeLoss(Model &model, const Tensor &sequence, const std::vector<std::pair<std::string, Tensor>> &finals) {
  Tensor probe = model.input("probe_sequence", sequence.shape());
  Tensor loss = reduce_sum(mul(sequence, probe), {0, 1, 2});
  for (const auto &[name, value] : finals)
    loss = add(loss, reduce_sum(mul(value, model.input("probe_" + name, value.shape())), {0, 1}));
  return loss;
}

/// A single recurrent layer from a given initial state, with its sequence and final states as outputs.
void recurrentCase(Model &model, RecurrentLayer &layer, bool lstm) {
  Tensor x = model.input("x", {T, B, I});
  std::vector<Tensor> initial{model.input("h0", {B, H})};
  if (lstm)
    initial.push_back(model.input("c0", {B, H}));
  RecurrentOutputs out = layer.run(x, initial);
  model.output("sequence", out.sequence);
  model.output("final_h", out.state[0]);
  std::vector<std::pair<std::string, Tensor>> finals{{"h", out.state[0]}};
  if (lstm) {
    model.output("final_c", out.state[1]);
    finals.push_back({"c", out.state[1]});
  }
  model.minimize(probeLoss(model, out.sequence, finals), SGD{.learning_rate = 1.0});
}

/// dense(x) -> cross-entropy, trained by `optimizer` (the optimizer cases).
void optimizerCase(Model &model, Optimizer optimizer, ClipByGlobalNorm clip = {}) {
  Tensor x = model.input("x", {5, 4});
  Tensor labels = model.integer_input("labels", {5});
  Tensor logits = Dense(model, "dense", 3)(x);
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, labels), optimizer, clip);
}

/// The attention encoder-decoder of generate_goldens.py's attention_decoder(score).
void attentionCase(Model &model, AttentionScore score) {
  constexpr int64_t steps = 5, batch = 3, letters = 6, features = 3, encoderUnits = 4;
  constexpr int64_t targetSteps = 4, symbols = 6, attentionUnits = 5, width = 2 * encoderUnits;
  Tensor source = model.integer_input("source", {steps, batch});
  Tensor lengths = model.integer_input("source_lengths", {batch});
  Tensor previous = model.integer_input("previous", {targetSteps, batch});
  Tensor target = model.integer_input("target", {targetSteps, batch});
  Tensor targetLengths = model.integer_input("target_lengths", {batch});
  Tensor x = Embedding(model, "letters", letters, features)(source);
  GRU forward(model, "encoder.forward", encoderUnits);
  GRU backward(model, "encoder.backward", encoderUnits, RecurrentOptions{.go_backwards = true});
  RecurrentOutputs f = forward.run(x, {}, lengths), b = backward.run(x, {}, lengths);
  Tensor values = concat({f.sequence, b.sequence}, 2);
  Tensor start = tanh(Dense(model, "bridge", width)(concat({f.state[0], b.state[0]}, 1)));
  Attention attention(model, "attention", score, score == AttentionScore::Additive ? attentionUnits : 0);
  AttentionMemory memory = attention.memory(values, lengths);
  GRU decoder(model, "decoder", width);
  std::vector<Tensor> decoded =
      scan(targetSteps, {start}, {Embedding(model, "phonemes", symbols, features)(previous)},
           [&](const std::vector<Tensor> &h, const std::vector<Tensor> &embedded) {
             AttentionOutputs a = attention(memory, h[0]);
             Tensor next = decoder.step({h[0]}, concat({embedded[0], a.context}, 1))[0];
             return ScanStep{{next}, {concat({next, a.context}, 1), a.weights}};
           });
  Tensor logits = Dense(model, "output", symbols)(decoded[1]);
  model.output("logits", logits);
  model.output("attention", decoded[2]);
  model.minimize(sequence_loss(logits, target, sequence_mask(targetLengths, targetSteps)), SGD{.learning_rate = 1.0});
}

} // namespace

LOOM_MODEL(golden_rnn_tanh, model) {
  SimpleRNN rnn(model, "rnn", H, RecurrentOptions{.activation = Activation::Tanh});
  recurrentCase(model, rnn, false);
}

LOOM_MODEL(golden_rnn_relu, model) {
  SimpleRNN rnn(model, "rnn", H, RecurrentOptions{.activation = Activation::Relu});
  recurrentCase(model, rnn, false);
}

LOOM_MODEL(golden_lstm, model) {
  LSTM lstm(model, "lstm", H);
  recurrentCase(model, lstm, true);
}

LOOM_MODEL(golden_gru, model) {
  GRU gru(model, "gru", H);
  recurrentCase(model, gru, false);
}

LOOM_MODEL(golden_gru_cho, model) {
  GRU gru(model, "gru", H, RecurrentOptions{.reset_after = false});
  recurrentCase(model, gru, false);
}

LOOM_MODEL(golden_lstm_reverse, model) {
  LSTM lstm(model, "lstm", H, RecurrentOptions{.go_backwards = true});
  recurrentCase(model, lstm, true);
}

LOOM_MODEL(golden_bilstm_concat, model) {
  Tensor x = model.input("x", {T, B, I});
  Tensor sequence = Bidirectional<LSTM>(model, "bilstm", H, Merge::Concat, {.returns = Returns::Sequence})(x);
  model.output("sequence", sequence);
  model.minimize(probeLoss(model, sequence, {}), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_bigru_sum, model) {
  Tensor x = model.input("x", {T, B, I});
  Tensor sequence = Bidirectional<GRU>(model, "bigru", H, Merge::Sum, {.returns = Returns::Sequence})(x);
  model.output("sequence", sequence);
  model.minimize(probeLoss(model, sequence, {}), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_stacked_lstm, model) {
  Tensor x = model.input("x", {T, B, I});
  RecurrentOutputs out = Stacked<LSTM>(model, "stack", H, 2).run(x);
  model.output("sequence", out.sequence);
  model.output("final_h", out.state[0]);
  model.minimize(probeLoss(model, out.sequence, {{"h", out.state[0]}}), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_masked_embedding_lstm, model) {
  constexpr int64_t steps = 6, batch = 4, vocabulary = 9, features = 5, units = 7, classes = 3;
  Tensor tokens = model.integer_input("tokens", {steps, batch});
  Tensor lengths = model.integer_input("lengths", {batch});
  Tensor labels = model.integer_input("labels", {batch});
  Tensor embedded = Embedding(model, "embedding", vocabulary, features)(tokens);
  RecurrentOutputs out = LSTM(model, "lstm", units).run(embedded, {}, lengths);
  Tensor logits = Dense(model, "classifier", classes)(out.state[0]);
  model.output("logits", logits);
  model.output("sequence", out.sequence);
  model.minimize(sparse_softmax_cross_entropy(logits, labels), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_loss_softmax_onehot, model) {
  Tensor logits = model.parameter("logits", {4, 5}, Initializer::zeros());
  model.minimize(softmax_cross_entropy(logits, model.input("labels", {4, 5})), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_loss_sparse, model) {
  Tensor logits = model.parameter("logits", {4, 5}, Initializer::zeros());
  model.minimize(sparse_softmax_cross_entropy(logits, model.integer_input("labels", {4})),
                 SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_loss_sequence, model) {
  Tensor logits = model.parameter("logits", {3, 2, 4}, Initializer::zeros());
  Tensor loss = sequence_loss(logits, model.integer_input("labels", {3, 2}), model.input("weights", {3, 2}));
  model.minimize(loss, SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_loss_sigmoid_bce, model) {
  Tensor logits = model.parameter("logits", {4, 3}, Initializer::zeros());
  model.minimize(sigmoid_cross_entropy(logits, model.input("targets", {4, 3})), SGD{.learning_rate = 1.0});
}

LOOM_MODEL(golden_sgd, model) { optimizerCase(model, SGD{.learning_rate = 0.1}); }
LOOM_MODEL(golden_sgd_momentum, model) { optimizerCase(model, SGD{.learning_rate = 0.1, .momentum = 0.9}); }
LOOM_MODEL(golden_sgd_momentum_keras, model) {
  optimizerCase(model, SGD{.learning_rate = 0.1, .momentum = 0.9, .semantics = Semantics::Keras});
}
LOOM_MODEL(golden_adam, model) { optimizerCase(model, Adam{.learning_rate = 0.01}); }
LOOM_MODEL(golden_adam_keras, model) {
  optimizerCase(model, Adam{.learning_rate = 0.01, .epsilon = 1e-7, .semantics = Semantics::Keras});
}
LOOM_MODEL(golden_rmsprop, model) { optimizerCase(model, RMSprop{.learning_rate = 0.01}); }
LOOM_MODEL(golden_rmsprop_keras, model) {
  optimizerCase(model, RMSprop{.learning_rate = 0.01, .rho = 0.9, .epsilon = 1e-7, .semantics = Semantics::Keras});
}
LOOM_MODEL(golden_adam_clipped, model) {
  optimizerCase(model, Adam{.learning_rate = 0.01}, ClipByGlobalNorm{.max_norm = 0.5});
}
LOOM_MODEL(golden_sgd_clipped, model) {
  optimizerCase(model, SGD{.learning_rate = 0.1}, ClipByGlobalNorm{.max_norm = 0.5});
}
LOOM_MODEL(golden_sgd_clipped_keras, model) {
  optimizerCase(model, SGD{.learning_rate = 0.1},
                ClipByGlobalNorm{.max_norm = 0.5, .semantics = Semantics::Keras});
}

LOOM_MODEL(golden_attention_additive, model) { attentionCase(model, AttentionScore::Additive); }
LOOM_MODEL(golden_attention_dot, model) { attentionCase(model, AttentionScore::Dot); }
LOOM_MODEL(golden_attention_general, model) { attentionCase(model, AttentionScore::General); }
