// PCG32 and the initializers; see random.h.
#include "loom/runtime/random.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>

namespace loom {
namespace {

constexpr uint64_t kMultiplier = 6364136223846793005ULL;
// 2^-24: scales a 24-bit integer into [0, 1).
constexpr float kUnitScale = 1.0f / 16777216.0f;

}  // namespace

Random::Random(uint64_t seed, uint64_t stream) : increment_((stream << 1) | 1) {
  next_u32();
  state_ += seed;
  next_u32();
}

uint32_t Random::next_u32() {
  const uint64_t old_state = state_;
  state_ = old_state * kMultiplier + increment_;
  const auto xorshifted = static_cast<uint32_t>(((old_state >> 18) ^ old_state) >> 27);
  const auto rotation = static_cast<uint32_t>(old_state >> 59);
  return (xorshifted >> rotation) | (xorshifted << ((32 - rotation) & 31));
}

uint32_t Random::below(uint32_t bound) {
  if (bound == 0) throw Error("Random::below needs a positive bound, but got 0.");
  // Values under 2^32 mod bound would make the low results more likely; reject them.
  const uint32_t threshold = (0u - bound) % bound;
  while (true) {
    const uint32_t value = next_u32();
    if (value >= threshold) return value % bound;
  }
}

float Random::uniform() { return static_cast<float>(next_u32() >> 8) * kUnitScale; }

float Random::uniform(float low, float high) { return low + (high - low) * uniform(); }

float Random::normal() {
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  const double angle = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = static_cast<float>(radius * std::sin(angle));
  has_spare_normal_ = true;
  return static_cast<float>(radius * std::cos(angle));
}

std::vector<int64_t> Random::permutation(int64_t count) {
  if (count < 0) throw Error("A permutation needs a count of 0 or more, but got " + std::to_string(count) + ".");
  std::vector<int64_t> order(static_cast<std::size_t>(count));
  std::iota(order.begin(), order.end(), int64_t{0});
  shuffle(order);
  return order;
}

void glorot_uniform(Tensor& tensor, int64_t fan_in, int64_t fan_out, Random& random) {
  if (fan_in < 0 || fan_out < 0 || fan_in + fan_out == 0) {
    throw Error("Glorot initialisation needs non-negative fan-in and fan-out, not both 0, but got fan_in = " +
                std::to_string(fan_in) + " and fan_out = " + std::to_string(fan_out) + ".");
  }
  uniform_init(tensor, static_cast<float>(std::sqrt(6.0 / static_cast<double>(fan_in + fan_out))), random);
}

void uniform_init(Tensor& tensor, float bound, Random& random) {
  for (float& value : tensor.data) value = random.uniform(-bound, bound);
}

void normal_init(Tensor& tensor, float mean, float standard_deviation, Random& random) {
  for (float& value : tensor.data) value = random.normal(mean, standard_deviation);
}

void orthogonal_init(Tensor& tensor, float gain, Random& random) {
  if (tensor.rank() < 2) {
    throw Error("Orthogonal initialisation needs a tensor of rank 2 or more (a matrix), but got shape " +
                tensor.shape_string() + ". Initialise vectors such as biases another way, for example with zeros.");
  }
  if (tensor.element_count() == 0) return;
  const auto rows = static_cast<std::size_t>(tensor.shape[0]);
  const auto cols = static_cast<std::size_t>(tensor.element_count()) / rows;
  // Factor the tall orientation: a [m, n] matrix with m >= n, row-major.
  const bool transposed = rows < cols;
  const std::size_t m = transposed ? cols : rows;
  const std::size_t n = transposed ? rows : cols;
  std::vector<double> a(m * n);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) a[transposed ? c * n + r : r * n + c] = random.normal();
  }

  // Householder QR: reflection k maps column k below the diagonal onto the diagonal, leaving R in `a`.
  // reflections[k] holds v (length m - k); each reflection is I - 2 v v^T / (v^T v).
  std::vector<std::vector<double>> reflections(n);
  std::vector<double> r_diagonal(n);
  const auto reflect = [&](std::vector<double>& matrix, std::size_t k, std::size_t column) {
    const std::vector<double>& v = reflections[k];
    double v_dot_v = 0.0;
    double v_dot_column = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      v_dot_v += v[i] * v[i];
      v_dot_column += v[i] * matrix[(k + i) * n + column];
    }
    if (v_dot_v == 0.0) return;
    const double scale = 2.0 * v_dot_column / v_dot_v;
    for (std::size_t i = 0; i < v.size(); ++i) matrix[(k + i) * n + column] -= scale * v[i];
  };
  for (std::size_t k = 0; k < n; ++k) {
    double norm = 0.0;
    for (std::size_t i = k; i < m; ++i) norm += a[i * n + k] * a[i * n + k];
    norm = std::sqrt(norm);
    // Reflecting onto -sign(a_kk) * norm avoids cancellation in v.
    const double alpha = a[k * n + k] > 0.0 ? -norm : norm;
    reflections[k].resize(m - k);
    for (std::size_t i = k; i < m; ++i) reflections[k][i - k] = a[i * n + k];
    reflections[k][0] -= alpha;
    for (std::size_t column = k; column < n; ++column) reflect(a, k, column);
    r_diagonal[k] = alpha;
  }
  // Q = H_0 H_1 ... H_{n-1} applied to the first n columns of the identity.
  std::vector<double> q(m * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) q[i * n + i] = 1.0;
  for (std::size_t k = n; k-- > 0;) {
    for (std::size_t column = 0; column < n; ++column) reflect(q, k, column);
  }
  // Multiplying column k by sign(R_kk) gives the unique factorisation whose R has a positive diagonal (PyTorch's
  // sign is 0 for a zero diagonal entry, which a normal sample never has; it counts as positive here).
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c) {
      const std::size_t i = transposed ? c : r;
      const std::size_t k = transposed ? r : c;
      const double sign = r_diagonal[k] < 0.0 ? -1.0 : 1.0;
      tensor.data[r * cols + c] = static_cast<float>(gain * sign * q[i * n + k]);
    }
  }
}

void zeros(Tensor& tensor) { std::fill(tensor.data.begin(), tensor.data.end(), 0.0f); }

}  // namespace loom
