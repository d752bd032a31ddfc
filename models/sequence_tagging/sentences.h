// Shared by the sequence_tagging programs: the three words, the two training sentences tagged
// subject, verb, object, and how sentences go into the model and tags come back out.
#pragma once

#include "sequence_tagging.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

#include <algorithm>
#include <array>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace tagging {

using Model = loom::models::sequence_tagging;
constexpr int64_t kWords = Model::words_shape[0], kSentences = Model::words_shape[1],
                  kTags = Model::logits_shape[1], kUnits = Model::final_state_shape[1];

inline constexpr std::array<std::string_view, 3> kVocabulary = {"John", "loves", "Jane"};
inline constexpr std::array<std::string_view, kTags> kTagNames = {"S", "V", "O"}; // subject, verb, object
inline const std::vector<std::string> kTrainingSentences = {"John loves Jane", "Jane loves John"};
/// Both training sentences are tagged S V O.
inline constexpr std::array<int32_t, kWords> kTrainingTags = {0, 1, 2};

/// The word ids of a sentence of exactly kWords words from the vocabulary.
struct Sentence {
  std::string text;
  std::array<int32_t, kWords> ids;
};

inline Sentence parse(const std::string &text) {
  Sentence sentence{text, {}};
  std::istringstream words(text);
  std::string word;
  int64_t count = 0;
  while (words >> word) {
    int64_t id = 0;
    while (id < int64_t(kVocabulary.size()) && kVocabulary[size_t(id)] != word)
      ++id;
    if (id == int64_t(kVocabulary.size()))
      throw loom::Error("the sentence \"" + text + "\" has the word \"" + word +
                        "\", which the model does not know; use John, loves and Jane");
    if (count < kWords)
      sentence.ids[size_t(count)] = int32_t(id);
    ++count;
  }
  if (count != kWords)
    throw loom::Error("the sentence \"" + text + "\" has " + std::to_string(count) + " words; the model reads " +
                      std::to_string(kWords));
  return sentence;
}

/// Puts up to kSentences sentences into the model (the rest of the batch repeats the first) with
/// the training tags as labels.
inline void fill(Model &model, std::span<const Sentence> sentences) {
  for (int64_t t = 0; t < kWords; ++t)
    for (int64_t b = 0; b < kSentences; ++b) {
      const Sentence &sentence = sentences[b < int64_t(sentences.size()) ? size_t(b) : 0];
      model.words()[size_t(t * kSentences + b)] = sentence.ids[size_t(t)];
      model.tags()[size_t(t * kSentences + b)] = kTrainingTags[size_t(t)];
    }
}

/// The tag logits of word `t` of sentence `b`.
inline std::span<const float> tag_logits(const Model &model, int64_t t, int64_t b) {
  return model.logits().subspan(size_t((t * kSentences + b) * kTags), size_t(kTags));
}

/// How many of the batch's words get the tag they are labelled with.
inline int64_t count_correct(Model &model) {
  int64_t correct = 0;
  for (int64_t t = 0; t < kWords; ++t)
    for (int64_t b = 0; b < kSentences; ++b)
      correct += loom::argmax(tag_logits(model, t, b)) == model.tags()[size_t(t * kSentences + b)];
  return correct;
}

/// "S V O": the most likely tag of every word of sentence `b`.
inline std::string predicted_tags(const Model &model, int64_t b) {
  std::string tags;
  for (int64_t t = 0; t < kWords; ++t)
    tags += (t ? " " : "") + std::string(kTagNames[size_t(loom::argmax(tag_logits(model, t, b)))]);
  return tags;
}

/// Whether the layer's returned state of sentence `b` equals its last per-step output, exactly.
inline bool state_is_last_output(const Model &model, int64_t b) {
  std::span<const float> last =
      model.states().subspan(size_t(((kWords - 1) * kSentences + b) * kUnits), size_t(kUnits));
  std::span<const float> state = model.final_state().subspan(size_t(b * kUnits), size_t(kUnits));
  return std::equal(last.begin(), last.end(), state.begin());
}

} // namespace tagging
