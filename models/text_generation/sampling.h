// Generating text with the batch-1 sampler: read a starting text one character at a time, then
// draw each next character from softmax(logits / temperature) and feed it back.
#pragma once

#include "corpus.h"

#include "loom/runtime/metrics.h"
#include "loom/runtime/random.h"

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace text_generation {

/// The index that `uniform` in [0, 1) falls on when [0, 1) is cut into `probabilities`.
inline int32_t draw(std::span<const float> probabilities, float uniform) {
  double cumulative = 0;
  for (size_t i = 0; i < probabilities.size(); ++i) {
    cumulative += probabilities[i];
    if (uniform < cumulative)
      return int32_t(i);
  }
  return int32_t(probabilities.size() - 1); // rounding left the sum just below 1
}

class TextSampler {
public:
  /// `sampler` must hold trained parameters; `vocabulary` is the one it was trained with.
  TextSampler(Sampler &sampler, const loom::CharVocabulary &vocabulary) : sampler_(sampler), vocabulary_(vocabulary) {}

  /// Forgets everything read so far.
  void reset() { reset_state(sampler_); }

  /// Reads `text` (at least one character, each from the vocabulary) after what was read before;
  /// returns the logits of the character that follows it.
  std::vector<float> read(std::string_view text) {
    if (text.empty())
      throw loom::Error("the text to start from is empty; give at least one character");
    for (int32_t id : vocabulary_.encode(text))
      step(id);
    return {sampler_.logits().begin(), sampler_.logits().end()};
  }

  /// `length` characters that follow `start`, each drawn from softmax(logits / temperature).
  std::string generate(std::string_view start, int64_t length, float temperature, loom::Random &random) {
    if (!(temperature > 0))
      throw loom::Error("the temperature must be above 0, got " + std::to_string(temperature));
    reset();
    std::vector<float> logits = read(start);
    std::string text;
    while (int64_t(text.size()) < length) {
      for (float &logit : logits)
        logit /= temperature;
      int32_t id = draw(loom::softmax(logits), random.uniform());
      text += vocabulary_.character(id);
      step(id);
      logits.assign(sampler_.logits().begin(), sampler_.logits().end());
    }
    return text;
  }

private:
  void step(int32_t id) {
    sampler_.character()[0] = id;
    sampler_.forward();
    carry_state(sampler_);
  }

  Sampler &sampler_;
  const loom::CharVocabulary &vocabulary_;
};

} // namespace text_generation
