// The translator's compiled greedy loop against the training model: when the training model reads,
// teacher-forced, exactly the symbols the translator chose and fed back, both must compute the same
// logits at every step. Holds for any parameters, so freshly initialized ones are used.
#include "teacher_forcing.h"

#include <loom/testing/programs.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace {

TEST(WordTranslation, GreedyDecodingMatchesTeacherForcingOnItsOwnChoices) {
  const std::string path = (loom::testing::scratch_directory("word_translation_test") / "model.params").string();
  for (uint64_t seed : {1, 2, 3}) {
    translation::Trainer trainer(seed);
    trainer.save_parameters(path);
    translation::Translator translator;
    translator.load_parameters(path);
    translation::fill_pairs(trainer);
    for (const std::string word : {"word", "love", "wodr", "loev", "zzzz"}) {
      std::vector<int32_t> letters = translation::letter_ids(word);
      translator.start()[0] = translation::kStart;
      std::copy(letters.begin(), letters.end(), translator.source().begin());
      translator.forward();
      // Example 0 of the trainer's batch: the same word, decoder inputs <start> and the choices.
      for (int64_t t = 0; t < translation::kSourceLetters; ++t)
        trainer.source()[size_t(t * translation::kPairs)] = letters[size_t(t)];
      for (int64_t t = 0; t < translation::kTargetSteps; ++t)
        trainer.decoder_input()[size_t(t * translation::kPairs)] =
            t == 0 ? translation::kStart : translator.symbols()[size_t(t - 1)];
      trainer.forward();
      float difference = 0;
      for (int64_t t = 0; t < translation::kTargetSteps; ++t) {
        std::span<const float> greedy =
            translator.logits().subspan(size_t(t * translation::kSymbols), size_t(translation::kSymbols));
        std::span<const float> forced = trainer.logits().subspan(
            size_t(t * translation::kPairs * translation::kSymbols), size_t(translation::kSymbols));
        for (int64_t s = 0; s < translation::kSymbols; ++s)
          difference = std::max(difference, std::abs(greedy[size_t(s)] - forced[size_t(s)]));
        EXPECT_EQ(translator.symbols()[size_t(t)], loom::argmax(greedy)) << word << ", step " << t + 1;
      }
      std::printf("seed %llu, %s: max logit difference %.2e\n", (unsigned long long)seed, word.c_str(),
                  difference);
      EXPECT_LT(difference, 1e-5f) << word << " with seed " << seed;
    }
  }
  std::filesystem::remove(path);
}

} // namespace
