#include "loom/runtime/buffer_cache.h"

#include <cstdlib>

namespace loom {

BufferCache::BufferCache(std::size_t max_cached_bytes) : max_cached_bytes_(max_cached_bytes) {}

BufferCache::~BufferCache() {
  for (const auto& [size, buffer] : free_) std::free(buffer);
}

void* BufferCache::allocate(std::size_t bytes) {
  // Whole alignment units, and at least one, so that a zero-byte request still gets a unique pointer.
  const std::size_t size = (bytes / kAlignment + 1) * kAlignment;
  std::lock_guard<std::mutex> lock(mutex_);
  auto cached = free_.lower_bound(size);
  if (cached != free_.end() && cached->first <= size + size / 4) {
    void* buffer = cached->second;
    statistics_.cached_bytes -= cached->first;
    free_.erase(cached);
    ++statistics_.reused;
    return buffer;
  }
  void* buffer = std::aligned_alloc(kAlignment, size);
  if (buffer == nullptr) return nullptr;
  sizes_[buffer] = size;
  ++statistics_.allocated;
  return buffer;
}

bool BufferCache::release(void* buffer) {
  if (buffer == nullptr) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  auto known = sizes_.find(buffer);
  if (known == sizes_.end()) return false;
  const std::size_t size = known->second;
  if (statistics_.cached_bytes + size > max_cached_bytes_) {
    sizes_.erase(known);
    std::free(buffer);
    return true;
  }
  free_.emplace(size, buffer);
  statistics_.cached_bytes += size;
  return true;
}

BufferCache::Statistics BufferCache::statistics() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return statistics_;
}

}  // namespace loom
