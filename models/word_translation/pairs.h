// Shared by the word_translation programs: the six English-Korean pairs, the two vocabularies (26
// letters; <pad>, <start>, <end> and the Korean syllables, one symbol per Unicode code point, read
// from and written as UTF-8), and greedy translation with the batch-1 translator.
#pragma once

#include "word_translation_translator.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/metrics.h"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace translation {

using Translator = loom::models::word_translation_translator;
constexpr int64_t kSourceLetters = Translator::source_shape[0], kTargetSteps = Translator::logits_shape[0],
                  kSymbols = Translator::logits_shape[2];

struct Pair {
  std::string english, korean;
};
inline const std::vector<Pair> kTrainingPairs = {{"word", "단어"}, {"wood", "나무"}, {"game", "놀이"},
                                                 {"girl", "소녀"}, {"kiss", "키스"}, {"love", "사랑"}};

//===----------------------------------------------------------------------===//
// UTF-8
//===----------------------------------------------------------------------===//

/// The code points of UTF-8 text; throws loom::Error naming the text on a malformed sequence.
inline std::u32string decode_utf8(std::string_view text) {
  std::u32string code_points;
  for (size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const size_t length = lead < 0x80           ? 1
                          : (lead >> 5) == 0x6  ? 2
                          : (lead >> 4) == 0xE  ? 3
                          : (lead >> 3) == 0x1E ? 4
                                                : 0;
    if (length == 0 || i + length > text.size())
      throw loom::Error("\"" + std::string(text) + "\" is not valid UTF-8 (byte " + std::to_string(i) + ")");
    char32_t code_point = length == 1 ? lead : lead & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next >> 6) != 0x2)
        throw loom::Error("\"" + std::string(text) + "\" is not valid UTF-8 (byte " + std::to_string(i + k) + ")");
      code_point = (code_point << 6) | (next & 0x3F);
    }
    code_points += code_point;
    i += length;
  }
  return code_points;
}

inline std::string encode_utf8(char32_t code_point) {
  std::string bytes;
  if (code_point < 0x80) {
    bytes += char(code_point);
  } else if (code_point < 0x800) {
    bytes += char(0xC0 | (code_point >> 6));
    bytes += char(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    bytes += char(0xE0 | (code_point >> 12));
    bytes += char(0x80 | ((code_point >> 6) & 0x3F));
    bytes += char(0x80 | (code_point & 0x3F));
  } else {
    bytes += char(0xF0 | (code_point >> 18));
    bytes += char(0x80 | ((code_point >> 12) & 0x3F));
    bytes += char(0x80 | ((code_point >> 6) & 0x3F));
    bytes += char(0x80 | (code_point & 0x3F));
  }
  return bytes;
}

//===----------------------------------------------------------------------===//
// Vocabularies
//===----------------------------------------------------------------------===//

/// Target symbols: the three markers, then the syllables of the translations in order of first use.
constexpr int32_t kPad = 0, kStart = 1, kEnd = 2;

inline const std::u32string &syllables() {
  static const std::u32string all = [] {
    std::u32string found;
    for (const Pair &pair : kTrainingPairs)
      for (char32_t syllable : decode_utf8(pair.korean))
        if (found.find(syllable) == std::u32string::npos)
          found += syllable;
    return found;
  }();
  return all;
}

/// "<end>" for a marker, the syllable in UTF-8 otherwise.
inline std::string symbol_text(int32_t symbol) {
  static const std::array<const char *, 3> markers = {"<pad>", "<start>", "<end>"};
  return symbol < 3 ? markers[size_t(symbol)] : encode_utf8(syllables()[size_t(symbol - 3)]);
}

/// The letter ids of an English word of kSourceLetters lowercase letters; throws loom::Error otherwise.
inline std::vector<int32_t> letter_ids(const std::string &word) {
  std::vector<int32_t> ids;
  for (char c : word)
    ids.push_back(c >= 'a' && c <= 'z' ? c - 'a' : -1);
  if (ids.size() != size_t(kSourceLetters) || std::find(ids.begin(), ids.end(), -1) != ids.end())
    throw loom::Error("\"" + word + "\" cannot be translated: the model reads words of " +
                      std::to_string(kSourceLetters) + " lowercase letters a-z");
  return ids;
}

/// The symbols of a Korean word followed by <end>.
inline std::vector<int32_t> target_symbols(const std::string &korean) {
  std::vector<int32_t> symbols;
  for (char32_t syllable : decode_utf8(korean))
    symbols.push_back(int32_t(3 + syllables().find(syllable)));
  symbols.push_back(kEnd);
  return symbols;
}

//===----------------------------------------------------------------------===//
// Greedy translation
//===----------------------------------------------------------------------===//

/// One greedy translation: the symbols chosen step by step up to <end>, and every step's logits
/// (views of the translator's output, valid until its next forward()).
struct Translation {
  std::string korean;
  bool ended = false; // whether the decoder chose <end> within its steps
  std::vector<std::span<const float>> step_logits;
};

inline Translation translate(Translator &translator, const std::string &english) {
  std::vector<int32_t> letters = letter_ids(english);
  std::copy(letters.begin(), letters.end(), translator.source().begin());
  translator.start()[0] = kStart;
  translator.forward();
  Translation result;
  for (int64_t t = 0; t < kTargetSteps && !result.ended; ++t) {
    result.step_logits.push_back(translator.logits().subspan(size_t(t * kSymbols), size_t(kSymbols)));
    const int32_t symbol = translator.symbols()[size_t(t)];
    if (symbol == kEnd)
      result.ended = true;
    else
      result.korean += symbol_text(symbol);
  }
  return result;
}

} // namespace translation
