#include "loom/runtime/halide_buffers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace loom {
namespace {

using Halide::Runtime::Buffer;

// value(x, y, z) = 100 z + 10 y + x, so every element says where it came from.
Buffer<float> numbered(int width, int height, int depth) {
  Buffer<float> buffer(width, height, depth);
  for (int z = 0; z < depth; ++z)
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) buffer(x, y, z) = float(100 * z + 10 * y + x);
  return buffer;
}

TEST(HalideBuffersTest, CopiesADenseBuffer) {
  Buffer<float> source = numbered(4, 3, 2);
  Buffer<float> destination(4, 3, 2);
  fill_values(destination, -1.0f);
  copy_values(destination, source);
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y)
      for (int x = 0; x < 4; ++x) EXPECT_EQ(destination(x, y, z), source(x, y, z));
}

TEST(HalideBuffersTest, CopiesTheLastStepOfAStackedSequence) {
  // What generated code does with an RNN's final state: the last slice of the stacked outputs.
  Buffer<float> stacked = numbered(4, 3, 5);
  Buffer<float> state(4, 3);
  copy_values(state, stacked.sliced(2, 4));
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_EQ(state(x, y), float(400 + 10 * y + x));
}

TEST(HalideBuffersTest, CopiesBetweenStridedBuffers) {
  Buffer<float> source = numbered(4, 3, 2);
  Buffer<float> column(3, 2);
  copy_values(column, source.sliced(0, 1));  // x = 1: strides 4 and 12
  for (int z = 0; z < 2; ++z)
    for (int y = 0; y < 3; ++y) EXPECT_EQ(column(y, z), float(100 * z + 10 * y + 1));

  Buffer<float> transposed(3, 4);
  Buffer<float> view = transposed.transposed(0, 1);  // extents 4 x 3, strides 3 and 1
  copy_values(view, source.sliced(2, 1));
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 4; ++x) EXPECT_EQ(transposed(y, x), float(100 + 10 * y + x));
}

TEST(HalideBuffersTest, CopiesBetweenBuffersWithDifferentMins) {
  Buffer<float> source = numbered(4, 3, 1).sliced(2, 0);
  Buffer<float> destination(4, 3);
  destination.set_min(7, -2);
  copy_values(destination, source);
  EXPECT_EQ(destination(7, -2), 0.0f);
  EXPECT_EQ(destination(10, 0), 23.0f);
}

TEST(HalideBuffersTest, RefusesBuffersOfDifferentShapes) {
  Buffer<float> source(4, 3), destination(3, 4);
  EXPECT_THAT([&] { copy_values(destination, source); },
              ::testing::ThrowsMessage<Error>(::testing::HasSubstr("different shapes")));
  Buffer<float> flat(12);
  EXPECT_THROW(copy_values(flat, source), Error);
}

TEST(HalideBuffersTest, FillsDenseAndCroppedBuffers) {
  Buffer<float> buffer(5, 4);
  fill_values(buffer, 0);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) EXPECT_EQ(buffer(x, y), 0.0f);
  Buffer<float> inside = buffer.cropped(0, 1, 3).cropped(1, 1, 2);
  fill_values(inside, 2.5f);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) {
      const bool in_crop = x >= 1 && x <= 3 && y >= 1 && y <= 2;
      EXPECT_EQ(buffer(x, y), in_crop ? 2.5f : 0.0f) << x << ", " << y;
    }
  Buffer<int32_t> labels(6);
  fill_values(labels, 7);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(labels(i), 7);
}

}  // namespace
}  // namespace loom
