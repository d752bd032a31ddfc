// Copying and filling Halide buffers in generated model classes.
//
// Halide 14's Buffer::copy_from and Buffer::fill go through for_each_value, whose dimension flattening
// copies an uninitialized stride into the last dimension and then advances the pointers by it once past
// the end: undefined behaviour that UndefinedBehaviorSanitizer reports as an overflowed pointer (the
// pointer is never read, but the arithmetic is undefined). These do the same work without it, and
// with one memcpy or fill for the dense buffers that generated code uses.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "HalideBuffer.h"
#include "loom/runtime/errors.h"

namespace loom {

namespace detail {

inline bool is_dense(const halide_buffer_t& buffer) {
  std::int64_t expected = 1;
  for (int d = 0; d < buffer.dimensions; ++d) {
    if (buffer.dim[d].extent != 1 && buffer.dim[d].stride != expected) return false;
    expected *= buffer.dim[d].extent;
  }
  return true;
}

inline std::int64_t element_count(const halide_buffer_t& buffer) {
  std::int64_t count = 1;
  for (int d = 0; d < buffer.dimensions; ++d) count *= buffer.dim[d].extent;
  return count;
}

template <typename Visit>
void for_each_offset(const halide_buffer_t& a, const halide_buffer_t& b, int d, std::ptrdiff_t offset_a,
                     std::ptrdiff_t offset_b, const Visit& visit) {
  if (d < 0) {
    visit(offset_a, offset_b);
    return;
  }
  for (int i = 0; i < a.dim[d].extent; ++i)
    for_each_offset(a, b, d - 1, offset_a + std::ptrdiff_t(i) * a.dim[d].stride,
                    offset_b + std::ptrdiff_t(i) * b.dim[d].stride, visit);
}

}  // namespace detail

/// Copies `source` into `destination`, which must have the same extents (the mins may differ).
template <typename T, typename U>
void copy_values(Halide::Runtime::Buffer<T>& destination, const Halide::Runtime::Buffer<U>& source) {
  const halide_buffer_t& to = *destination.raw_buffer();
  const halide_buffer_t& from = *source.raw_buffer();
  bool same_shape = to.dimensions == from.dimensions;
  for (int d = 0; same_shape && d < to.dimensions; ++d) same_shape = to.dim[d].extent == from.dim[d].extent;
  if (!same_shape)
    throw Error("internal error: copy between buffers of different shapes (" + std::to_string(from.dimensions) +
                "-D into " + std::to_string(to.dimensions) + "-D or different extents)");
  destination.set_host_dirty();
  T* to_data = destination.data();
  const U* from_data = source.data();
  if (detail::is_dense(to) && detail::is_dense(from)) {
    std::copy_n(from_data, detail::element_count(to), to_data);
    return;
  }
  detail::for_each_offset(to, from, to.dimensions - 1, 0, 0,
                          [&](std::ptrdiff_t a, std::ptrdiff_t b) { to_data[a] = from_data[b]; });
}

/// Sets every element of `buffer` to `value`.
template <typename T, typename V>
void fill_values(Halide::Runtime::Buffer<T>& buffer, V value_of_any_type) {
  const T value = static_cast<T>(value_of_any_type);
  const halide_buffer_t& raw = *buffer.raw_buffer();
  buffer.set_host_dirty();
  T* data = buffer.data();
  if (detail::is_dense(raw)) {
    std::fill_n(data, detail::element_count(raw), value);
    return;
  }
  detail::for_each_offset(raw, raw, raw.dimensions - 1, 0, 0,
                          [&](std::ptrdiff_t a, std::ptrdiff_t) { data[a] = value; });
}

}  // namespace loom
