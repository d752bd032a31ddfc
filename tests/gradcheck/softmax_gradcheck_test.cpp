// Gradient checks and forward values of the reference softmax and log_softmax over the last axis, including
// logits large enough to overflow exp() without the max subtraction.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"
#include "loom/reference/ops.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

TEST(SoftmaxGradcheck, SoftmaxAndLogSoftmax) {
  const int N = 3, C = 5;
  SplitMix64 rng(31);
  Vec<double> x = rng.vector(N * C, -3.0, 3.0);
  const Vec<double> dout = rng.vector(N * C);

  Vec<double> dx(N * C);
  ref::softmax_backward(ref::softmax_forward(x, N, C), dout, N, C, dx);
  expect_gradient_matches("softmax dx", x, dx, [&] { return dot(dout, ref::softmax_forward(x, N, C)); });

  dx.assign(N * C, 0.0);
  ref::log_softmax_backward(ref::log_softmax_forward(x, N, C), dout, N, C, dx);
  expect_gradient_matches("log_softmax dx", x, dx, [&] { return dot(dout, ref::log_softmax_forward(x, N, C)); });
}

TEST(SoftmaxForward, KnownVector) {
  const double total = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const Vec<double> y = ref::softmax_forward<double>({1, 2, 3}, 1, 3);
  const Vec<double> log_y = ref::log_softmax_forward<double>({1, 2, 3}, 1, 3);
  for (int c = 0; c < 3; c++) {
    EXPECT_NEAR(y[c], std::exp(c + 1.0) / total, 1e-15);
    EXPECT_NEAR(log_y[c], c + 1.0 - std::log(total), 1e-15);
  }
}

TEST(SoftmaxForward, LargeLogitsStayFinite) {
  const Vec<double> y = ref::softmax_forward<double>({1000, 1000, -1000, 1000}, 2, 2);
  EXPECT_EQ(y, (Vec<double>{0.5, 0.5, 0.0, 1.0}));
  const Vec<double> log_y = ref::log_softmax_forward<double>({1000, 1000}, 1, 2);
  EXPECT_DOUBLE_EQ(log_y[0], -std::log(2.0));
  EXPECT_DOUBLE_EQ(log_y[1], -std::log(2.0));
}

}  // namespace
}  // namespace loom::gradcheck
