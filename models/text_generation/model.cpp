// Character-level text generation on the fortune cookie corpus (the "char-rnn" of Karpathy's
// "The Unreasonable Effectiveness of Recurrent Neural Networks" and TensorFlow's "Text generation
// with an RNN"): an embedding of each byte, two stacked LSTMs and a Dense head predicting the next
// character at every step.
//
// Two compiled shapes share one set of parameters:
//   text_generation          [T = 64, B = 32], trained with truncated backprop through time: every
//                            layer's state enters as an input and leaves as an output, so the
//                            training program carries it from one window of the text to the next
//                            while gradients stop at the window's start.
//   text_generation_sampler  [T = 1, B = 1], the same network one character at a time for sampling.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

#include <string>

using namespace loom::dsl;

namespace {

/// Distinct bytes of the fortunes (load_fortunes() joined with the "\n%\n" separator of fortune
/// files); the programs check that the installed corpus still has exactly this many.
constexpr int64_t kVocabulary = 112;
constexpr int64_t kEmbedding = 64, kUnits = 256, kLayers = 2;
constexpr int64_t kTrainingSteps = 64, kTrainingBatch = 32;

/// The network from ids [T, B] to logits [T, B, vocabulary]. Layer l reads its initial state from
/// the inputs h<l> and c<l> [B, units] and writes its final state to the outputs final_h<l> and
/// final_c<l>.
Tensor nextCharacterLogits(Model &model, const Tensor &characters) {
  const int64_t batch = characters.shape()[1];
  Embedding embedding(model, "embedding", kVocabulary, kEmbedding);
  Stacked<LSTM> lstm(model, "lstm", kUnits, kLayers);
  Dense head(model, "head", kVocabulary);
  Tensor sequence = embedding(characters);
  for (int64_t l = 0; l < kLayers; ++l) {
    const std::string layer = std::to_string(l);
    RecurrentOutputs out = lstm.layer(size_t(l)).run(
        sequence, {model.input("h" + layer, {batch, kUnits}), model.input("c" + layer, {batch, kUnits})});
    model.output("final_h" + layer, out.state[0]);
    model.output("final_c" + layer, out.state[1]);
    sequence = out.sequence;
  }
  return TimeDistributed(head)(sequence);
}

} // namespace

LOOM_MODEL(text_generation, model) {
  // Time-major windows of character ids, and as labels each one's next character, flattened [T * B].
  Tensor characters = model.integer_input("characters", {kTrainingSteps, kTrainingBatch});
  Tensor next = model.integer_input("next", {kTrainingSteps * kTrainingBatch});
  Tensor logits = reshape(nextCharacterLogits(model, characters), {kTrainingSteps * kTrainingBatch, kVocabulary});
  model.output("logits", logits);
  // Mean cross-entropy in nats over every step of every window; bits per character is this / ln 2.
  // Karpathy's char-rnn settings: Adam at 2e-3 and gradients clipped at norm 5.
  model.minimize(sparse_softmax_cross_entropy(logits, next), Adam{.learning_rate = 2e-3},
                 ClipByGlobalNorm{.max_norm = 5.0});
}

LOOM_MODEL(text_generation_sampler, model) {
  model.variant_of("text_generation");
  Tensor character = model.integer_input("character", {1, 1});
  model.output("logits", reshape(nextCharacterLogits(model, character), {1, kVocabulary}));
}
