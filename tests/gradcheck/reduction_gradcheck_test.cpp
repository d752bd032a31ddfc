// Gradient checks and forward values of the reference reductions: sum, mean and max over each axis of a
// rank-3 tensor and over all elements.
#include <gtest/gtest.h>

#include "gradcheck.h"
#include "loom/reference/ops.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

const std::vector<int> kDims = {2, 3, 4};
constexpr std::size_t kNumel = 24;

TEST(ReductionGradcheck, EveryAxis) {
  SplitMix64 rng(21);
  // Distinct random values, so no max is tied and the max is differentiable.
  Vec<double> x = rng.vector(kNumel);
  for (int axis = 0; axis < 3; axis++) {
    const ref::AxisView view = ref::reduce_axis(kDims, axis);
    const Vec<double> dout = rng.vector(std::size_t(view.outer) * view.inner);
    const std::string suffix = " axis " + std::to_string(axis) + " dx";

    Vec<double> dx(kNumel);
    ref::sum_backward(dout, view, dx);
    expect_gradient_matches("sum" + suffix, x, dx, [&] { return dot(dout, ref::sum_forward(x, view)); });

    dx.assign(kNumel, 0.0);
    ref::mean_backward(dout, view, dx);
    expect_gradient_matches("mean" + suffix, x, dx, [&] { return dot(dout, ref::mean_forward(x, view)); });

    dx.assign(kNumel, 0.0);
    ref::max_backward(x, dout, view, dx);
    expect_gradient_matches("max" + suffix, x, dx, [&] { return dot(dout, ref::max_forward(x, view)); });
  }
}

TEST(ReductionGradcheck, AllElements) {
  SplitMix64 rng(22);
  Vec<double> x = rng.vector(kNumel);
  const double dout = 0.7;

  Vec<double> dx(kNumel);
  ref::sum_all_backward(dout, dx);
  expect_gradient_matches("sum_all dx", x, dx, [&] { return dout * ref::sum_all_forward(x); });

  dx.assign(kNumel, 0.0);
  ref::mean_all_backward(dout, dx);
  expect_gradient_matches("mean_all dx", x, dx, [&] { return dout * ref::mean_all_forward(x); });

  dx.assign(kNumel, 0.0);
  ref::max_all_backward(x, dout, dx);
  expect_gradient_matches("max_all dx", x, dx, [&] { return dout * ref::max_all_forward(x); });
}

TEST(ReductionForward, KnownValues) {
  // [[1 2 3], [4 5 6]]
  const Vec<double> x = {1, 2, 3, 4, 5, 6};
  const ref::AxisView rows = ref::reduce_axis({2, 3}, 0), columns = ref::reduce_axis({2, 3}, 1);
  EXPECT_EQ(ref::sum_forward(x, rows), (Vec<double>{5, 7, 9}));
  EXPECT_EQ(ref::sum_forward(x, columns), (Vec<double>{6, 15}));
  EXPECT_EQ(ref::mean_forward(x, rows), (Vec<double>{2.5, 3.5, 4.5}));
  EXPECT_EQ(ref::mean_forward(x, columns), (Vec<double>{2, 5}));
  EXPECT_EQ(ref::max_forward<double>({1, 9, 3, 7, 5, 6}, rows), (Vec<double>{7, 9, 6}));
  EXPECT_EQ(ref::max_forward<double>({1, 9, 3, 7, 5, 6}, columns), (Vec<double>{9, 7}));
  EXPECT_EQ(ref::sum_all_forward(x), 21.0);
  EXPECT_EQ(ref::mean_all_forward(x), 3.5);
  EXPECT_EQ(ref::max_all_forward<double>({-3, -1, -2}), -1.0);
}

TEST(ReductionForward, AxisViewOfRank3) {
  const ref::AxisView middle = ref::reduce_axis(kDims, 1);
  EXPECT_EQ(middle.outer, 2);
  EXPECT_EQ(middle.size, 3);
  EXPECT_EQ(middle.inner, 4);
}

// A tie has no unique derivative; the whole gradient goes to the first maximum, as argmax reports it.
TEST(ReductionBackward, MaxTieGoesToFirst) {
  Vec<double> dx(4);
  ref::max_all_backward<double>({1, 5, 5, 2}, 1.0, dx);
  EXPECT_EQ(dx, (Vec<double>{0, 1, 0, 0}));
}

}  // namespace
}  // namespace loom::gradcheck
