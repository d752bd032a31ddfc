// Gradient checks of the reference vanilla RNN through time, tanh and relu, for every input and parameter, with
// upstream gradients on every h_t and on the final state, plus forward values computed by hand.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gradcheck.h"
#include "loom/reference/recurrent.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

constexpr ref::RnnActivation kRelu = ref::RnnActivation::Relu;

struct Upstream {
  bool every_step;  // dh nonzero at every t
  bool last_state;  // dh_last nonzero
};

void check_rnn(const ref::RecurrentShape& s, std::uint64_t seed, Upstream upstream,
               ref::RnnActivation activation = ref::RnnActivation::Tanh) {
  SplitMix64 rng(seed);
  const std::size_t state = std::size_t(s.B) * s.H;
  ref::RecurrentParams<double> p = random_recurrent_params(rng, s.H, s.I, s.H);
  Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(state);
  const Vec<double> dh = upstream.every_step ? rng.vector(s.T * state) : Vec<double>();
  const Vec<double> dh_last = upstream.last_state ? rng.vector(state) : Vec<double>();

  // sum(dh * h) + sum(dh_last * h_{T-1}), each term present when its gradient is.
  auto objective = [&] {
    const Vec<double> h = ref::rnn_forward(s, p, x, h0, activation);
    double total = 0.0;
    if (!dh.empty()) total += dot(dh, h);
    if (!dh_last.empty()) total += dot(dh_last, last_step(h, s));
    return total;
  };

  const Vec<double> h = ref::rnn_forward(s, p, x, h0, activation);
  const ref::RecurrentGradients<double> grads = ref::rnn_backward(s, p, x, h0, h, dh, dh_last, activation);
  EXPECT_TRUE(grads.dc0.empty());
  if (activation == kRelu) {
    // Central differences hold only where no pre-activation lies within the step of relu's kink, which is so
    // for the seeds used (a crossing would fail the check, not pass it). Both sides of the kink must occur, or
    // the check would say nothing about one of them.
    const auto clipped = std::count(h.begin(), h.end(), 0.0);
    EXPECT_GT(clipped, 0);
    EXPECT_LT(clipped, std::ptrdiff_t(h.size()));
  }
  const std::string layer = activation == kRelu ? "relu rnn" : "rnn";
  expect_gradient_matches(layer + " dx", x, grads.dx, objective);
  expect_gradient_matches(layer + " dh0", h0, grads.dh0, objective);
  expect_parameter_gradients_match(layer, p, grads.dparams, objective);
}

TEST(RnnGradcheck, EveryStepAndLastState) { check_rnn({5, 2, 3, 4}, 61, {true, true}); }

TEST(RnnGradcheck, EveryStepOnly) { check_rnn({3, 2, 2, 3}, 62, {true, false}); }

// The case of a classifier that reads only the final state.
TEST(RnnGradcheck, LastStateOnly) { check_rnn({4, 3, 2, 3}, 63, {false, true}); }

TEST(RnnGradcheck, SingleStep) { check_rnn({1, 2, 3, 4}, 64, {true, true}); }

TEST(RnnGradcheck, ReluEveryStepAndLastState) { check_rnn({5, 2, 3, 4}, 65, {true, true}, kRelu); }

TEST(RnnGradcheck, ReluEveryStepOnly) { check_rnn({3, 2, 2, 3}, 66, {true, false}, kRelu); }

TEST(RnnGradcheck, ReluLastStateOnly) { check_rnn({4, 3, 2, 3}, 67, {false, true}, kRelu); }

TEST(RnnGradcheck, ReluSingleStep) { check_rnn({1, 2, 3, 4}, 68, {true, true}, kRelu); }

TEST(RnnForward, TwoStepsByHand) {
  // T = 2, B = I = H = 1: w_ih 0.5, w_hh 0.3, b_ih 0.1, b_hh -0.2, h0 0.2, x = [1, -2].
  const ref::RecurrentParams<double> p = {{0.5}, {0.3}, {0.1}, {-0.2}};
  const Vec<double> h = ref::rnn_forward<double>({2, 1, 1, 1}, p, {1.0, -2.0}, {0.2});
  // h1 = tanh(0.5 + 0.06 + 0.1 - 0.2) = tanh(0.46); h2 = tanh(-1 + 0.3 h1 + 0.1 - 0.2)
  const double h1 = std::tanh(0.46), h2 = std::tanh(-1.1 + 0.3 * h1);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_NEAR(h[0], h1, 1e-15);
  EXPECT_NEAR(h[1], h2, 1e-15);
  // The same two numbers to 9 digits, evaluated independently with Python's math module.
  EXPECT_NEAR(h[0], 0.430084211, 1e-9);
  EXPECT_NEAR(h[1], -0.749132315, 1e-9);
}

TEST(RnnForward, ReluTwoStepsByHand) {
  // The parameters and inputs of TwoStepsByHand: the first step stays positive, the second is clipped.
  const ref::RecurrentParams<double> p = {{0.5}, {0.3}, {0.1}, {-0.2}};
  const Vec<double> h = ref::rnn_forward<double>({2, 1, 1, 1}, p, {1.0, -2.0}, {0.2}, kRelu);
  // h1 = relu(0.46) = 0.46; h2 = relu(-1.1 + 0.3 * 0.46) = relu(-0.962) = 0
  ASSERT_EQ(h.size(), 2u);
  EXPECT_NEAR(h[0], 0.46, 1e-15);
  EXPECT_EQ(h[1], 0.0);
}

// PyTorch's convention: relu'(0) = 0, so a pre-activation of exactly 0 passes no gradient back.
TEST(RnnBackward, ReluDerivativeIsZeroAtZero) {
  // T = B = I = H = 1: pre = 1 * 0.5 + 0 * 0.3 - 0.5 + 0 = 0 exactly.
  const ref::RecurrentParams<double> p = {{1.0}, {0.0}, {-0.5}, {0.0}};
  const ref::RecurrentShape s{1, 1, 1, 1};
  const Vec<double> x = {0.5}, h0 = {0.3};
  const Vec<double> h = ref::rnn_forward(s, p, x, h0, kRelu);
  ASSERT_EQ(h, Vec<double>{0.0});
  const ref::RecurrentGradients<double> grads = ref::rnn_backward(s, p, x, h0, h, {1.0}, {}, kRelu);
  for (const Vec<double>* gradient : {&grads.dx, &grads.dh0, &grads.dparams.w_ih, &grads.dparams.w_hh,
                                      &grads.dparams.b_ih, &grads.dparams.b_hh}) {
    EXPECT_EQ(*gradient, Vec<double>{0.0});
  }
}

}  // namespace
}  // namespace loom::gradcheck
