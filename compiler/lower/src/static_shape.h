// Static, dense buffer shapes for kernel arguments: constant extents give the loops constant trip counts,
// and Halide rejects a wrongly shaped buffer at the call with a message naming the argument.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "Halide.h"

namespace loom::lower {

// Fixes min 0, the extents (innermost first) and dense strides of an input or output buffer.
void set_static_shape(Halide::OutputImageParam buffer, std::initializer_list<int> extents);

// Throws std::invalid_argument naming the kernel and the first size that is not positive.
void require_positive_sizes(const std::string& kernel, std::initializer_list<std::pair<const char*, int>> sizes);

// "<kind>_b<B>_h<H>": the name of a recurrent step kernel for a batch and hidden size.
inline std::string step_name(const char* kind, int batch, int hidden) {
  return std::string(kind) + "_b" + std::to_string(batch) + "_h" + std::to_string(hidden);
}

// A float input buffer with a static, dense shape.
Halide::ImageParam static_input(const std::string& name, std::initializer_list<int> extents);

}  // namespace loom::lower
