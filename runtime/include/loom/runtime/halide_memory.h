// Halide's allocations through Loom's buffer cache (buffer_cache.h), for the generated model classes.
#pragma once

#include <cstddef>

#include "HalideRuntime.h"
#include "loom/runtime/buffer_cache.h"

namespace loom {

namespace detail {

struct HalideAllocator {
  // 1 GiB at most; never destroyed, so that kernels running during static destruction still find it.
  BufferCache* cache = new BufferCache(std::size_t(1) << 30);
  halide_malloc_t previous_malloc = nullptr;
  halide_free_t previous_free = nullptr;
};

inline HalideAllocator& halide_allocator() {
  static HalideAllocator* allocator = new HalideAllocator;
  return *allocator;
}

inline void* cached_halide_malloc(void*, std::size_t bytes) { return halide_allocator().cache->allocate(bytes); }

// A buffer that the previous allocator made (a kernel running on another thread while the cache was installed)
// goes back to that allocator.
inline void cached_halide_free(void* user_context, void* buffer) {
  HalideAllocator& allocator = halide_allocator();
  if (!allocator.cache->release(buffer) && buffer != nullptr) allocator.previous_free(user_context, buffer);
}

}  // namespace detail

// Makes every Halide kernel of the process allocate its temporaries through a BufferCache. Generated model
// classes call it in their constructors; it is installed once.
inline void install_halide_buffer_cache() {
  static const bool installed = [] {
    detail::HalideAllocator& allocator = detail::halide_allocator();
    allocator.previous_free = halide_set_custom_free(&detail::cached_halide_free);
    allocator.previous_malloc = halide_set_custom_malloc(&detail::cached_halide_malloc);
    return true;
  }();
  (void)installed;
}

}  // namespace loom
