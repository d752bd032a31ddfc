// Word translation, the classic TensorFlow seq2seq tutorial: an encoder RNN reads an English word
// letter by letter, and its final state starts a decoder RNN that writes the Korean word syllable
// by syllable ("word" -> "단어"). Two models share the layers and one parameter file:
//   word_translation            trains on all six pairs at once with teacher forcing: the decoder
//                               reads <start> and the target, shifted right, and learns to predict
//                               the target and <end>;
//   word_translation_translator translates one word greedily, feeding each step's most likely
//                               symbol back as the next step's input, in one compiled scan.
// As in the tutorial: RNN cells of 128 units, dropout (rate 0.5) on the decoder's outputs while
// training, Adam with rate 0.01.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

namespace {

constexpr int64_t kSourceLetters = 4, kPairs = 6, kLetters = 26, kUnits = 128;
// Two syllables and <end>.
constexpr int64_t kTargetSteps = 3;
// <pad>, <start>, <end> and the 12 syllables of the six translations.
constexpr int64_t kSymbols = 15;

/// The layers both models use, declared under the same names so that the translator reads the
/// trained model's parameter file.
struct Translation {
  SimpleRNN encoder, decoder;
  Dense output;

  explicit Translation(Model &model)
      : encoder(model, "encoder", kUnits, RecurrentOptions{.initialization = Initialization::Keras}),
        decoder(model, "decoder", kUnits, RecurrentOptions{.initialization = Initialization::Keras}),
        output(model, "output", kSymbols) {}

  /// The encoder's final state for letter ids [letters, B]: where the decoder starts.
  std::vector<Tensor> encode(const Tensor &source) { return encoder.run(one_hot(source, kLetters)).state; }
};

} // namespace

LOOM_MODEL(word_translation, model) {
  Tensor source = model.integer_input("source", {kSourceLetters, kPairs});             // letter ids, time-major
  Tensor decoder_input = model.integer_input("decoder_input", {kTargetSteps, kPairs}); // <start>, target
  Tensor target = model.integer_input("target", {kTargetSteps, kPairs});               // target, <end>, <pad>...
  Tensor target_lengths = model.integer_input("target_lengths", {kPairs});             // with <end>
  Translation translation(model);
  Tensor outputs = translation.decoder.run(one_hot(decoder_input, kSymbols), translation.encode(source)).sequence;
  Tensor logits = translation.output(dropout(outputs, 0.5)); // [steps, B, symbols]
  model.output("logits", logits);
  // Padding past each target's <end> does not count.
  model.minimize(sequence_loss(logits, target, sequence_mask(target_lengths, kTargetSteps)),
                 Adam{.learning_rate = 0.01});
}

LOOM_MODEL(word_translation_translator, model) {
  model.variant_of("word_translation");
  Tensor source = model.integer_input("source", {kSourceLetters, 1});
  Tensor start = model.integer_input("start", {1}); // the <start> symbol's id
  Translation translation(model);
  // Carried from step to step: the decoder's state and the symbol it chose last (int32).
  std::vector<Tensor> decoded =
      scan(kTargetSteps, {translation.encode(source)[0], start}, {},
           [&](const std::vector<Tensor> &carried, const std::vector<Tensor> &) {
             Tensor h = translation.decoder.step({carried[0]}, one_hot(carried[1], kSymbols))[0];
             Tensor logits = translation.output(h);
             Tensor symbol = argmax(logits);
             return ScanStep{{h, symbol}, {logits, symbol}};
           });
  model.output("logits", decoded[2]);  // [steps, 1, symbols]
  model.output("symbols", decoded[3]); // [steps, 1]: the greedy choices, fed back
}
