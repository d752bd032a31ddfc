// The random stream is the published PCG32, deterministic per seed, and the shuffles and initializers built on it
// behave as documented.
#include "loom/runtime/random.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loom {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

std::vector<uint32_t> first_values(Random& random, int count) {
  std::vector<uint32_t> values;
  for (int i = 0; i < count; ++i) values.push_back(random.next_u32());
  return values;
}

// The expected numbers are the output of pcg32-demo from the PCG reference implementation (pcg-c-basic).
TEST(Random, MatchesThePcg32ReferenceOutput) {
  Random random(42, 54);
  EXPECT_THAT(first_values(random, 6),
              ElementsAre(0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu));
}

TEST(Random, SameSeedGivesTheSameSequence) {
  Random first(1234);
  Random second(1234);
  EXPECT_EQ(first_values(first, 100), first_values(second, 100));
}

TEST(Random, OtherSeedOrStreamGivesAnotherSequence) {
  Random base(1234);
  Random other_seed(1235);
  Random other_stream(1234, 1);
  const std::vector<uint32_t> base_values = first_values(base, 8);
  EXPECT_NE(first_values(other_seed, 8), base_values);
  EXPECT_NE(first_values(other_stream, 8), base_values);
}

TEST(Random, UniformUsesTheTop24Bits) {
  Random random(42, 54);
  EXPECT_EQ(random.uniform(), static_cast<float>(0xa15c02b7u >> 8) / 16777216.0f);
}

TEST(Random, UniformStaysInItsRange) {
  Random random(5);
  for (int i = 0; i < 10000; ++i) {
    const float unit = random.uniform();
    ASSERT_GE(unit, 0.0f);
    ASSERT_LT(unit, 1.0f);
    const float ranged = random.uniform(-3.0f, -1.0f);
    ASSERT_GE(ranged, -3.0f);
    ASSERT_LE(ranged, -1.0f);
  }
}

TEST(Random, BelowCoversEveryValueAndNothingElse) {
  Random random(9);
  std::vector<int> hits(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint32_t value = random.below(7);
    ASSERT_LT(value, 7u);
    ++hits[value];
  }
  for (int count : hits) EXPECT_GT(count, 800);
  EXPECT_THAT([&] { random.below(0); }, ThrowsMessage<Error>(HasSubstr("needs a positive bound")));
}

// With a fixed seed the sample is always the same, so these tolerances cannot flake.
TEST(Random, NormalHasZeroMeanAndUnitVariance) {
  Random random(2024);
  constexpr int kSamples = 200000;
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const double value = random.normal();
    ASSERT_TRUE(std::isfinite(value));
    sum += value;
    sum_of_squares += value * value;
  }
  const double mean = sum / kSamples;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sum_of_squares / kSamples - mean * mean, 1.0, 0.01);
}

TEST(Random, NormalWithMeanAndDeviationScalesTheStandardNormal) {
  Random standard(77);
  Random scaled(77);
  for (int i = 0; i < 10; ++i) EXPECT_FLOAT_EQ(scaled.normal(3.0f, 0.5f), 3.0f + 0.5f * standard.normal());
}

// The expected order was computed independently with a Python transcription of PCG32 and Fisher-Yates.
TEST(Random, PermutationIsTheSameOnEveryPlatform) {
  Random random(7);
  EXPECT_THAT(random.permutation(10), ElementsAre(0, 3, 5, 8, 2, 4, 6, 7, 1, 9));
}

TEST(Random, ShuffleIsAPermutation) {
  Random random(11);
  std::vector<int> values(1000);
  std::iota(values.begin(), values.end(), 0);
  std::vector<int> shuffled = values;
  random.shuffle(shuffled);
  EXPECT_NE(shuffled, values);
  std::sort(shuffled.begin(), shuffled.end());
  EXPECT_EQ(shuffled, values);
}

TEST(Random, ShuffleOfNoneOrOneValueIsUnchanged) {
  Random random(3);
  std::vector<int> empty;
  random.shuffle(empty);
  EXPECT_TRUE(empty.empty());
  std::vector<int> single = {42};
  random.shuffle(single);
  EXPECT_THAT(single, ElementsAre(42));
}

// Every value lies within the bound, and with thousands of draws some come close to it.
void expect_fills_uniform_range(const Tensor& tensor, float bound) {
  float largest = 0.0f;
  for (float value : tensor.data) {
    ASSERT_LE(std::abs(value), bound);
    largest = std::max(largest, std::abs(value));
  }
  EXPECT_GT(largest, 0.99f * bound);
}

TEST(Initializers, GlorotUniformUsesTheFanBound) {
  Random random(1);
  Tensor weights({64, 32});
  glorot_uniform(weights, 32, 64, random);
  expect_fills_uniform_range(weights, std::sqrt(6.0f / 96.0f));
}

TEST(Initializers, GlorotUniformRefusesZeroFans) {
  Random random(1);
  Tensor weights({2});
  EXPECT_THAT([&] { glorot_uniform(weights, 0, 0, random); },
              ThrowsMessage<Error>(HasSubstr("fan_in = 0 and fan_out = 0")));
}

TEST(Initializers, UniformInitUsesTheGivenBound) {
  Random random(2);
  Tensor weights({4 * 128, 128});
  const float bound = 1.0f / std::sqrt(128.0f);
  uniform_init(weights, bound, random);
  expect_fills_uniform_range(weights, bound);
}

TEST(Initializers, SameSeedGivesTheSameWeights) {
  Random first(99);
  Random second(99);
  Tensor a({10, 10});
  Tensor b({10, 10});
  glorot_uniform(a, 10, 10, first);
  glorot_uniform(b, 10, 10, second);
  EXPECT_EQ(a.data, b.data);
}

TEST(Initializers, NormalInitDrawsEveryValueInRowMajorOrder) {
  Random random(5);
  Random expected(5);
  Tensor weights({3, 4});
  normal_init(weights, 1.0f, 0.1f, random);
  for (float value : weights.data) EXPECT_EQ(value, expected.normal(1.0f, 0.1f));
}

// [rows, cols] as a double-precision matrix, for checking products.
std::vector<std::vector<double>> as_matrix(const Tensor& tensor) {
  const int64_t rows = tensor.shape[0];
  const int64_t cols = tensor.element_count() / rows;
  std::vector<std::vector<double>> matrix(rows, std::vector<double>(cols));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) matrix[r][c] = tensor.data[r * cols + c];
  }
  return matrix;
}

// first * second^T, with both given row by row.
std::vector<std::vector<double>> times_transpose(const std::vector<std::vector<double>>& first,
                                                 const std::vector<std::vector<double>>& second) {
  std::vector<std::vector<double>> product(first.size(), std::vector<double>(second.size()));
  for (std::size_t i = 0; i < first.size(); ++i) {
    for (std::size_t j = 0; j < second.size(); ++j) {
      for (std::size_t k = 0; k < first[i].size(); ++k) product[i][j] += first[i][k] * second[j][k];
    }
  }
  return product;
}

std::vector<std::vector<double>> transposed(const std::vector<std::vector<double>>& matrix) {
  std::vector<std::vector<double>> result(matrix[0].size(), std::vector<double>(matrix.size()));
  for (std::size_t i = 0; i < matrix.size(); ++i) {
    for (std::size_t j = 0; j < matrix[i].size(); ++j) result[j][i] = matrix[i][j];
  }
  return result;
}

void expect_identity_times(const std::vector<std::vector<double>>& matrix, double scale) {
  double worst = 0.0;
  for (std::size_t i = 0; i < matrix.size(); ++i) {
    for (std::size_t j = 0; j < matrix.size(); ++j) {
      worst = std::max(worst, std::abs(matrix[i][j] - (i == j ? scale : 0.0)));
    }
  }
  EXPECT_LT(worst, 1e-5) << "largest difference from " << scale << " * I";
}

// More rows than columns: the columns are orthonormal, Q^T Q = I.
TEST(OrthogonalInit, TallMatrixHasOrthonormalColumns) {
  Random random(3);
  Tensor weights({64, 16});
  orthogonal_init(weights, 1.0f, random);
  const auto columns = transposed(as_matrix(weights));
  expect_identity_times(times_transpose(columns, columns), 1.0);
}

// More columns than rows, as in a [hidden, 4 * hidden] recurrent weight: the rows are orthonormal, Q Q^T = I.
TEST(OrthogonalInit, WideMatrixHasOrthonormalRows) {
  Random random(4);
  Tensor weights({16, 64});
  orthogonal_init(weights, 1.0f, random);
  const auto rows = as_matrix(weights);
  expect_identity_times(times_transpose(rows, rows), 1.0);
}

TEST(OrthogonalInit, SquareMatrixIsOrthogonalTimesTheGain) {
  Random random(5);
  Tensor weights({32, 32});
  orthogonal_init(weights, 2.0f, random);
  const auto rows = as_matrix(weights);
  expect_identity_times(times_transpose(rows, rows), 4.0);
  const auto columns = transposed(rows);
  expect_identity_times(times_transpose(columns, columns), 4.0);
}

// Like PyTorch, dimensions after the first are flattened: [4, 2, 3] is a wide [4, 6] matrix.
TEST(OrthogonalInit, HigherRankTensorsAreViewedAsMatrices) {
  Random random(6);
  Tensor weights({4, 2, 3});
  orthogonal_init(weights, 1.0f, random);
  const auto rows = as_matrix(weights);
  expect_identity_times(times_transpose(rows, rows), 1.0);
}

// torch.nn.init.orthogonal_ factors the normal sample A (transposed when wide) as Q R and makes R's diagonal
// positive. Redrawing A from the same seed, R = Q^T A must be upper triangular with a positive diagonal.
TEST(OrthogonalInit, MatchesPyTorchsSignConvention) {
  for (const auto& [rows, cols] : {std::pair{12, 5}, std::pair{5, 12}}) {
    Random random(7);
    Tensor weights({rows, cols});
    orthogonal_init(weights, 1.0f, random);
    Random resample(7);
    Tensor sample({rows, cols});
    normal_init(sample, 0.0f, 1.0f, resample);
    // Tall: R = Q^T A, whose rows are (columns of Q) . (columns of A). Wide: the factored matrix is A^T and Q^T is
    // the result, so R = result A^T, whose rows are (rows of result) . (rows of A).
    const bool wide = rows < cols;
    const auto q_vectors = wide ? as_matrix(weights) : transposed(as_matrix(weights));
    const auto a_vectors = wide ? as_matrix(sample) : transposed(as_matrix(sample));
    const auto r = times_transpose(q_vectors, a_vectors);
    for (std::size_t i = 0; i < r.size(); ++i) {
      EXPECT_GT(r[i][i], 0.0) << rows << "x" << cols << " R[" << i << "][" << i << "]";
      for (std::size_t j = 0; j < i; ++j) EXPECT_NEAR(r[i][j], 0.0, 1e-5) << rows << "x" << cols;
    }
  }
}

TEST(OrthogonalInit, SameSeedGivesTheSameMatrix) {
  Random first(42);
  Random second(42);
  Random other(43);
  Tensor a({8, 24});
  Tensor b({8, 24});
  Tensor c({8, 24});
  orthogonal_init(a, 1.0f, first);
  orthogonal_init(b, 1.0f, second);
  orthogonal_init(c, 1.0f, other);
  EXPECT_EQ(a.data, b.data);
  EXPECT_NE(a.data, c.data);
}

TEST(OrthogonalInit, EmptyMatrixIsLeftAlone) {
  Random random(1);
  Tensor weights({0, 4});
  orthogonal_init(weights, 1.0f, random);
  EXPECT_TRUE(weights.data.empty());
}

// The mistake: orthogonal initialisation of a bias vector.
TEST(OrthogonalInit, VectorIsRefused) {
  Random random(1);
  Tensor bias({8});
  EXPECT_THAT([&] { orthogonal_init(bias, 1.0f, random); },
              ThrowsMessage<Error>(HasSubstr("needs a tensor of rank 2 or more (a matrix), but got shape [8]")));
}

TEST(Initializers, ZerosClearsEveryValue) {
  Tensor weights = Tensor::filled({3, 3}, 7.0f);
  zeros(weights);
  for (float value : weights.data) EXPECT_EQ(value, 0.0f);
}

}  // namespace
}  // namespace loom
