// A small owning float tensor: a row-major shape plus 64-byte aligned storage that Halide buffers can wrap.
// Apps, parameter files and data loaders exchange data in this form.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>
#include <string>
#include <vector>

namespace loom {

// Allocates with 64-byte alignment: one cache line, and the widest AVX-512 vector load.
template <class T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::align_val_t alignment{64};

  AlignedAllocator() = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}

  T* allocate(std::size_t count) { return static_cast<T*>(::operator new(count * sizeof(T), alignment)); }
  void deallocate(T* pointer, std::size_t) noexcept { ::operator delete(pointer, alignment); }

  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept {
    return true;
  }
};

using AlignedFloats = std::vector<float, AlignedAllocator<float>>;

// Product of the dimensions; throws loom::Error for a negative dimension or a count that overflows int64.
int64_t element_count(std::span<const int64_t> shape);

// "[128, 28, 28]"; a scalar (rank 0) is "[]".
std::string shape_string(std::span<const int64_t> shape);

struct Tensor {
  std::vector<int64_t> shape;
  AlignedFloats data;  // row-major, element_count() values

  Tensor() = default;
  // Zero-filled.
  explicit Tensor(std::vector<int64_t> shape);
  // Takes the values in row-major order; their count must match the shape.
  Tensor(std::vector<int64_t> shape, const std::vector<float>& values);
  static Tensor filled(std::vector<int64_t> shape, float value);

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t element_count() const { return static_cast<int64_t>(data.size()); }
  std::string shape_string() const { return loom::shape_string(shape); }

  // Row-major offset of a full index; throws loom::Error naming the index and the shape when out of range.
  int64_t offset(std::span<const int64_t> index) const;

  // Checked element access: t.at(i, j, k).
  template <class... Index>
  float& at(Index... index) {
    const std::array<int64_t, sizeof...(Index)> full_index{static_cast<int64_t>(index)...};
    return data[static_cast<std::size_t>(offset(full_index))];
  }
  template <class... Index>
  const float& at(Index... index) const {
    const std::array<int64_t, sizeof...(Index)> full_index{static_cast<int64_t>(index)...};
    return data[static_cast<std::size_t>(offset(full_index))];
  }

  // The contiguous values of slice i along the first dimension, e.g. one example of a batch.
  std::span<float> row(int64_t i);
  std::span<const float> row(int64_t i) const;
};

}  // namespace loom
