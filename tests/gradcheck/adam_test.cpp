// The reference Adam update against two steps worked out by hand with PyTorch's formulas.
#include <gtest/gtest.h>

#include <cmath>

#include "loom/reference/common.h"
#include "loom/reference/optimizers.h"

namespace loom::reference {
namespace {

TEST(Adam, TwoStepsByHand) {
  const AdamConfig<double> config{0.1, 0.9, 0.999, 1e-8};
  Vec<double> params = {1.0, -2.0}, m(2), v(2);

  // Step 1: m = 0.1 g, v = 0.001 g^2; bias correction divides them by 0.1 and 0.001, so m_hat = g and
  // v_hat = g^2, and each parameter moves by lr * g / (|g| + eps).
  adam_update(config, 1, {0.5, -0.1}, params, m, v);
  EXPECT_NEAR(m[0], 0.05, 1e-15);
  EXPECT_NEAR(m[1], -0.01, 1e-15);
  EXPECT_NEAR(v[0], 0.00025, 1e-15);
  EXPECT_NEAR(v[1], 0.00001, 1e-15);
  const double p0 = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8), p1 = -2.0 + 0.1 * 0.1 / (0.1 + 1e-8);
  EXPECT_NEAR(params[0], p0, 1e-14);
  EXPECT_NEAR(params[1], p1, 1e-14);

  // Step 2 with g = [-0.5, 0]: m = [0.045 - 0.05, -0.009] = [-0.005, -0.009], m_hat = m / 0.19;
  // v = [0.00024975 + 0.00025, 0.00000999] = [0.00049975, 0.00000999], v_hat = v / 0.001999 = [0.25, 0.004997...].
  adam_update(config, 2, {-0.5, 0.0}, params, m, v);
  EXPECT_NEAR(m[0], -0.005, 1e-15);
  EXPECT_NEAR(m[1], -0.009, 1e-15);
  EXPECT_NEAR(v[0], 0.00049975, 1e-15);
  EXPECT_NEAR(v[1], 0.00000999, 1e-15);
  EXPECT_NEAR(params[0], p0 - 0.1 * (-0.005 / 0.19) / (0.5 + 1e-8), 1e-14);
  EXPECT_NEAR(params[1], p1 - 0.1 * (-0.009 / 0.19) / (std::sqrt(0.00000999 / 0.001999) + 1e-8), 1e-14);
}

TEST(Adam, FirstStepMovesEachParameterByAboutLr) {
  // Adam's signature behaviour: with zero moments, step 1 moves by lr * sign(g) whatever the gradient's scale.
  const AdamConfig<double> config{0.01, 0.9, 0.999, 1e-8};
  Vec<double> params = {0.0, 0.0, 0.0}, m(3), v(3);
  adam_update(config, 1, {1e3, -1e-3, 1.0}, params, m, v);
  EXPECT_NEAR(params[0], -0.01, 1e-9);
  EXPECT_NEAR(params[1], 0.01, 1e-6);
  EXPECT_NEAR(params[2], -0.01, 1e-9);
}

}  // namespace
}  // namespace loom::reference
