// Gradient checks and forward values of the reference matrix products: matmul and the dense layer.
#include <gtest/gtest.h>

#include "gradcheck.h"
#include "loom/reference/ops.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

TEST(MatmulGradcheck, Matmul) {
  const int M = 3, K = 4, N = 5;
  SplitMix64 rng(11);
  Vec<double> a = rng.vector(M * K), b = rng.vector(K * N);
  const Vec<double> dout = rng.vector(M * N);
  Vec<double> da(M * K), db(K * N);
  ref::matmul_backward(a, b, dout, M, K, N, da, db);
  auto objective = [&] { return dot(dout, ref::matmul_forward(a, b, M, K, N)); };
  expect_gradient_matches("matmul da", a, da, objective);
  expect_gradient_matches("matmul db", b, db, objective);
}

TEST(MatmulGradcheck, Dense) {
  const int N = 3, I = 4, O = 2;
  SplitMix64 rng(12);
  Vec<double> x = rng.vector(N * I), w = rng.vector(O * I), bias = rng.vector(O);
  const Vec<double> dout = rng.vector(N * O);
  Vec<double> dx(N * I), dw(O * I), dbias(O);
  ref::dense_backward(x, w, dout, N, I, O, dx, dw, dbias);
  auto objective = [&] { return dot(dout, ref::dense_forward(x, w, bias, N, I, O)); };
  expect_gradient_matches("dense dx", x, dx, objective);
  expect_gradient_matches("dense dw", w, dw, objective);
  expect_gradient_matches("dense dbias", bias, dbias, objective);
}

TEST(MatmulForward, KnownValues) {
  // [1 2 3; 4 5 6] x [1 0; 0 1; 1 1]
  EXPECT_EQ(ref::matmul_forward<double>({1, 2, 3, 4, 5, 6}, {1, 0, 0, 1, 1, 1}, 2, 3, 2),
            (Vec<double>{4, 5, 10, 11}));
  // Dense uses w [O,I] as PyTorch's nn.Linear does: y = x w^T + b.
  EXPECT_EQ(ref::dense_forward<double>({1, 2, 3}, {1, 0, 0, 1, 1, 1}, {10, 20}, 1, 3, 2), (Vec<double>{11, 26}));
}

}  // namespace
}  // namespace loom::gradcheck
