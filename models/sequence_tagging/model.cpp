// The Keras SimpleRNN tutorial: SimpleRNN(3) with return_sequences reads "John loves Jane" and
// "Jane loves John" one word (one-hot) per step, and a dense head tags every word as subject, verb
// or object. The layer keeps Keras's initializers (Glorot uniform kernel, orthogonal recurrent
// kernel, zero bias) so that its parameters read like a Keras model's; the model also outputs the
// layer's final state, which for a SimpleRNN is its last per-step output (Keras's return_state).
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {
constexpr int64_t kWords = 3, kSentences = 2, kVocabulary = 3, kUnits = 3, kTags = 3;
} // namespace

LOOM_MODEL(sequence_tagging, model) {
  Tensor words = model.integer_input("words", {kWords, kSentences}); // word ids, time-major [T, B]
  Tensor tags = model.integer_input("tags", {kWords * kSentences});  // [T * B], step-major
  SimpleRNN rnn(model, "rnn", kUnits,
                RecurrentOptions{.returns = Returns::Sequence, .initialization = Initialization::Keras});
  RecurrentOutputs rnn_outputs = rnn.run(one_hot(words, kVocabulary));
  Dense tagger(model, "tagger", kTags);
  Tensor logits = reshape(TimeDistributed(tagger)(rnn_outputs.sequence), {kWords * kSentences, kTags});
  model.output("states", rnn_outputs.sequence);      // [T, B, units]: every step's output
  model.output("final_state", rnn_outputs.state[0]); // [B, units]: the state the layer returns
  model.output("logits", logits);
  model.minimize(sparse_softmax_cross_entropy(logits, tags),
                 Adam{.learning_rate = 0.05, .epsilon = 1e-7, .semantics = Semantics::Keras});
}
