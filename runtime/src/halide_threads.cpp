#include "loom/runtime/halide_threads.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

// Replaces the Halide runtime's weak definition (see halide_threads.h).
extern "C" void halide_thread_yield() {
  // 32 pauses: about a microsecond on the AMD EPYC development machine (Zen 4 pauses for ~64 cycles).
  for (int i = 0; i < 32; ++i) {
#if defined(__x86_64__) || defined(__i386__)
    _mm_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }
}

namespace loom {

void use_loom_thread_yield() {}

}  // namespace loom
