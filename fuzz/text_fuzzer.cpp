// Fuzzes the text loaders and tokenizers: load_fortunes on a directory holding the input as its one
// fortune file, the character vocabulary (encoding then decoding gives the text back), and the word
// tokenizer and vocabulary (tokens are lowercase letters and digits; ids stay in range).
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "loom/runtime/text.h"

namespace {

void check_words(std::string_view text) {
  using namespace loom;
  const std::vector<std::string> tokens = tokenize_words(text);
  for (const std::string& token : tokens) {
    if (token.empty()) fuzz::fail("tokenize_words produced an empty token");
    for (const char c : token) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) fuzz::fail("token '" + token + "' has another byte");
    }
  }
  const std::vector<std::vector<std::string>> documents{tokens};
  const WordVocabulary vocabulary(documents, /*max_size=*/64, /*min_count=*/1);
  const WordVocabulary::Encoded encoded = vocabulary.encode(tokens, /*max_length=*/32);
  if (encoded.ids.size() != 32 || encoded.length != std::min<int64_t>(32, static_cast<int64_t>(tokens.size()))) {
    fuzz::fail("an encoded document has the wrong length");
  }
  for (int64_t i = 0; i < encoded.length; ++i) {
    const int32_t id = encoded.ids[static_cast<std::size_t>(i)];
    if (id < WordVocabulary::kUnknownId || id >= vocabulary.size()) fuzz::fail("a word id is out of range");
    if (id != WordVocabulary::kUnknownId && vocabulary.word(id) != tokens[static_cast<std::size_t>(i)]) {
      fuzz::fail("a word id names another word");
    }
  }
}

void check_characters(std::string_view text) {
  using namespace loom;
  const CharVocabulary vocabulary(text);
  if (vocabulary.decode(vocabulary.encode(text)) != text) fuzz::fail("characters do not decode to the text");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loom;
  const std::string_view input = fuzz::bytes_of(data, size);
  fuzz::refusals_are_loom_errors([&] { check_words(input); });
  fuzz::refusals_are_loom_errors([&] { check_characters(input); });
  const auto directory = fuzz::empty_directory("fortunes");
  fuzz::write_file(directory / "fuzz", input);
  fuzz::refusals_are_loom_errors([&] {
    for (const std::string& fortune : load_fortunes(directory.string())) {
      if (fortune.empty()) fuzz::fail("load_fortunes returned an empty fortune");
      check_characters(fortune);
    }
  });
  return 0;
}
