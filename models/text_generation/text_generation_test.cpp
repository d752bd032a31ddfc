// The batch-1 sampler against the trained shape, and sampling itself: the sampler, loading the
// training model's parameters and carrying its states, predicts exactly what the training model
// predicts for each stream; samples have the requested length, come from the vocabulary and
// depend only on the seed.
#include "sampling.h"
#include "text_generation.h"

#include <loom/testing/programs.h>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

namespace {

using namespace text_generation;
using Model = loom::models::text_generation;
constexpr int64_t kSteps = Model::characters_shape[0], kBatch = Model::characters_shape[1];
static_assert(Model::logits_shape[1] == kVocabulary, "the two shapes share one vocabulary");

bool haveFortunes() { return std::filesystem::exists(std::string(loom::kFortunesDirectory)); }

/// A parameter file of a training model initialized from `seed`, removed with the fixture.
class SavedParameters : public ::testing::Test {
protected:
  void SetUp() override { model_.save_parameters(path_); }
  void TearDown() override { std::filesystem::remove(path_); }

  Model model_{7};
  std::string path_ = (loom::testing::scratch_directory("text_generation_test") / "model.params").string();
};

TEST_F(SavedParameters, SamplerFollowsEveryStreamOfTheTrainingModel) {
  Sampler sampler;
  sampler.load_parameters(path_);
  loom::Random random(11);
  const int64_t stream = 5;
  reset_state(model_);
  reset_state(sampler);
  double worst = 0;
  // Two windows: the second starts from the states the first one carried over.
  for (int window = 0; window < 2; ++window) {
    for (int32_t &id : model_.characters())
      id = int32_t(random.below(uint32_t(kVocabulary)));
    model_.forward();
    for (int64_t t = 0; t < kSteps; ++t) {
      sampler.character()[0] = model_.characters()[size_t(t * kBatch + stream)];
      sampler.forward();
      carry_state(sampler);
      auto expected = model_.logits().subspan(size_t((t * kBatch + stream) * kVocabulary), size_t(kVocabulary));
      for (int64_t v = 0; v < kVocabulary; ++v)
        worst = std::max(worst, double(std::abs(sampler.logits()[size_t(v)] - expected[size_t(v)])));
    }
    carry_state(model_);
  }
  std::printf("largest logit difference over %lld steps: %.3g\n", (long long)(2 * kSteps), worst);
  EXPECT_LT(worst, 1e-4);
}

TEST_F(SavedParameters, SamplesHaveTheLengthAndTheCharactersAsked) {
  if (!haveFortunes())
    GTEST_SKIP() << "the Debian package fortunes is not installed";
  const loom::CharVocabulary vocabulary = load_corpus(std::string(loom::kFortunesDirectory)).vocabulary;
  Sampler sampler;
  sampler.load_parameters(path_);
  TextSampler text_sampler(sampler, vocabulary);
  auto sample = [&](uint64_t seed) {
    loom::Random random(seed);
    return text_sampler.generate("The ", 300, 1.0f, random);
  };
  std::string first = sample(1);
  ASSERT_EQ(first.size(), 300u);
  for (char character : first)
    EXPECT_NE(vocabulary.characters().find(character), std::string::npos) << int(character);
  EXPECT_EQ(sample(1), first) << "the same seed must give the same text";
  EXPECT_NE(sample(2), first);
}

TEST(Sampling, DrawCutsTheUnitIntervalByProbability) {
  const std::vector<float> probabilities = {0.25f, 0.5f, 0.25f};
  EXPECT_EQ(draw(probabilities, 0.0f), 0);
  EXPECT_EQ(draw(probabilities, 0.2499f), 0);
  EXPECT_EQ(draw(probabilities, 0.25f), 1);
  EXPECT_EQ(draw(probabilities, 0.7499f), 1);
  EXPECT_EQ(draw(probabilities, 0.75f), 2);
  EXPECT_EQ(draw(probabilities, 0.99999994f), 2);
}

} // namespace
