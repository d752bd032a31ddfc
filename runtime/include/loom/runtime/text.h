// Text for language models: the fortune cookie corpus, a character vocabulary for character-level models, and a
// word tokenizer with a word vocabulary for text classification.
//
// Everything works on bytes. The fortunes are ASCII apart from a handful of UTF-8 sequences (about a dozen lines in
// /usr/share/games/fortunes), so a character vocabulary gives each byte of such a sequence its own id and decoding
// the ids gives back the same bytes.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loom {

inline constexpr std::string_view kFortunesDirectory = "/usr/share/games/fortunes";

// Every fortune of the Debian package fortunes: each data file in `directory` (not the .dat index files, not the
// .u8 links to data files, not subdirectories such as off/) in file name order, split at lines that are exactly
// "%". Each fortune is trimmed of surrounding whitespace, empty ones are dropped, and the overstrike sequences a
// few fortunes use for underlining and accents ("_\bx") are resolved to the character that ends up visible; other
// control characters except newline and tab are removed. Throws loom::Error naming the package to install when
// the directory does not exist or holds no fortunes.
std::vector<std::string> load_fortunes(const std::string& directory = std::string(kFortunesDirectory));

// The distinct bytes of a text, sorted, with ids 0, 1, ... in that order.
class CharVocabulary {
 public:
  // Throws loom::Error for an empty text.
  explicit CharVocabulary(std::string_view text);

  int64_t size() const { return static_cast<int64_t>(characters_.size()); }
  // The characters in id order.
  const std::string& characters() const { return characters_; }

  // Throws loom::Error for a character that the vocabulary's text did not contain.
  int32_t index_of(char character) const;
  // Throws loom::Error for an id outside [0, size()).
  char character(int32_t id) const;

  std::vector<int32_t> encode(std::string_view text) const;
  std::string decode(std::span<const int32_t> ids) const;

 private:
  std::string characters_;
  std::array<int32_t, 256> ids_;  // by byte value; -1 for bytes not in the vocabulary
};

// Words for classification: the runs of ASCII letters and digits in `text`, lowercased. Every other byte
// (punctuation, whitespace, bytes of non-ASCII characters) separates words, so "Don't e-mail US!" gives
// {"don", "t", "e", "mail", "us"}.
std::vector<std::string> tokenize_words(std::string_view text);

// Word ids for a classifier's embedding: 0 is padding, 1 stands for every word outside the vocabulary, and the
// kept words follow from 2 on, most frequent first (ties in alphabetical order), so the ids depend only on the
// documents.
class WordVocabulary {
 public:
  static constexpr int32_t kPaddingId = 0;
  static constexpr int32_t kUnknownId = 1;

  struct Encoded {
    std::vector<int32_t> ids;  // exactly max_length ids: the first `length` are words, the rest kPaddingId
    int64_t length = 0;        // min(token count, max_length), for masks and per-example sequence lengths
  };

  // Keeps the `max_size` most frequent words (not counting the padding and unknown ids) among those that occur at
  // least `min_count` times in all `documents` together. Throws loom::Error for max_size < 0 or min_count < 1.
  WordVocabulary(std::span<const std::vector<std::string>> documents, int64_t max_size, int64_t min_count = 1);

  // Kept words plus the padding and unknown ids.
  int64_t size() const { return static_cast<int64_t>(words_.size()); }
  // kUnknownId for a word outside the vocabulary.
  int32_t id_of(std::string_view word) const;
  // "<pad>" and "<unk>" for the reserved ids; throws loom::Error for an id outside [0, size()).
  const std::string& word(int32_t id) const;

  // The first max_length tokens as ids, padded to max_length. Throws loom::Error for max_length < 1.
  Encoded encode(std::span<const std::string> tokens, int64_t max_length) const;

 private:
  std::vector<std::string> words_;  // by id
  std::map<std::string, int32_t, std::less<>> ids_;
};

}  // namespace loom
