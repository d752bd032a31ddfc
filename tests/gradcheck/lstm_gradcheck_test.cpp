// Gradient checks of the reference LSTM through time, for every input and parameter, with upstream gradients
// on every h_t and on the final state, plus a forward value computed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"
#include "loom/reference/recurrent.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

struct Upstream {
  bool every_step;  // dh nonzero at every t
  bool last_state;  // dh_last and dc_last nonzero
};

void check_lstm(const ref::RecurrentShape& s, std::uint64_t seed, Upstream upstream) {
  SplitMix64 rng(seed);
  const std::size_t state = std::size_t(s.B) * s.H;
  ref::RecurrentParams<double> p = random_recurrent_params(rng, 4 * s.H, s.I, s.H);
  Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(state), c0 = rng.vector(state);
  const Vec<double> dh = upstream.every_step ? rng.vector(s.T * state) : Vec<double>();
  const Vec<double> dh_last = upstream.last_state ? rng.vector(state) : Vec<double>();
  const Vec<double> dc_last = upstream.last_state ? rng.vector(state) : Vec<double>();

  // sum(dh * h) + sum(dh_last * h_{T-1}) + sum(dc_last * c_{T-1}), each term present when its gradient is.
  auto objective = [&] {
    const ref::LstmForward<double> fwd = ref::lstm_forward(s, p, x, h0, c0);
    double total = 0.0;
    if (!dh.empty()) total += dot(dh, fwd.h);
    if (!dh_last.empty()) total += dot(dh_last, last_step(fwd.h, s)) + dot(dc_last, last_step(fwd.c, s));
    return total;
  };

  const ref::LstmForward<double> fwd = ref::lstm_forward(s, p, x, h0, c0);
  const ref::RecurrentGradients<double> grads = ref::lstm_backward(s, p, x, h0, c0, fwd, dh, dh_last, dc_last);
  expect_gradient_matches("lstm dx", x, grads.dx, objective);
  expect_gradient_matches("lstm dh0", h0, grads.dh0, objective);
  expect_gradient_matches("lstm dc0", c0, grads.dc0, objective);
  expect_parameter_gradients_match("lstm", p, grads.dparams, objective);
}

TEST(LstmGradcheck, EveryStepAndLastState) { check_lstm({4, 2, 3, 5}, 51, {true, true}); }

TEST(LstmGradcheck, EveryStepOnly) { check_lstm({3, 2, 2, 3}, 52, {true, false}); }

// The case of a classifier that reads only the final state.
TEST(LstmGradcheck, LastStateOnly) { check_lstm({3, 3, 2, 4}, 53, {false, true}); }

TEST(LstmGradcheck, SingleStep) { check_lstm({1, 2, 3, 4}, 54, {true, true}); }

TEST(LstmForward, OneUnitByHand) {
  // T = B = I = H = 1; parameters per gate in the order i, f, g, o.
  const ref::RecurrentParams<double> p = {{0.5, -0.5, 1.0, 0.25}, {0.1, 0.2, -0.3, 0.4}, {0.0, 1.0, 0.0, 0.0},
                                          {0.1, 0.0, -0.1, 0.2}};
  const double x = 1.0, h0 = 0.5, c0 = -0.2;
  // Pre-activations w_ih * x + w_hh * h0 + b_ih + b_hh:
  //   i: 0.5 + 0.05 + 0.1 = 0.65   f: -0.5 + 0.1 + 1.0 = 0.6   g: 1.0 - 0.15 - 0.1 = 0.75   o: 0.25 + 0.2 + 0.2 = 0.65
  const double i = 1.0 / (1.0 + std::exp(-0.65)), f = 1.0 / (1.0 + std::exp(-0.6)), g = std::tanh(0.75),
               o = 1.0 / (1.0 + std::exp(-0.65));
  const double c = f * c0 + i * g, h = o * std::tanh(c);

  const ref::LstmForward<double> fwd = ref::lstm_forward<double>({1, 1, 1, 1}, p, {x}, {h0}, {c0});
  EXPECT_NEAR(fwd.gates[0], i, 1e-15);
  EXPECT_NEAR(fwd.gates[1], f, 1e-15);
  EXPECT_NEAR(fwd.gates[2], g, 1e-15);
  EXPECT_NEAR(fwd.gates[3], o, 1e-15);
  EXPECT_NEAR(fwd.c[0], c, 1e-15);
  EXPECT_NEAR(fwd.h[0], h, 1e-15);
  // The same two numbers to 9 digits, evaluated independently with Python's math module.
  EXPECT_NEAR(fwd.c[0], 0.288168246, 1e-9);
  EXPECT_NEAR(fwd.h[0], 0.184257268, 1e-9);
}

}  // namespace
}  // namespace loom::gradcheck
