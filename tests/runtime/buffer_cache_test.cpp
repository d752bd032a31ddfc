#include "loom/runtime/buffer_cache.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace loom {
namespace {

bool aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % BufferCache::kAlignment == 0; }

TEST(BufferCacheTest, ReusesAFreedBufferOfTheSameSize) {
  BufferCache cache(1 << 20);
  void* first = cache.allocate(5000);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(aligned(first));
  std::memset(first, 1, 5000);  // the whole request is usable
  EXPECT_TRUE(cache.release(first));
  EXPECT_GE(cache.statistics().cached_bytes, 5000u);
  void* second = cache.allocate(5000);
  EXPECT_EQ(second, first);
  EXPECT_EQ(cache.statistics().reused, 1u);
  EXPECT_EQ(cache.statistics().allocated, 1u);
  EXPECT_EQ(cache.statistics().cached_bytes, 0u);
  cache.release(second);
}

TEST(BufferCacheTest, GivesOutOnlyBuffersCloseInSize) {
  BufferCache cache(1 << 20);
  void* big = cache.allocate(64 * 1024);
  cache.release(big);
  // Far smaller: a new buffer, and the big one stays cached.
  void* small = cache.allocate(1024);
  EXPECT_NE(small, big);
  EXPECT_EQ(cache.statistics().allocated, 2u);
  // A little smaller (within a quarter): the cached one.
  void* close = cache.allocate(60 * 1024);
  EXPECT_EQ(close, big);
  // Larger than any cached one: new.
  cache.release(small);
  void* larger = cache.allocate(128 * 1024);
  EXPECT_NE(larger, small);
  EXPECT_NE(larger, big);
  cache.release(close);
  cache.release(larger);
}

TEST(BufferCacheTest, ReturnsBuffersBeyondItsLimitToTheSystem) {
  BufferCache cache(10000);
  void* a = cache.allocate(8000);
  void* b = cache.allocate(8000);
  EXPECT_TRUE(cache.release(a));
  EXPECT_TRUE(cache.release(b));  // freed, not cached: the limit would be passed
  EXPECT_LE(cache.statistics().cached_bytes, 10000u);
  EXPECT_EQ(cache.allocate(8000), a);
  void* c = cache.allocate(8000);
  EXPECT_NE(c, a);
  EXPECT_EQ(cache.statistics().allocated, 3u);
  cache.release(a);
  cache.release(c);
}

TEST(BufferCacheTest, RefusesPointersItDidNotAllocate) {
  BufferCache cache(1 << 20);
  int on_stack = 0;
  EXPECT_FALSE(cache.release(&on_stack));
  EXPECT_FALSE(cache.release(nullptr));
  void* zero = cache.allocate(0);  // a unique, releasable pointer even for zero bytes
  EXPECT_NE(zero, nullptr);
  EXPECT_TRUE(cache.release(zero));
}

}  // namespace
}  // namespace loom
