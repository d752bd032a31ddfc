// Gradient checks of the reference GRU through time, in both variants (reset gate after the recurrent
// projection, as PyTorch and cuDNN, or before it, as Cho et al.), for every input and parameter, with upstream
// gradients on every h_t and on the final state, plus forward values computed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gradcheck.h"
#include "loom/reference/recurrent.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

constexpr bool kResetAfter = true, kResetBefore = false;

struct Upstream {
  bool every_step;  // dh nonzero at every t
  bool last_state;  // dh_last nonzero
};

void check_gru(const ref::RecurrentShape& s, std::uint64_t seed, Upstream upstream, bool reset_after) {
  SplitMix64 rng(seed);
  const std::size_t state = std::size_t(s.B) * s.H;
  ref::RecurrentParams<double> p = random_recurrent_params(rng, 3 * s.H, s.I, s.H);
  Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(state);
  const Vec<double> dh = upstream.every_step ? rng.vector(s.T * state) : Vec<double>();
  const Vec<double> dh_last = upstream.last_state ? rng.vector(state) : Vec<double>();

  // sum(dh * h) + sum(dh_last * h_{T-1}), each term present when its gradient is.
  auto objective = [&] {
    const ref::GruForward<double> fwd = ref::gru_forward(s, p, x, h0, reset_after);
    double total = 0.0;
    if (!dh.empty()) total += dot(dh, fwd.h);
    if (!dh_last.empty()) total += dot(dh_last, last_step(fwd.h, s));
    return total;
  };

  const std::string layer = reset_after ? "gru reset_after" : "gru reset_before";
  const ref::GruForward<double> fwd = ref::gru_forward(s, p, x, h0, reset_after);
  const ref::RecurrentGradients<double> grads = ref::gru_backward(s, p, x, h0, fwd, dh, dh_last);
  EXPECT_TRUE(grads.dc0.empty());
  expect_gradient_matches(layer + " dx", x, grads.dx, objective);
  expect_gradient_matches(layer + " dh0", h0, grads.dh0, objective);
  expect_parameter_gradients_match(layer, p, grads.dparams, objective);
}

TEST(GruGradcheck, ResetAfterEveryStepAndLastState) { check_gru({4, 2, 3, 5}, 81, {true, true}, kResetAfter); }

TEST(GruGradcheck, ResetBeforeEveryStepAndLastState) { check_gru({4, 2, 3, 5}, 81, {true, true}, kResetBefore); }

TEST(GruGradcheck, ResetAfterEveryStepOnly) { check_gru({3, 2, 2, 3}, 82, {true, false}, kResetAfter); }

TEST(GruGradcheck, ResetBeforeEveryStepOnly) { check_gru({3, 2, 2, 3}, 82, {true, false}, kResetBefore); }

// The case of a classifier that reads only the final state.
TEST(GruGradcheck, ResetAfterLastStateOnly) { check_gru({3, 3, 2, 4}, 83, {false, true}, kResetAfter); }

TEST(GruGradcheck, ResetBeforeLastStateOnly) { check_gru({3, 3, 2, 4}, 83, {false, true}, kResetBefore); }

TEST(GruGradcheck, ResetAfterSingleStep) { check_gru({1, 2, 3, 4}, 84, {true, true}, kResetAfter); }

TEST(GruGradcheck, ResetBeforeSingleStep) { check_gru({1, 2, 3, 4}, 84, {true, true}, kResetBefore); }

// The gradient checks hold each variant's backward to its own forward, so a reset_after flag that both ignored
// would pass them: the variants must disagree on the same parameters and inputs.
TEST(GruForward, ResetAfterAndResetBeforeDiffer) {
  const ref::RecurrentShape s{3, 2, 3, 4};
  SplitMix64 rng(85);
  const ref::RecurrentParams<double> p = random_recurrent_params(rng, 3 * s.H, s.I, s.H);
  const Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(std::size_t(s.B) * s.H);
  const Vec<double> after = ref::gru_forward(s, p, x, h0, kResetAfter).h;
  const Vec<double> before = ref::gru_forward(s, p, x, h0, kResetBefore).h;
  ASSERT_EQ(after.size(), before.size());
  double max_diff = 0.0;
  for (std::size_t n = 0; n < after.size(); n++) max_diff = std::max(max_diff, std::abs(after[n] - before[n]));
  std::printf("  reset_after vs reset_before max |diff| in h %.3e\n", max_diff);
  EXPECT_GT(max_diff, 1e-2);
}

// T = B = I = H = 1; parameters per gate in the order r, z, n. Pre-activations of r and z, w_ih * x + w_hh * h0
// + b_ih + b_hh: r: 0.5 + 0.15 + 0.1 - 0.1 = 0.65, z: -0.4 + 0.1 + 0.0 + 0.3 = 0.
const ref::RecurrentParams<double> kOneUnit = {{0.5, -0.4, 0.8}, {0.3, 0.2, -0.6}, {0.1, 0.0, -0.2}, {-0.1, 0.3, 0.4}};
constexpr double kOneUnitX = 1.0, kOneUnitH0 = 0.5;

void expect_one_unit(const ref::GruForward<double>& fwd, double n) {
  const double r = 1.0 / (1.0 + std::exp(-0.65)), z = 0.5;
  ASSERT_EQ(fwd.gates.size(), 3u);
  EXPECT_NEAR(fwd.gates[0], r, 1e-15);
  EXPECT_NEAR(fwd.gates[1], z, 1e-15);
  EXPECT_NEAR(fwd.gates[2], n, 1e-15);
  EXPECT_NEAR(fwd.h[0], (1.0 - z) * n + z * kOneUnitH0, 1e-15);
}

TEST(GruForward, ResetAfterOneUnitByHand) {
  const ref::GruForward<double> fwd = ref::gru_forward<double>({1, 1, 1, 1}, kOneUnit, {kOneUnitX}, {kOneUnitH0},
                                                               kResetAfter);
  // n = tanh(0.8 - 0.2 + r * (-0.6 * 0.5 + 0.4))
  const double r = 1.0 / (1.0 + std::exp(-0.65));
  expect_one_unit(fwd, std::tanh(0.6 + 0.1 * r));
  // The same numbers to 9 digits, evaluated independently with Python's math module.
  EXPECT_NEAR(fwd.gates[2], 0.582144926, 1e-9);
  EXPECT_NEAR(fwd.h[0], 0.541072463, 1e-9);
}

TEST(GruForward, ResetBeforeOneUnitByHand) {
  const ref::GruForward<double> fwd = ref::gru_forward<double>({1, 1, 1, 1}, kOneUnit, {kOneUnitX}, {kOneUnitH0},
                                                               kResetBefore);
  // n = tanh(0.8 - 0.2 + (-0.6) * (r * 0.5) + 0.4)
  const double r = 1.0 / (1.0 + std::exp(-0.65));
  expect_one_unit(fwd, std::tanh(1.0 - 0.3 * r));
  // The same numbers to 9 digits, evaluated independently with Python's math module.
  EXPECT_NEAR(fwd.gates[2], 0.665653162, 1e-9);
  EXPECT_NEAR(fwd.h[0], 0.582826581, 1e-9);
}

}  // namespace
}  // namespace loom::gradcheck
