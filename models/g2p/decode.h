// Decoding with a compiled g2p decoder: greedy (g2p_greedy, g2p_greedy_one) or beam search
// (g2p_beam, g2p_beam_one). Words in, predicted pronunciations out (with the attention weights of
// greedy decoding, or the log-probability of beam search's best beam), a batch of the decoder's
// size at a time.
#pragma once

#include "sizes.h"

#include "loom/runtime/cmudict.h"

#include <algorithm>
#include <string>
#include <vector>

namespace loom::g2p {

struct Prediction {
  Pronunciation phonemes;
  /// Greedy decoders: one row per predicted phoneme and one for <end> when the decoder wrote it,
  /// each holding the attention weight of every letter of the word.
  std::vector<std::vector<float>> attention;
  /// Beam search: the log-probability of the pronunciation and its <end>.
  float score = 0;
};

/// "F OW N IY M": the phonemes separated by spaces, as the dictionary writes them.
inline std::string phoneme_string(const Pronunciation &phonemes) {
  std::string text;
  for (const std::string &p : phonemes)
    text += (text.empty() ? "" : " ") + p;
  return text;
}

/// Whether the compiled models can read `word` at all (they have kSourceSteps letter steps).
inline bool readable(const std::string &word) {
  return !word.empty() && int64_t(word.size()) <= kSourceSteps;
}

/// Decodes `words` (each readable()) with `decoder`, whose parameters must be loaded.
template <typename Decoder>
std::vector<Prediction> decode(Decoder &decoder, const std::vector<std::string> &words, const PhonemeSymbols &symbols) {
  constexpr int64_t batch = Decoder::source_lengths_shape[0];
  std::vector<Prediction> predictions;
  predictions.reserve(words.size());
  static_assert(PhonemeSymbols::kStart == kStartId && PhonemeSymbols::kEnd == kEndId);
  for (size_t first = 0; first < words.size(); first += batch) {
    const int64_t count = std::min<int64_t>(batch, int64_t(words.size() - first));
    // A partial last batch repeats its first word in the unused slots.
    std::vector<std::string> chunk(words.begin() + first, words.begin() + first + count);
    chunk.resize(batch, chunk.front());
    fill_source_batch(chunk, kSourceSteps, decoder.source(), decoder.source_lengths());
    decoder.forward();
    auto phonemes = decoder.phonemes(); // [T, B]
    for (int64_t b = 0; b < count; ++b) {
      Prediction prediction;
      if constexpr (requires { decoder.scores(); })
        prediction.score = decoder.scores()[b];
      for (int64_t t = 0; t < kTargetSteps; ++t) {
        const int32_t id = phonemes[t * batch + b];
        if constexpr (requires { decoder.attention(); }) {
          const float *weights = &decoder.attention()[(t * batch + b) * kSourceSteps]; // [T, B, S]
          prediction.attention.emplace_back(weights, weights + chunk[b].size());
        }
        if (id == PhonemeSymbols::kEnd)
          break;
        prediction.phonemes.push_back(symbols.symbol(id));
      }
      predictions.push_back(std::move(prediction));
    }
  }
  return predictions;
}

/// Word and phoneme error rates of `decoder` over `entries`. Words the models cannot read
/// count as wrong, with their first pronunciation's length in phoneme errors.
template <typename Decoder>
PronunciationErrors score(Decoder &decoder, const std::vector<DictionaryEntry> &entries, const PhonemeSymbols &symbols) {
  std::vector<std::string> words;
  std::vector<const DictionaryEntry *> readable_entries;
  PronunciationErrors errors;
  for (const DictionaryEntry &entry : entries) {
    if (readable(entry.word)) {
      words.push_back(entry.word);
      readable_entries.push_back(&entry);
    } else {
      errors.add({}, entry.pronunciations);
    }
  }
  std::vector<Prediction> predictions = decode(decoder, words, symbols);
  for (size_t i = 0; i < predictions.size(); ++i)
    errors.add(predictions[i].phonemes, readable_entries[i]->pronunciations);
  return errors;
}

} // namespace loom::g2p
