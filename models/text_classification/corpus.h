// The SpamAssassin corpus as the spam classifier sees it: where the npm package lies, the fixed
// train/validation/test split, each email's words, and the word vocabulary saved beside a checkpoint.
#pragma once

#include "loom/runtime/text.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace spam {

inline constexpr std::array<std::string_view, 2> kClassNames = {"ham", "spam"};

enum class Split { train, validation, test };

/// The split of the email `<group>/<id>` (e.g. "spam-2/01396"): the FNV-1a 64-bit hash of that name,
/// modulo 10, is 0 for test, 1 for validation and 2-9 for train. So about 80/10/10, the same on
/// every machine, and independent of the order of the package's files.
Split split_of(std::string_view name);

/// One email: its name `<group>/<id>`, its subject and the words of its subject and body.
struct Document {
  std::string name;
  std::string subject;
  std::vector<std::string> words;
  int32_t label = 0; // 0 ham, 1 spam
};

struct Corpus {
  std::vector<Document> train, validation, test;
};

/// The words of an email or of plain text: email_body_text() (the subject and the text parts of the
/// body) when `text` starts with a mail header line ("From ..." or "Name: value"), else all of it.
std::vector<std::string> words_of(std::string_view text, bool *read_as_email = nullptr);

/// Where scripts/install_npm_dataset.sh puts the npm package: under $LOOM_DATA_DIR when that is set,
/// else /var/lib/loom/npm when the package is there, else $HOME/.cache/loom/npm.
std::string default_data_directory();

/// Every email of the package in `directory`, split. Throws loom::Error saying how to install the
/// package when it is not there.
Corpus load_corpus(const std::string &directory);

/// The word ids the model is trained with, and the file that keeps them beside the checkpoint:
/// "loom word vocabulary 1", the number of words, then one word per line in id order.
class Vocabulary {
public:
  /// The kVocabulary - 2 most frequent words of `documents` (loom::WordVocabulary's choice).
  static Vocabulary of_training_words(std::span<const Document> documents);
  /// Reads a file written by save(); throws loom::Error for a missing or malformed file.
  static Vocabulary load(const std::string &path);
  /// Writes the file atomically.
  void save(const std::string &path) const;

  int64_t size() const { return int64_t(words_.size()); }
  /// Ids of the first kWords words padded to kWords, and how many of them are words (at least 1,
  /// so that an empty text is one padding step).
  struct Encoded {
    std::vector<int32_t> ids;
    int32_t length = 0;
    int64_t unknown = 0; // words outside the vocabulary among the first `length`
  };
  Encoded encode(std::span<const std::string> words) const;

private:
  explicit Vocabulary(std::vector<std::string> words);
  std::vector<std::string> words_; // by id: "<pad>", "<unk>", then the kept words
  std::unordered_map<std::string, int32_t> ids_;
};

} // namespace spam
