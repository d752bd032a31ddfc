// Shared by the text_generation programs: the fortune corpus as the models see it (one text of
// fortunes joined by fortune files' "%" lines, its character vocabulary, the held-out split), and
// moving the LSTM states that both compiled shapes take as inputs and return as outputs.
#pragma once

#include "text_generation_sampler.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/text.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace text_generation {

using Sampler = loom::models::text_generation_sampler;

constexpr int64_t kVocabulary = Sampler::logits_shape[1];

/// What comes between two fortunes: the line that separates them in fortune files, so the model
/// learns where a fortune ends and samples read like a fortune file.
inline const std::string kSeparator = "\n%\n";

/// Every 20th fortune (the 20th, 40th, ...) is held out: deterministic, and unlike the last 5% of
/// the files in name order (zippy, work, wisdom) it has the mix of every file.
constexpr size_t kHeldOutEvery = 20;

/// `fortunes` joined by kSeparator, ending with one too (the next fortune would start there).
inline std::string join(const std::vector<std::string> &fortunes) {
  std::string text;
  for (const std::string &fortune : fortunes)
    text += fortune + kSeparator;
  return text;
}

struct Corpus {
  /// The bytes of the whole corpus, whatever `limit` kept, so that every run shares the ids.
  loom::CharVocabulary vocabulary;
  std::vector<std::string> training, held_out;
};

/// The fortunes in `directory`: the first `limit` of them (all when 0) split into training and
/// held-out ones. Throws loom::Error when the corpus does not have the vocabulary the model was
/// compiled for.
inline Corpus load_corpus(const std::string &directory, size_t limit = 0) {
  std::vector<std::string> fortunes = loom::load_fortunes(directory);
  Corpus corpus{loom::CharVocabulary(join(fortunes)), {}, {}};
  if (corpus.vocabulary.size() != kVocabulary)
    throw loom::Error("the fortunes in " + directory + " have " + std::to_string(corpus.vocabulary.size()) +
                      " distinct characters, but the model was compiled for " + std::to_string(kVocabulary) +
                      "; set kVocabulary in models/text_generation/model.cpp to " +
                      std::to_string(corpus.vocabulary.size()) + " and rebuild");
  if (limit > 0 && limit < fortunes.size())
    fortunes.resize(limit);
  for (size_t i = 0; i < fortunes.size(); ++i)
    ((i + 1) % kHeldOutEvery == 0 ? corpus.held_out : corpus.training).push_back(std::move(fortunes[i]));
  return corpus;
}

/// Mean cross-entropy in nats as bits per character.
inline double bits_per_character(double nats) { return nats / std::log(2.0); }

/// Zeroes every layer's initial state.
template <typename Network> void reset_state(Network &network) {
  for (std::span<float> state : {network.h0(), network.c0(), network.h1(), network.c1()})
    std::fill(state.begin(), state.end(), 0.0f);
}

/// Makes the final states of the last forward() or train_step() the next one's initial states.
template <typename Network> void carry_state(Network &network) {
  std::ranges::copy(network.final_h0(), network.h0().begin());
  std::ranges::copy(network.final_c0(), network.c0().begin());
  std::ranges::copy(network.final_h1(), network.h1().begin());
  std::ranges::copy(network.final_c1(), network.c1().begin());
}

} // namespace text_generation
