// The fortune corpus reader, the character vocabulary and the word tokenizer and vocabulary; see text.h.
#include "loom/runtime/text.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"

namespace loom {
namespace {

bool is_space(char character) {
  return character == ' ' || character == '\t' || character == '\n' || character == '\r' || character == '\f' ||
         character == '\v';
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// Applies overstrikes the way a printer does: "_\bx" underlines x and "'\be" puts an accent on e, and the text
// keeps the character that comes last. Drops the remaining control characters (such as the bell, "\a") apart from
// newline and tab.
std::string without_control_characters(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (const char character : text) {
    const auto byte = static_cast<unsigned char>(character);
    if (character == '\b') {
      if (!result.empty() && result.back() != '\n') result.pop_back();
    } else if ((byte >= 0x20 && byte != 0x7f) || character == '\n' || character == '\t') {
      result += character;
    }
  }
  return result;
}

// Fortune files are the files of the directory other than strfile's .dat indexes and the .u8 links that Debian
// installs beside each file.
std::vector<std::filesystem::path> fortune_files(const std::string& directory) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    const std::string extension = entry.path().extension().string();
    if (entry.is_regular_file() && extension != ".dat" && extension != ".u8") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Splits a fortune file's text at lines that are exactly "%".
void append_fortunes(std::string_view text, std::vector<std::string>& fortunes) {
  const auto add = [&](std::string_view fortune) {
    fortune = trimmed(fortune);
    if (!fortune.empty()) fortunes.emplace_back(fortune);
  };
  std::size_t fortune_start = 0;
  std::size_t line_start = 0;
  while (line_start < text.size()) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    if (text.substr(line_start, line_end - line_start) == "%") {
      add(text.substr(fortune_start, line_start - fortune_start));
      fortune_start = line_end + 1;
    }
    line_start = line_end + 1;
  }
  if (fortune_start < text.size()) add(text.substr(fortune_start));
}

// 'a', or "byte 0x07" for what would not print.
std::string describe_character(char character) {
  const auto byte = static_cast<unsigned char>(character);
  if (byte >= 0x20 && byte < 0x7f) return in_quotes(std::string(1, character));
  char text[16];
  std::snprintf(text, sizeof text, "byte 0x%02x", byte);
  return text;
}

bool is_word_character(char character) {
  return (character >= 'a' && character <= 'z') || (character >= 'A' && character <= 'Z') ||
         (character >= '0' && character <= '9');
}

}  // namespace

std::vector<std::string> load_fortunes(const std::string& directory) {
  const std::string install =
      " Install the Debian package fortunes (sudo apt-get install fortunes), or pass the "
      "directory that holds the fortune files.";
  if (!std::filesystem::is_directory(directory)) {
    throw Error("Fortune directory " + in_quotes(directory) + " does not exist." + install);
  }
  std::vector<std::string> fortunes;
  for (const std::filesystem::path& path : fortune_files(directory)) {
    const std::string text = without_control_characters(read_file(path.string(), "fortune file", "Check the path."));
    append_fortunes(text, fortunes);
  }
  if (fortunes.empty()) {
    throw Error("Fortune directory " + in_quotes(directory) + " holds no fortunes." + install);
  }
  return fortunes;
}

CharVocabulary::CharVocabulary(std::string_view text) {
  if (text.empty()) throw Error("A character vocabulary needs a non-empty text to collect its characters from.");
  std::array<bool, 256> seen{};
  for (const char character : text) seen[static_cast<unsigned char>(character)] = true;
  ids_.fill(-1);
  for (int byte = 0; byte < 256; ++byte) {
    if (!seen[static_cast<std::size_t>(byte)]) continue;
    ids_[static_cast<std::size_t>(byte)] = static_cast<int32_t>(characters_.size());
    characters_ += static_cast<char>(byte);
  }
}

int32_t CharVocabulary::index_of(char character) const {
  const int32_t id = ids_[static_cast<unsigned char>(character)];
  if (id < 0) {
    throw Error("Character " + describe_character(character) + " is not in the vocabulary of " +
                std::to_string(size()) +
                " characters. Build the vocabulary from a text that contains every character to encode, for "
                "example the whole training corpus.");
  }
  return id;
}

char CharVocabulary::character(int32_t id) const {
  if (id < 0 || id >= size()) {
    throw Error("Character id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()) +
                " characters (ids 0 to " + std::to_string(size() - 1) + "). Decode ids made with the same vocabulary.");
  }
  return characters_[static_cast<std::size_t>(id)];
}

std::vector<int32_t> CharVocabulary::encode(std::string_view text) const {
  std::vector<int32_t> ids;
  ids.reserve(text.size());
  for (const char character : text) ids.push_back(index_of(character));
  return ids;
}

std::string CharVocabulary::decode(std::span<const int32_t> ids) const {
  std::string text;
  text.reserve(ids.size());
  for (const int32_t id : ids) text += character(id);
  return text;
}

std::vector<std::string> tokenize_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_character(text[i])) {
      ++i;
      continue;
    }
    std::string word;
    for (; i < text.size() && is_word_character(text[i]); ++i) {
      const char character = text[i];
      word += character >= 'A' && character <= 'Z' ? static_cast<char>(character - 'A' + 'a') : character;
    }
    words.push_back(std::move(word));
  }
  return words;
}

WordVocabulary::WordVocabulary(std::span<const std::vector<std::string>> documents, int64_t max_size,
                               int64_t min_count) {
  if (max_size < 0 || min_count < 1) {
    throw Error("A word vocabulary needs max_size >= 0 and min_count >= 1, but got max_size = " +
                std::to_string(max_size) + " and min_count = " + std::to_string(min_count) + ".");
  }
  std::map<std::string_view, int64_t> counts;
  for (const std::vector<std::string>& document : documents) {
    for (const std::string& word : document) ++counts[word];
  }
  std::vector<std::pair<std::string_view, int64_t>> frequent;
  for (const auto& [word, count] : counts) {
    if (count >= min_count) frequent.emplace_back(word, count);
  }
  // Alphabetical among equal counts: the map already iterates alphabetically, and the sort is stable.
  std::stable_sort(frequent.begin(), frequent.end(),
                   [](const auto& first, const auto& second) { return first.second > second.second; });
  if (static_cast<int64_t>(frequent.size()) > max_size) frequent.resize(static_cast<std::size_t>(max_size));

  words_ = {"<pad>", "<unk>"};
  for (const auto& [word, count] : frequent) {
    ids_.emplace(word, static_cast<int32_t>(words_.size()));
    words_.emplace_back(word);
  }
}

int32_t WordVocabulary::id_of(std::string_view word) const {
  const auto found = ids_.find(word);
  return found == ids_.end() ? kUnknownId : found->second;
}

const std::string& WordVocabulary::word(int32_t id) const {
  if (id < 0 || id >= size()) {
    throw Error("Word id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(size()) +
                " ids (0 to " + std::to_string(size() - 1) + "). Decode ids made with the same vocabulary.");
  }
  return words_[static_cast<std::size_t>(id)];
}

WordVocabulary::Encoded WordVocabulary::encode(std::span<const std::string> tokens, int64_t max_length) const {
  if (max_length < 1) {
    throw Error("Encoding words needs a max_length of at least 1, but got " + std::to_string(max_length) + ".");
  }
  Encoded encoded;
  encoded.length = std::min(static_cast<int64_t>(tokens.size()), max_length);
  encoded.ids.assign(static_cast<std::size_t>(max_length), kPaddingId);
  for (int64_t i = 0; i < encoded.length; ++i) {
    encoded.ids[static_cast<std::size_t>(i)] = id_of(tokens[static_cast<std::size_t>(i)]);
  }
  return encoded;
}

}  // namespace loom
