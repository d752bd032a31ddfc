// Reuse of the temporary buffers of Loom's kernels. A compiled kernel allocates its intermediate tensors on every
// call and frees them on return; large ones come straight from the operating system (mmap), so every call pays
// for zero-filling fresh pages: a quarter of the training time of the g2p model went to page faults. The cache
// keeps freed buffers and hands them out again to requests of about the same size.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <unordered_map>

namespace loom {

class BufferCache {
 public:
  // Alignment of every buffer, as Halide's own allocator gives (a cache line pair, enough for any vector).
  static constexpr std::size_t kAlignment = 128;

  // Keeps at most `max_cached_bytes` of freed buffers; beyond that, freed buffers go back to the system.
  explicit BufferCache(std::size_t max_cached_bytes);
  ~BufferCache();
  BufferCache(const BufferCache&) = delete;
  BufferCache& operator=(const BufferCache&) = delete;

  // A buffer of at least `bytes`, aligned to kAlignment: a cached one of between `bytes` and 1.25 x `bytes` when
  // there is one, otherwise a new one. nullptr when the system has no memory left.
  void* allocate(std::size_t bytes);
  // Takes back a buffer from allocate() and returns true; returns false, and does nothing, for nullptr and for a
  // pointer that allocate() did not return.
  bool release(void* buffer);

  struct Statistics {
    std::size_t reused = 0;        // allocations served from the cache
    std::size_t allocated = 0;     // allocations that went to the system
    std::size_t cached_bytes = 0;  // freed bytes held for reuse now
  };
  Statistics statistics() const;

 private:
  std::size_t max_cached_bytes_;
  mutable std::mutex mutex_;
  std::unordered_map<void*, std::size_t> sizes_;  // every live or cached buffer's size
  std::multimap<std::size_t, void*> free_;        // cached buffers by size
  Statistics statistics_;
};

}  // namespace loom
