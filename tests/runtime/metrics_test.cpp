// Softmax, top-k, argmax and accuracy on hand-computed examples.
#include "loom/runtime/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "loom/runtime/errors.h"

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<int64_t> indices_of(const std::vector<ClassScore>& ranked) {
  std::vector<int64_t> indices;
  for (const ClassScore& entry : ranked) indices.push_back(entry.index);
  return indices;
}

TEST(Softmax, MatchesHandComputedProbabilities) {
  const std::vector<float> logits = {0.0f, std::log(2.0f), std::log(4.0f)};
  const std::vector<float> probabilities = softmax(logits);
  ASSERT_EQ(probabilities.size(), 3u);
  EXPECT_NEAR(probabilities[0], 1.0 / 7.0, 1e-6);
  EXPECT_NEAR(probabilities[1], 2.0 / 7.0, 1e-6);
  EXPECT_NEAR(probabilities[2], 4.0 / 7.0, 1e-6);
}

TEST(Softmax, LargeLogitsDoNotOverflow) {
  const std::vector<float> logits = {1000.0f, 1000.0f, -1000.0f};
  EXPECT_THAT(softmax(logits), ElementsAre(0.5f, 0.5f, 0.0f));
}

TEST(TopK, OrdersByScoreThenIndex) {
  const std::vector<float> scores = {0.1f, 0.5f, 0.2f, 0.5f, 0.05f};
  const std::vector<ClassScore> ranked = top_k(scores, 3);
  EXPECT_THAT(indices_of(ranked), ElementsAre(1, 3, 2));
  EXPECT_EQ(ranked[0].score, 0.5f);
  EXPECT_EQ(ranked[2].score, 0.2f);
}

TEST(TopK, NanRanksLast) {
  const std::vector<float> scores = {std::numeric_limits<float>::quiet_NaN(), -5.0f, 3.0f};
  EXPECT_THAT(indices_of(top_k(scores, 3)), ElementsAre(2, 1, 0));
}

TEST(TopK, KIsClampedToTheRowLength) {
  const std::vector<float> scores = {0.3f, 0.7f};
  EXPECT_THAT(indices_of(top_k(scores, 10)), ElementsAre(1, 0));
  EXPECT_TRUE(top_k(scores, 0).empty());
}

TEST(Argmax, PicksTheFirstHighestScore) {
  const std::vector<float> scores = {-1.0f, 4.0f, 2.0f, 4.0f};
  EXPECT_EQ(argmax(scores), 1);
  EXPECT_THAT([] { argmax(std::vector<float>{}); }, ThrowsMessage<Error>(HasSubstr("the row is empty")));
}

TEST(Accuracy, CountsRowsWhoseArgmaxIsTheLabel) {
  const Tensor logits({3, 4}, {0, 5, 1, 2,  //
                               9, 0, 0, 0,  //
                               0, 0, 1, 3});
  const std::vector<int32_t> labels = {1, 2, 3};
  EXPECT_EQ(count_correct(logits, labels), 2);
  EXPECT_DOUBLE_EQ(accuracy(logits, labels), 2.0 / 3.0);
}

TEST(Accuracy, LabelCountMustMatchTheBatch) {
  const Tensor logits({3, 4});
  const std::vector<int32_t> labels = {1, 2};
  EXPECT_THAT([&] { count_correct(logits, labels); },
              ThrowsMessage<Error>(HasSubstr("got logits of shape [3, 4] and 2 labels")));
}

}  // namespace
}  // namespace loom
