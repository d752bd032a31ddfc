// Shared by the hihello programs: the five characters and the one training pair, "hihell" -> "ihello".
#pragma once

#include "hihello.h"

#include <algorithm>
#include <span>
#include <string>
#include <string_view>

namespace hihello {

using Model = loom::models::hihello;
inline constexpr std::string_view kCharacters = "hielo";
inline constexpr std::string_view kInput = "hihell", kTarget = "ihello";
constexpr size_t kClasses = Model::logits_shape[1];

/// Puts `text` into the model one-hot, one character per step, and `next` as the labels.
inline void fill(Model &model, std::string_view text, std::string_view next) {
  std::span<float> characters = model.characters();
  std::fill(characters.begin(), characters.end(), 0.0f);
  for (size_t t = 0; t < text.size(); ++t) {
    characters[t * kClasses + kCharacters.find(text[t])] = 1.0f;
    model.next()[t] = int32_t(kCharacters.find(next[t]));
  }
}

/// The most likely character at every step.
inline std::string prediction(const Model &model) {
  std::string text;
  std::span<const float> logits = model.logits();
  for (size_t t = 0; t < kInput.size(); ++t) {
    auto row = logits.subspan(t * kClasses, kClasses);
    text += kCharacters[size_t(std::max_element(row.begin(), row.end()) - row.begin())];
  }
  return text;
}

} // namespace hihello
