// The training model's side of word_translation: the six pairs as one teacher-forced batch, and
// the symbol accuracy of its predictions.
#pragma once

#include "pairs.h"
#include "word_translation.h"

namespace translation {

using Trainer = loom::models::word_translation;
constexpr int64_t kPairs = Trainer::source_shape[1];
static_assert(Trainer::logits_shape[0] == kTargetSteps && Trainer::logits_shape[2] == kSymbols,
              "the trainer and the translator must agree on the output steps and symbols");

/// Puts the six pairs into the training model, time-major: source letters; decoder inputs
/// <start> + target (teacher forcing); targets target + <end>, padded with <pad>; target lengths.
inline void fill_pairs(Trainer &model) {
  if (kTrainingPairs.size() != size_t(kPairs))
    throw loom::Error("the model was compiled for " + std::to_string(kPairs) + " pairs, but there are " +
                      std::to_string(kTrainingPairs.size()));
  for (int64_t b = 0; b < kPairs; ++b) {
    const Pair &pair = kTrainingPairs[size_t(b)];
    std::vector<int32_t> letters = letter_ids(pair.english), target = target_symbols(pair.korean);
    if (target.size() > size_t(kTargetSteps))
      throw loom::Error("\"" + pair.korean + "\" is longer than the model's " + std::to_string(kTargetSteps - 1) +
                        " syllables");
    for (int64_t t = 0; t < kSourceLetters; ++t)
      model.source()[size_t(t * kPairs + b)] = letters[size_t(t)];
    target.resize(size_t(kTargetSteps), kPad);
    for (int64_t t = 0; t < kTargetSteps; ++t) {
      model.target()[size_t(t * kPairs + b)] = target[size_t(t)];
      model.decoder_input()[size_t(t * kPairs + b)] = t == 0 ? kStart : target[size_t(t - 1)];
    }
    model.target_lengths()[size_t(b)] = int32_t(target_symbols(pair.korean).size());
  }
}

/// Teacher-forced symbol accuracy of the last forward pass, over the unpadded target positions.
inline double symbol_accuracy(Trainer &model) {
  int64_t correct = 0, counted = 0;
  for (int64_t b = 0; b < kPairs; ++b)
    for (int64_t t = 0; t < model.target_lengths()[size_t(b)]; ++t) {
      std::span<const float> logits =
          model.logits().subspan(size_t((t * kPairs + b) * kSymbols), size_t(kSymbols));
      correct += loom::argmax(logits) == model.target()[size_t(t * kPairs + b)];
      ++counted;
    }
  return double(correct) / double(counted);
}

} // namespace translation
