// loom::Tensor: shapes, row-major indexing, alignment and the errors for misuse.
#include "loom/runtime/tensor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>

#include "loom/runtime/errors.h"

namespace loom {
namespace {

using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

TEST(Tensor, ShapeStringListsDimensions) {
  EXPECT_EQ(Tensor({128, 28, 28}).shape_string(), "[128, 28, 28]");
  EXPECT_EQ(Tensor(std::vector<int64_t>{}).shape_string(), "[]");
}

TEST(Tensor, NewTensorIsZeroFilledWithOneValuePerElement) {
  const Tensor tensor({2, 3, 4});
  EXPECT_EQ(tensor.rank(), 3);
  EXPECT_EQ(tensor.element_count(), 24);
  for (float value : tensor.data) EXPECT_EQ(value, 0.0f);
}

TEST(Tensor, ScalarHasOneElement) { EXPECT_EQ(Tensor(std::vector<int64_t>{}).element_count(), 1); }

TEST(Tensor, StorageIs64ByteAligned) {
  for (int64_t size : {1, 3, 17, 1000}) {
    const Tensor tensor({size});
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(tensor.data.data()) % 64, 0u) << "size " << size;
  }
}

TEST(Tensor, AtIndexesRowMajor) {
  const Tensor tensor({2, 3}, {0, 1, 2, 3, 4, 5});
  EXPECT_EQ(tensor.at(0, 2), 2.0f);
  EXPECT_EQ(tensor.at(1, 0), 3.0f);
  EXPECT_EQ(tensor.at(1, 2), 5.0f);
}

TEST(Tensor, AtWritesThroughToData) {
  Tensor tensor({2, 2});
  tensor.at(1, 0) = 7.0f;
  EXPECT_EQ(tensor.data[2], 7.0f);
}

TEST(Tensor, OutOfRangeIndexNamesIndexAndShape) {
  const Tensor tensor({2, 3});
  EXPECT_THAT([&] { (void)tensor.at(1, 3); },
              ThrowsMessage<Error>(HasSubstr("Index [1, 3] is out of range for a tensor of shape [2, 3]")));
  EXPECT_THAT([&] { (void)tensor.at(1); }, ThrowsMessage<Error>(HasSubstr("Index [1] is out of range")));
}

TEST(Tensor, RowIsTheSliceAlongTheFirstDimension) {
  Tensor tensor({3, 2}, {0, 1, 2, 3, 4, 5});
  const std::span<float> row = tensor.row(1);
  ASSERT_EQ(row.size(), 2u);
  EXPECT_EQ(row[0], 2.0f);
  EXPECT_EQ(row[1], 3.0f);
  row[1] = 9.0f;
  EXPECT_EQ(tensor.at(1, 1), 9.0f);
  EXPECT_THAT([&] { (void)tensor.row(3); }, ThrowsMessage<Error>(HasSubstr("Row 3 is out of range")));
}

TEST(Tensor, ValueCountMustMatchShape) {
  EXPECT_THAT(
      [] {
        Tensor({2, 3}, {1, 2, 3});
      },
      ThrowsMessage<Error>(HasSubstr("A tensor of shape [2, 3] needs 6 values, but 3 were given.")));
}

TEST(Tensor, NegativeDimensionIsRefused) {
  EXPECT_THAT([] { Tensor({2, -1}); }, ThrowsMessage<Error>(HasSubstr("Shape [2, -1] has a negative dimension")));
}

TEST(Tensor, OverflowingElementCountIsRefused) {
  const std::vector<int64_t> shape = {int64_t{1} << 32, int64_t{1} << 32};
  EXPECT_THAT([&] { (void)element_count(shape); }, ThrowsMessage<Error>(HasSubstr("more elements than fit")));
}

TEST(Tensor, FilledSetsEveryValue) {
  const Tensor tensor = Tensor::filled({4}, 2.5f);
  for (float value : tensor.data) EXPECT_EQ(value, 2.5f);
}

}  // namespace
}  // namespace loom
