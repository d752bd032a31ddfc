// Helpers for the gradient checks of the reference ops: a small deterministic generator and a comparison of
// analytic gradients against central finite differences, printing the max difference as llm.c does.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "loom/reference/common.h"
#include "loom/reference/recurrent.h"

namespace loom::gradcheck {

using reference::Vec;

// splitmix64: the same numbers on every platform, and no dependency on Loom's runtime library.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  // Uniform in [lo, hi) from the top 53 bits.
  double uniform(double lo, double hi) { return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53; }

  Vec<double> vector(std::size_t n, double lo = -1.0, double hi = 1.0) {
    Vec<double> v(n);
    for (double& x : v) x = uniform(lo, hi);
    return v;
  }

 private:
  std::uint64_t state_;
};

inline double dot(const Vec<double>& a, const Vec<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double total = 0.0;
  for (std::size_t n = 0; n < std::min(a.size(), b.size()); n++) total += a[n] * b[n];
  return total;
}

// Step and tolerance for double precision: truncation error is O(step^2) and rounding error about
// 1e-16 * |objective| / step, both far below the tolerance for the small shapes used here.
inline constexpr double kStep = 1e-6;
inline constexpr double kTolerance = 1e-6;

// Compares `analytic` with central differences of objective() with respect to every element of `input`.
// objective() must read `input` through a reference, since each element is perturbed in place and restored.
// The error is relative for gradients larger than 1 and absolute below, so near-zero entries do not blow it up.
template <typename Objective>
void expect_gradient_matches(const std::string& name, Vec<double>& input, const Vec<double>& analytic,
                             Objective objective) {
  ASSERT_EQ(analytic.size(), input.size()) << name;
  double max_diff = 0.0, max_error = 0.0;
  for (std::size_t n = 0; n < input.size(); n++) {
    const double saved = input[n];
    input[n] = saved + kStep;
    const double plus = objective();
    input[n] = saved - kStep;
    const double minus = objective();
    input[n] = saved;
    const double numeric = (plus - minus) / (2.0 * kStep);
    const double diff = std::abs(numeric - analytic[n]);
    const double error = diff / std::max({1.0, std::abs(numeric), std::abs(analytic[n])});
    max_diff = std::max(max_diff, diff);
    max_error = std::max(max_error, error);
    EXPECT_LT(error, kTolerance) << name << "[" << n << "]: analytic " << analytic[n] << ", numeric " << numeric;
  }
  std::printf("  %-24s %4zu elements, max |diff| %.3e, max error %.3e\n", name.c_str(), input.size(), max_diff,
              max_error);
}

// Checks all four parameter gradients of a recurrent layer; objective() must read `params` through a reference.
template <typename Objective>
void expect_parameter_gradients_match(const std::string& layer, reference::RecurrentParams<double>& params,
                                      const reference::RecurrentParams<double>& dparams, Objective objective) {
  expect_gradient_matches(layer + " dw_ih", params.w_ih, dparams.w_ih, objective);
  expect_gradient_matches(layer + " dw_hh", params.w_hh, dparams.w_hh, objective);
  expect_gradient_matches(layer + " db_ih", params.b_ih, dparams.b_ih, objective);
  expect_gradient_matches(layer + " db_hh", params.b_hh, dparams.b_hh, objective);
}

// Random parameters for a layer with G gate rows (4H for the LSTM, H for the RNN).
inline reference::RecurrentParams<double> random_recurrent_params(SplitMix64& rng, int G, int I, int H) {
  return {rng.vector(std::size_t(G) * I), rng.vector(std::size_t(G) * H), rng.vector(G), rng.vector(G)};
}

// The last time step [B,H] of a [T,B,H] sequence.
inline Vec<double> last_step(const Vec<double>& sequence, const reference::RecurrentShape& s) {
  const std::size_t state = std::size_t(s.B) * s.H;
  return Vec<double>(sequence.end() - std::ptrdiff_t(state), sequence.end());
}

}  // namespace loom::gradcheck
