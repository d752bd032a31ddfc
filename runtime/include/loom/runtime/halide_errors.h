// The Halide error handler every caller of Loom's AOT kernels installs, and the check that turns a
// kernel's failure into a loom::Error naming the kernel and quoting Halide's message.
#pragma once

#include <string>
#include <utility>

#include "HalideRuntime.h"
#include "loom/runtime/errors.h"

namespace loom {

namespace detail {

// Halide reports what it checks at a kernel's entry (buffer shapes, allocations) on the calling thread.
inline thread_local std::string halide_error_message;

inline void record_halide_error(void*, const char* message) { halide_error_message = message; }

}  // namespace detail

// Replaces Halide's default error handler, which prints and aborts the process, with one that records the
// message for check_kernel. The drivers install it; call it before calling AOT kernels directly.
inline void install_halide_error_handler() {
  static const bool installed = (halide_set_error_handler(&detail::record_halide_error), true);
  (void)installed;
}

// Throws loom::Error naming the kernel and quoting Halide's message when status, a kernel's return, is
// not 0.
inline void check_kernel(int status, const char* kernel) {
  if (status == 0) return;
  std::string message = std::move(detail::halide_error_message);
  detail::halide_error_message.clear();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (message.empty()) message = "Halide error code " + std::to_string(status);
  throw Error(std::string("Loom kernel '") + kernel + "' failed: " + message);
}

}  // namespace loom
