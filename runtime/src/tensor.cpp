// Shape arithmetic and checked indexing for loom::Tensor.
#include "loom/runtime/tensor.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "loom/runtime/errors.h"

namespace loom {

int64_t element_count(std::span<const int64_t> shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) {
      throw Error("Shape " + shape_string(shape) + " has a negative dimension; every dimension must be 0 or more.");
    }
    if (dim != 0 && count > std::numeric_limits<int64_t>::max() / dim) {
      throw Error("Shape " + shape_string(shape) + " has more elements than fit in a 64-bit count.");
    }
    count *= dim;
  }
  return count;
}

std::string shape_string(std::span<const int64_t> shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor::Tensor(std::vector<int64_t> shape)
    : shape(std::move(shape)), data(static_cast<std::size_t>(loom::element_count(this->shape)), 0.0f) {}

Tensor::Tensor(std::vector<int64_t> shape, const std::vector<float>& values) : shape(std::move(shape)) {
  const int64_t expected = loom::element_count(this->shape);
  if (static_cast<int64_t>(values.size()) != expected) {
    throw Error("A tensor of shape " + loom::shape_string(this->shape) + " needs " + std::to_string(expected) +
                " values, but " + std::to_string(values.size()) + " were given.");
  }
  data.assign(values.begin(), values.end());
}

Tensor Tensor::filled(std::vector<int64_t> shape, float value) {
  Tensor tensor(std::move(shape));
  std::fill(tensor.data.begin(), tensor.data.end(), value);
  return tensor;
}

int64_t Tensor::offset(std::span<const int64_t> index) const {
  bool in_range = index.size() == shape.size();
  int64_t result = 0;
  for (std::size_t d = 0; in_range && d < shape.size(); ++d) {
    in_range = index[d] >= 0 && index[d] < shape[d];
    result = result * shape[d] + index[d];
  }
  if (!in_range) {
    throw Error("Index " + loom::shape_string(index) + " is out of range for a tensor of shape " + shape_string() +
                ".");
  }
  return result;
}

std::span<float> Tensor::row(int64_t i) {
  const std::span<const float> values = std::as_const(*this).row(i);
  return {const_cast<float*>(values.data()), values.size()};
}

std::span<const float> Tensor::row(int64_t i) const {
  if (shape.empty() || i < 0 || i >= shape[0]) {
    throw Error("Row " + std::to_string(i) + " is out of range for a tensor of shape " + shape_string() + ".");
  }
  const auto row_size = static_cast<std::size_t>(element_count() / shape[0]);
  return {data.data() + static_cast<std::size_t>(i) * row_size, row_size};
}

}  // namespace loom
