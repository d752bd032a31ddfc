// Static, dense buffer shapes for kernel arguments.
#include "static_shape.h"

#include <stdexcept>

namespace loom::lower {

void set_static_shape(Halide::OutputImageParam buffer, std::initializer_list<int> extents) {
  int dimension = 0;
  int stride = 1;
  for (int extent : extents) {
    buffer.dim(dimension).set_bounds(0, extent).set_stride(stride);
    stride *= extent;
    dimension++;
  }
}

void require_positive_sizes(const std::string& kernel, std::initializer_list<std::pair<const char*, int>> sizes) {
  for (const auto& [name, size] : sizes) {
    if (size <= 0) {
      throw std::invalid_argument(kernel + ": " + name + " = " + std::to_string(size) + ", sizes must be positive");
    }
  }
}

Halide::ImageParam static_input(const std::string& name, std::initializer_list<int> extents) {
  Halide::ImageParam buffer(Halide::Float(32), static_cast<int>(extents.size()), name);
  set_static_shape(buffer, extents);
  return buffer;
}

}  // namespace loom::lower
