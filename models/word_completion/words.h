// Shared by the word_completion programs: the ten four-letter words of the tutorial, and how
// three-letter prefixes go into the model and completed words come back out.
#pragma once

#include "word_completion.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace completion {

using Model = loom::models::word_completion;
constexpr int64_t kPrefixLetters = Model::prefixes_shape[0], kBatch = Model::prefixes_shape[1],
                  kLetters = Model::logits_shape[1];

inline const std::vector<std::string> kWords = {"word", "wood", "deep", "dive", "cold",
                                                "cool", "load", "love", "kiss", "kind"};

/// Throws loom::Error unless `prefix` is kPrefixLetters lowercase letters.
inline void check_prefix(const std::string &prefix) {
  bool letters = prefix.size() == size_t(kPrefixLetters);
  for (char c : prefix)
    letters &= c >= 'a' && c <= 'z';
  if (!letters)
    throw loom::Error("\"" + prefix + "\" is not a prefix the model reads: give " +
                      std::to_string(kPrefixLetters) + " lowercase letters a-z");
}

/// Puts up to kBatch prefixes into the model (the rest of the batch repeats the first) and, where
/// given, the letters that complete them as labels (else 'a').
inline void fill(Model &model, std::span<const std::string> prefixes, std::span<const char> last_letters = {}) {
  for (int64_t b = 0; b < kBatch; ++b) {
    size_t example = b < int64_t(prefixes.size()) ? size_t(b) : 0;
    check_prefix(prefixes[example]);
    for (int64_t t = 0; t < kPrefixLetters; ++t)
      model.prefixes()[size_t(t * kBatch + b)] = prefixes[example][size_t(t)] - 'a';
    model.last_letters()[size_t(b)] = example < last_letters.size() ? last_letters[example] - 'a' : 0;
  }
}

/// The ten words' prefixes and last letters in the model: the whole training set, one batch.
inline void fill_training_words(Model &model) {
  std::vector<std::string> prefixes;
  std::vector<char> last_letters;
  for (const std::string &word : kWords) {
    prefixes.push_back(word.substr(0, size_t(kPrefixLetters)));
    last_letters.push_back(word.back());
  }
  fill(model, prefixes, last_letters);
}

inline std::span<const float> letter_logits(const Model &model, int64_t b) {
  return model.logits().subspan(size_t(b * kLetters), size_t(kLetters));
}

/// The most likely last letter of example `b`.
inline char completion(const Model &model, int64_t b) { return char('a' + loom::argmax(letter_logits(model, b))); }

/// How many examples of the batch get their labelled last letter.
inline int64_t count_correct(Model &model) {
  int64_t correct = 0;
  for (int64_t b = 0; b < kBatch; ++b)
    correct += completion(model, b) - 'a' == model.last_letters()[size_t(b)];
  return correct;
}

} // namespace completion
