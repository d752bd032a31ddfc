// Gradient check and forward values of the reference sparse softmax cross-entropy, and argmax.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"
#include "loom/reference/ops.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

TEST(LossGradcheck, SparseSoftmaxCrossEntropy) {
  const int N = 4, C = 6;
  SplitMix64 rng(41);
  Vec<double> logits = rng.vector(N * C, -3.0, 3.0);
  const Vec<int> labels = {0, 5, 2, 2};
  // The loss is a scalar; an upstream gradient other than 1 checks that callers may simply scale dlogits.
  const double dloss = 0.37;
  Vec<double> dlogits = ref::sparse_softmax_cross_entropy(logits, labels, N, C).dlogits;
  for (double& d : dlogits) d *= dloss;
  expect_gradient_matches("cross_entropy dlogits", logits, dlogits,
                          [&] { return dloss * ref::sparse_softmax_cross_entropy(logits, labels, N, C).loss; });
}

TEST(LossForward, UniformLogitsGiveLogC) {
  const int N = 3, C = 7;
  const auto result = ref::sparse_softmax_cross_entropy(Vec<double>(N * C, 2.5), {0, 3, 6}, N, C);
  EXPECT_NEAR(result.loss, std::log(double(C)), 1e-15);
  // (1/C - one_hot) / N
  EXPECT_NEAR(result.dlogits[0], (1.0 / C - 1.0) / N, 1e-15);
  EXPECT_NEAR(result.dlogits[1], (1.0 / C) / N, 1e-15);
}

TEST(LossForward, KnownProbability) {
  // softmax([0, log 3]) = [1/4, 3/4]; the loss of label 1 is -log(3/4), of label 0 is -log(1/4).
  const auto result = ref::sparse_softmax_cross_entropy<double>({0, std::log(3.0), 0, std::log(3.0)}, {1, 0}, 2, 2);
  EXPECT_NEAR(result.loss, (-std::log(0.75) - std::log(0.25)) / 2, 1e-15);
  EXPECT_NEAR(result.dlogits[0], 0.25 / 2, 1e-15);
  EXPECT_NEAR(result.dlogits[1], -0.25 / 2, 1e-15);
  EXPECT_NEAR(result.dlogits[2], -0.75 / 2, 1e-15);
  EXPECT_NEAR(result.dlogits[3], 0.75 / 2, 1e-15);
}

TEST(LossForward, LargeLogitsStayFinite) {
  const auto result = ref::sparse_softmax_cross_entropy<double>({1000, -1000}, {1}, 1, 2);
  EXPECT_DOUBLE_EQ(result.loss, 2000.0);
}

TEST(Argmax, FirstMaximumOfEachRow) {
  EXPECT_EQ(ref::argmax<double>({0.1, 0.7, 0.2, 3, 3, 1}, 2, 3), (Vec<int>{1, 0}));
}

}  // namespace
}  // namespace loom::gradcheck
