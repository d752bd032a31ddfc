// A deterministic, seedable random stream (PCG32) and the parameter initializers built on it.
// Everything here is computed by Loom's own code, so a seed gives the same numbers with every standard library.
#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include "loom/runtime/errors.h"
#include "loom/runtime/tensor.h"

namespace loom {

// PCG32 (O'Neill, "PCG: A Family of Simple Fast Space-Efficient Statistically Good Algorithms for Random Number
// Generation", 2014), XSH-RR output, seeded exactly like the reference pcg32_srandom_r.
class Random {
 public:
  // Different streams with the same seed give independent sequences.
  explicit Random(uint64_t seed, uint64_t stream = 0);

  uint32_t next_u32();
  // Uniform in [0, bound) without modulo bias; bound must be positive.
  uint32_t below(uint32_t bound);
  // Uniform in [0, 1), from 24 random bits so every value is exactly representable.
  float uniform();
  float uniform(float low, float high);
  // Standard normal, by the Box-Muller transform.
  float normal();
  float normal(float mean, float standard_deviation) { return mean + standard_deviation * normal(); }

  // Fisher-Yates, so the order depends only on the seed (std::shuffle's algorithm differs between libraries).
  template <class T>
  void shuffle(std::vector<T>& values) {
    if (values.size() > std::numeric_limits<uint32_t>::max()) {
      throw Error("Cannot shuffle " + std::to_string(values.size()) + " values; the limit is 2^32 - 1.");
    }
    for (std::size_t i = values.size(); i > 1; --i) {
      const std::size_t j = below(static_cast<uint32_t>(i));
      std::swap(values[i - 1], values[j]);
    }
  }

  // 0, 1, ..., count - 1 in shuffled order, e.g. the example order of one training epoch.
  std::vector<int64_t> permutation(int64_t count);

 private:
  uint64_t state_ = 0;
  uint64_t increment_ = 0;
  // Box-Muller yields normals in pairs; the second waits here for the next call.
  bool has_spare_normal_ = false;
  float spare_normal_ = 0.0f;
};

// Glorot (Xavier) uniform: U(-b, b) with b = sqrt(6 / (fan_in + fan_out)), as Keras initialises kernels.
void glorot_uniform(Tensor& tensor, int64_t fan_in, int64_t fan_out, Random& random);

// U(-bound, bound). PyTorch initialises every LSTM and GRU parameter this way with bound = 1 / sqrt(hidden_size).
void uniform_init(Tensor& tensor, float bound, Random& random);

// N(mean, standard_deviation^2) for every value, drawn in row-major order.
void normal_init(Tensor& tensor, float mean, float standard_deviation, Random& random);

// A (semi-)orthogonal matrix times `gain`, as torch.nn.init.orthogonal_ makes it (Saxe et al., "Exact solutions
// to the nonlinear dynamics of learning in deep linear neural networks", 2014), often used for recurrent weights.
// The tensor is viewed as a [rows, cols] matrix, rows = its first dimension. A standard normal matrix of that shape
// (drawn in row-major order, transposed when rows < cols) is factored as Q R, and the columns of Q are multiplied
// by the signs of R's diagonal so that the result does not depend on the QR algorithm; Q (transposed back when
// rows < cols) times gain becomes the tensor. So the columns are orthonormal when rows >= cols (Q^T Q = I) and the
// rows when rows < cols (Q Q^T = I). The arithmetic is in double precision. Tensors without values are left
// as they are; a tensor of rank below 2 throws loom::Error.
void orthogonal_init(Tensor& tensor, float gain, Random& random);

void zeros(Tensor& tensor);

}  // namespace loom
