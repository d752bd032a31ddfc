// Gradient checks and forward values of the elementwise reference ops: add, sub, mul, bias add, tanh,
// sigmoid, exp, log, and the column-block slice that takes a gate out of a [N, 4H] pre-activation.
#include <gtest/gtest.h>

#include <cmath>

#include "gradcheck.h"
#include "loom/reference/ops.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

constexpr std::size_t kSize = 12;

TEST(ElementwiseGradcheck, AddSubMul) {
  SplitMix64 rng(1);
  Vec<double> a = rng.vector(kSize), b = rng.vector(kSize);
  const Vec<double> dout = rng.vector(kSize);

  Vec<double> da(kSize), db(kSize);
  ref::add_backward(dout, da, db);
  expect_gradient_matches("add da", a, da, [&] { return dot(dout, ref::add_forward(a, b)); });
  expect_gradient_matches("add db", b, db, [&] { return dot(dout, ref::add_forward(a, b)); });

  da.assign(kSize, 0.0);
  db.assign(kSize, 0.0);
  ref::sub_backward(dout, da, db);
  expect_gradient_matches("sub da", a, da, [&] { return dot(dout, ref::sub_forward(a, b)); });
  expect_gradient_matches("sub db", b, db, [&] { return dot(dout, ref::sub_forward(a, b)); });

  da.assign(kSize, 0.0);
  db.assign(kSize, 0.0);
  ref::mul_backward(a, b, dout, da, db);
  expect_gradient_matches("mul da", a, da, [&] { return dot(dout, ref::mul_forward(a, b)); });
  expect_gradient_matches("mul db", b, db, [&] { return dot(dout, ref::mul_forward(a, b)); });
}

// The same array on both sides of mul: the two contributions must add up, which is why backwards accumulate.
TEST(ElementwiseGradcheck, MulOfAnArrayWithItselfAccumulates) {
  SplitMix64 rng(2);
  Vec<double> a = rng.vector(kSize);
  const Vec<double> dout = rng.vector(kSize);
  Vec<double> da(kSize);
  ref::mul_backward(a, a, dout, da, da);
  expect_gradient_matches("square da", a, da, [&] { return dot(dout, ref::mul_forward(a, a)); });
}

TEST(ElementwiseGradcheck, BiasAdd) {
  const int N = 3, C = 5;
  SplitMix64 rng(3);
  Vec<double> x = rng.vector(N * C), bias = rng.vector(C);
  const Vec<double> dout = rng.vector(N * C);
  Vec<double> dx(N * C), dbias(C);
  ref::bias_add_backward(dout, N, C, dx, dbias);
  auto objective = [&] { return dot(dout, ref::bias_add_forward(x, bias, N, C)); };
  expect_gradient_matches("bias_add dx", x, dx, objective);
  expect_gradient_matches("bias_add dbias", bias, dbias, objective);
}

TEST(ElementwiseGradcheck, Activations) {
  SplitMix64 rng(4);
  Vec<double> x = rng.vector(kSize, -2.0, 2.0);
  const Vec<double> dout = rng.vector(kSize);

  Vec<double> dx(kSize);
  ref::tanh_backward(ref::tanh_forward(x), dout, dx);
  expect_gradient_matches("tanh dx", x, dx, [&] { return dot(dout, ref::tanh_forward(x)); });

  dx.assign(kSize, 0.0);
  ref::sigmoid_backward(ref::sigmoid_forward(x), dout, dx);
  expect_gradient_matches("sigmoid dx", x, dx, [&] { return dot(dout, ref::sigmoid_forward(x)); });

  dx.assign(kSize, 0.0);
  ref::exp_backward(ref::exp_forward(x), dout, dx);
  expect_gradient_matches("exp dx", x, dx, [&] { return dot(dout, ref::exp_forward(x)); });
}

TEST(ElementwiseGradcheck, Log) {
  SplitMix64 rng(5);
  Vec<double> x = rng.vector(kSize, 0.5, 3.0);
  const Vec<double> dout = rng.vector(kSize);
  Vec<double> dx(kSize);
  ref::log_backward(x, dout, dx);
  expect_gradient_matches("log dx", x, dx, [&] { return dot(dout, ref::log_forward(x)); });
}

TEST(ElementwiseGradcheck, SliceEveryGateBlock) {
  const int N = 2, H = 3, C = 4 * H;
  SplitMix64 rng(6);
  Vec<double> x = rng.vector(N * C);
  for (int gate = 0; gate < 4; gate++) {
    const Vec<double> dout = rng.vector(N * H);
    Vec<double> dx(N * C);
    ref::slice_columns_backward(dout, N, C, gate * H, H, dx);
    expect_gradient_matches("slice gate " + std::to_string(gate) + " dx", x, dx,
                            [&] { return dot(dout, ref::slice_columns_forward(x, N, C, gate * H, H)); });
  }
}

TEST(ElementwiseForward, KnownValues) {
  EXPECT_EQ(ref::add_forward<double>({1, 2}, {10, 20}), (Vec<double>{11, 22}));
  EXPECT_EQ(ref::sub_forward<double>({1, 2}, {10, 20}), (Vec<double>{-9, -18}));
  EXPECT_EQ(ref::mul_forward<double>({1, 2}, {10, 20}), (Vec<double>{10, 40}));
  EXPECT_EQ(ref::bias_add_forward<double>({1, 2, 3, 4, 5, 6}, {10, 20, 30}, 2, 3),
            (Vec<double>{11, 22, 33, 14, 25, 36}));
  const Vec<double> s = ref::sigmoid_forward<double>({0.0, -1000.0, 1000.0});
  EXPECT_EQ(s, (Vec<double>{0.5, 0.0, 1.0}));
  EXPECT_DOUBLE_EQ(ref::tanh_forward<double>({0.5})[0], std::tanh(0.5));
  EXPECT_DOUBLE_EQ(ref::exp_forward<double>({1.0})[0], std::exp(1.0));
  EXPECT_DOUBLE_EQ(ref::log_forward<double>({std::exp(2.0)})[0], 2.0);
  // Rows of [i i | f f | g g | o o]; the g block of both rows.
  EXPECT_EQ(ref::slice_columns_forward<double>({1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18}, 2, 8, 4, 2),
            (Vec<double>{5, 6, 15, 16}));
}

}  // namespace
}  // namespace loom::gradcheck
