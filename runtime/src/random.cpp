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

void zeros(Tensor& tensor) { std::fill(tensor.data.begin(), tensor.data.end(), 0.0f); }

}  // namespace loom
