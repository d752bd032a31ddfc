// The fortune corpus reader on generated fortune directories and on the installed package, the character
// vocabulary, and the word tokenizer and vocabulary.
#include "loom/runtime/text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <numeric>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::ThrowsMessage;

void write_text(const std::string& path, const std::string& text) {
  testing::write_bytes(path, std::vector<unsigned char>(text.begin(), text.end()));
}

class FortunesTest : public ::testing::Test {
 protected:
  std::string directory() const { return directory_.path().string(); }
  std::string file(const std::string& name) const { return directory_.file(name); }

  testing::TemporaryDirectory directory_;
};

TEST_F(FortunesTest, SplitsAtPercentLinesAndTrims) {
  write_text(file("wisdom"), "First fortune.\n%\n  Second\n  fortune  \n%\n%\n\n\t\n%\nThird\n");
  EXPECT_THAT(load_fortunes(directory()), ElementsAre("First fortune.", "Second\n  fortune", "Third"));
}

TEST_F(FortunesTest, PercentInsideALineIsText) {
  write_text(file("wisdom"), "100% sure\n%\n% of the time\n%\n");
  EXPECT_THAT(load_fortunes(directory()), ElementsAre("100% sure", "% of the time"));
}

// Debian installs strfile's index (.dat) and a .u8 link beside every file; fortunes-off adds a subdirectory.
TEST_F(FortunesTest, ReadsDataFilesInNameOrderAndNothingElse) {
  write_text(file("zippy"), "Yow!\n%\n");
  write_text(file("art"), "Art.\n%\n");
  write_text(file("art.dat"), std::string("\0\0\0\2binary index", 16));
  std::filesystem::create_symlink(file("art"), file("art.u8"));
  std::filesystem::create_directory(file("off"));
  write_text(file("off/art"), "Offensive.\n%\n");
  EXPECT_THAT(load_fortunes(directory()), ElementsAre("Art.", "Yow!"));
}

// "_\bx" underlines x and "'\be" accents e on a printer; a text model should see only the letters. The bell is
// dropped.
TEST_F(FortunesTest, OverstrikesAndControlCharactersAreResolved) {
  write_text(file("science"), "an _\b_\b_\bodd word\n%\nRen'\be Descartes\a\n%\ntab\tkept\n");
  EXPECT_THAT(load_fortunes(directory()), ElementsAre("an odd word", "Rene Descartes", "tab\tkept"));
}

TEST_F(FortunesTest, MissingDirectoryNamesTheDebianPackage) {
  const std::string missing = file("nowhere");
  EXPECT_THAT([&] { load_fortunes(missing); },
              ThrowsMessage<Error>(AllOf(HasSubstr("'" + missing + "' does not exist"),
                                         HasSubstr("Debian package fortunes (sudo apt-get install fortunes)"))));
}

TEST_F(FortunesTest, DirectoryWithoutFortunesIsRefused) {
  write_text(file("empty"), "%\n%\n");
  EXPECT_THAT([&] { load_fortunes(directory()); }, ThrowsMessage<Error>(HasSubstr("holds no fortunes")));
}

TEST(InstalledFortunes, AreTheWholeCorpusWithoutSeparators) {
  if (!std::filesystem::is_directory(std::string(kFortunesDirectory))) {
    GTEST_SKIP() << "the Debian package fortunes is not installed (sudo apt-get install fortunes)";
  }
  const std::vector<std::string> fortunes = load_fortunes();
  EXPECT_GT(fortunes.size(), 10000u);
  const std::size_t characters =
      std::accumulate(fortunes.begin(), fortunes.end(), std::size_t{0},
                      [](std::size_t total, const std::string& fortune) { return total + fortune.size(); });
  EXPECT_GT(characters, 2'000'000u);
  std::string corpus;
  for (const std::string& fortune : fortunes) {
    ASSERT_FALSE(fortune.empty());
    ASSERT_EQ(fortune.find("\n%\n"), std::string::npos) << fortune;
    corpus += fortune + "\n";
  }
  const CharVocabulary vocabulary(corpus);
  for (const char character : vocabulary.characters()) {
    const auto byte = static_cast<unsigned char>(character);
    EXPECT_TRUE(byte >= 0x20 || character == '\n' || character == '\t') << "control byte " << int{byte};
  }
  EXPECT_EQ(vocabulary.decode(vocabulary.encode(fortunes.front())), fortunes.front());
}

TEST(CharVocabulary, IsTheSortedDistinctBytes) {
  const CharVocabulary vocabulary("hello");
  EXPECT_EQ(vocabulary.characters(), "ehlo");
  EXPECT_EQ(vocabulary.size(), 4);
  EXPECT_EQ(vocabulary.index_of('l'), 2);
  EXPECT_EQ(vocabulary.character(3), 'o');
  EXPECT_THAT(vocabulary.encode("hole"), ElementsAre(1, 3, 2, 0));
}

TEST(CharVocabulary, DecodeInvertsEncodeForEveryByte) {
  const std::string text = "na\xc3\xafve caf\xc3\xa9\n\x01\xff";
  const CharVocabulary vocabulary(text);
  EXPECT_EQ(vocabulary.decode(vocabulary.encode(text)), text);
}

TEST(CharVocabulary, UnknownCharacterIsRefused) {
  const CharVocabulary vocabulary("hello");
  EXPECT_THAT([&] { vocabulary.index_of('z'); },
              ThrowsMessage<Error>(HasSubstr("Character 'z' is not in the vocabulary of 4 characters")));
  EXPECT_THAT([&] { vocabulary.encode("hi\a"); }, ThrowsMessage<Error>(HasSubstr("Character 'i'")));
  EXPECT_THAT([&] { vocabulary.index_of('\a'); }, ThrowsMessage<Error>(HasSubstr("Character byte 0x07")));
}

TEST(CharVocabulary, IdOutsideTheVocabularyIsRefused) {
  const CharVocabulary vocabulary("hello");
  const std::vector<int32_t> ids = {0, 4};
  EXPECT_THAT([&] { vocabulary.decode(ids); },
              ThrowsMessage<Error>(HasSubstr("Character id 4 is outside the vocabulary of 4 characters (ids 0 to 3)")));
}

TEST(CharVocabulary, EmptyTextIsRefused) {
  EXPECT_THAT([] { CharVocabulary vocabulary(""); }, ThrowsMessage<Error>(HasSubstr("needs a non-empty text")));
}

TEST(TokenizeWords, KeepsLowercasedRunsOfAsciiLettersAndDigits) {
  EXPECT_THAT(tokenize_words("Don't e-mail US! Call 555-1234 now."),
              ElementsAre("don", "t", "e", "mail", "us", "call", "555", "1234", "now"));
  EXPECT_THAT(tokenize_words("na\xc3\xafve"), ElementsAre("na", "ve"));
  EXPECT_THAT(tokenize_words(" ,.- "), IsEmpty());
}

// Counts: a 3, b 2, c 2, d 1.
const std::vector<std::vector<std::string>> kDocuments = {{"b", "a", "c", "a"}, {"c", "b", "a", "d"}};

TEST(WordVocabulary, OrdersWordsByCountThenAlphabetically) {
  const WordVocabulary vocabulary(kDocuments, 10);
  EXPECT_EQ(vocabulary.size(), 6);
  EXPECT_EQ(vocabulary.word(WordVocabulary::kPaddingId), "<pad>");
  EXPECT_EQ(vocabulary.word(WordVocabulary::kUnknownId), "<unk>");
  EXPECT_EQ(vocabulary.id_of("a"), 2);
  EXPECT_EQ(vocabulary.id_of("b"), 3);
  EXPECT_EQ(vocabulary.id_of("c"), 4);
  EXPECT_EQ(vocabulary.id_of("d"), 5);
  EXPECT_EQ(vocabulary.id_of("zebra"), WordVocabulary::kUnknownId);
}

TEST(WordVocabulary, KeepsAtMostMaxSizeWords) {
  const WordVocabulary vocabulary(kDocuments, 2);
  EXPECT_EQ(vocabulary.size(), 4);
  EXPECT_EQ(vocabulary.id_of("b"), 3);
  EXPECT_EQ(vocabulary.id_of("c"), WordVocabulary::kUnknownId);
}

TEST(WordVocabulary, DropsWordsBelowMinCount) {
  const WordVocabulary vocabulary(kDocuments, 10, 2);
  EXPECT_EQ(vocabulary.size(), 5);
  EXPECT_EQ(vocabulary.id_of("d"), WordVocabulary::kUnknownId);
}

TEST(WordVocabulary, EncodePadsAndTruncatesToMaxLength) {
  const WordVocabulary vocabulary(kDocuments, 10);
  const std::vector<std::string> tokens = {"a", "zebra", "b"};
  const WordVocabulary::Encoded padded = vocabulary.encode(tokens, 5);
  EXPECT_THAT(padded.ids, ElementsAre(2, 1, 3, 0, 0));
  EXPECT_EQ(padded.length, 3);
  const WordVocabulary::Encoded truncated = vocabulary.encode(tokens, 2);
  EXPECT_THAT(truncated.ids, ElementsAre(2, 1));
  EXPECT_EQ(truncated.length, 2);
}

TEST(WordVocabulary, InvalidSizesAreRefused) {
  EXPECT_THAT([] { WordVocabulary vocabulary(kDocuments, -1); },
              ThrowsMessage<Error>(HasSubstr("max_size = -1 and min_count = 1")));
  EXPECT_THAT([] { WordVocabulary vocabulary(kDocuments, 5, 0); },
              ThrowsMessage<Error>(HasSubstr("max_size = 5 and min_count = 0")));
  const WordVocabulary vocabulary(kDocuments, 10);
  EXPECT_THAT([&] { vocabulary.encode(kDocuments[0], 0); },
              ThrowsMessage<Error>(HasSubstr("max_length of at least 1, but got 0")));
  EXPECT_THAT([&] { vocabulary.word(6); },
              ThrowsMessage<Error>(HasSubstr("Word id 6 is outside the vocabulary of 6 ids (0 to 5)")));
}

}  // namespace
}  // namespace loom
