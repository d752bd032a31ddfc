// Element-wise ops (add, sub, mul, div, bias_add, tanh, sigmoid, exp, log) against the reference ops, on
// sizes that are not multiples of any vector width. One pipeline holds them all: every test process pays
// for starting Halide's JIT, so the ops of one family share a test.
#include "conversion_test.h"

#include "loom/reference/ops.h"

#include <cmath>

namespace loom::conversion::testing {
namespace {

namespace ref = loom::reference;

TEST(Elementwise, EveryOpMatchesTheReference) {
  Tensor a = random_tensor({5, 19}, -1, 1, 1);
  // Divisors stay away from zero, where a float quotient differs from the double one by more than 1e-5.
  Tensor b = random_tensor({5, 19}, 0.5, 2, 2);
  Tensor x = random_tensor({3, 7, 13}, -4, 4, 3), bias = random_tensor({13}, -1, 1, 4);
  Tensor positive = random_tensor({3, 7, 13}, 0.05, 4, 5);
  auto results = run(R"mlir(
    func @f(%a: tensor<5x19xf32>, %b: tensor<5x19xf32>, %x: tensor<3x7x13xf32>, %bias: tensor<13xf32>, %p: tensor<3x7x13xf32>)
        -> (tensor<5x19xf32>, tensor<5x19xf32>, tensor<5x19xf32>, tensor<5x19xf32>, tensor<3x7x13xf32>,
            tensor<3x7x13xf32>, tensor<3x7x13xf32>, tensor<3x7x13xf32>, tensor<3x7x13xf32>) {
      %add = loom.add %a, %b : (tensor<5x19xf32>, tensor<5x19xf32>) -> tensor<5x19xf32>
      %sub = loom.sub %a, %b : (tensor<5x19xf32>, tensor<5x19xf32>) -> tensor<5x19xf32>
      %mul = loom.mul %a, %b : (tensor<5x19xf32>, tensor<5x19xf32>) -> tensor<5x19xf32>
      %div = loom.div %a, %b : (tensor<5x19xf32>, tensor<5x19xf32>) -> tensor<5x19xf32>
      %biased = loom.bias_add %x, %bias : (tensor<3x7x13xf32>, tensor<13xf32>) -> tensor<3x7x13xf32>
      %tanh = loom.tanh %x : (tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
      %sigmoid = loom.sigmoid %x : (tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
      %exp = loom.exp %x : (tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
      %log = loom.log %p : (tensor<3x7x13xf32>) -> tensor<3x7x13xf32>
      return %add, %sub, %mul, %div, %biased, %tanh, %sigmoid, %exp, %log : tensor<5x19xf32>, tensor<5x19xf32>,
          tensor<5x19xf32>, tensor<5x19xf32>, tensor<3x7x13xf32>, tensor<3x7x13xf32>, tensor<3x7x13xf32>,
          tensor<3x7x13xf32>, tensor<3x7x13xf32>
    })mlir",
                     {input(a), input(b), input(x), input(bias), input(positive)});
  expect_close(results[0], ref::add_forward(a.values, b.values), "add [5, 19]");
  expect_close(results[1], ref::sub_forward(a.values, b.values), "sub [5, 19]");
  expect_close(results[2], ref::mul_forward(a.values, b.values), "mul [5, 19]");
  std::vector<double> quotient(a.values.size());
  for (size_t n = 0; n < quotient.size(); ++n)
    quotient[n] = a.values[n] / b.values[n];
  expect_close(results[3], quotient, "div [5, 19]");
  // The bias is added along the last axis, broadcast over both leading ones.
  expect_close(results[4], ref::bias_add_forward(x.values, bias.values, 21, 13),
               "bias_add [3, 7, 13] + [13]");
  expect_close(results[5], ref::tanh_forward(x.values), "tanh [3, 7, 13]");
  expect_close(results[6], ref::sigmoid_forward(x.values), "sigmoid [3, 7, 13]");
  expect_close(results[7], ref::exp_forward(x.values), "exp [3, 7, 13]");
  expect_close(results[8], ref::log_forward(positive.values), "log [3, 7, 13]");
}

// A NaN goes through every activation, exp, log and softmax as in PyTorch. Halide 14's exp gives
// exp(NaN) = 0 and x86's max gives max(NaN, 0) = 0, which made a NaN input or weight vanish into
// finite values (sigmoid 1, tanh -1, relu 0) and a finite loss, so training never stopped on it.
TEST(Elementwise, NanGoesThroughActivationsAndSoftmax) {
  Tensor x = random_tensor({2, 19}, -3, 3, 6);
  const std::vector<size_t> nan_at = {3, 17}; // both in row 0; row 1 has none
  for (size_t n : nan_at)
    x.values[n] = NAN;
  Tensor labels{{2}, {4, 7}};
  auto results = run(R"mlir(
    func @f(%x: tensor<2x19xf32>, %labels: tensor<2xi32>)
        -> (tensor<2x19xf32>, tensor<2x19xf32>, tensor<2x19xf32>, tensor<2x19xf32>, tensor<2x19xf32>, tensor<f32>,
            tensor<2x19xf32>) {
      %tanh = loom.tanh %x : (tensor<2x19xf32>) -> tensor<2x19xf32>
      %sigmoid = loom.sigmoid %x : (tensor<2x19xf32>) -> tensor<2x19xf32>
      %exp = loom.exp %x : (tensor<2x19xf32>) -> tensor<2x19xf32>
      %relu = loom.relu %x : (tensor<2x19xf32>) -> tensor<2x19xf32>
      %softmax = loom.softmax %x : (tensor<2x19xf32>) -> tensor<2x19xf32>
      %loss = loom.sparse_softmax_cross_entropy %x, %labels : (tensor<2x19xf32>, tensor<2xi32>) -> tensor<f32>
      %log = loom.log %exp : (tensor<2x19xf32>) -> tensor<2x19xf32>
      return %tanh, %sigmoid, %exp, %relu, %softmax, %loss, %log : tensor<2x19xf32>, tensor<2x19xf32>,
          tensor<2x19xf32>, tensor<2x19xf32>, tensor<2x19xf32>, tensor<f32>, tensor<2x19xf32>
    })mlir",
                     {input(x), input(labels, Halide::Int(32))});
  const char *names[] = {"tanh", "sigmoid", "exp", "relu"};
  for (int op : {0, 1, 2, 3, 6}) {
    for (size_t n = 0; n < x.values.size(); ++n) {
      const bool nan_in = std::isnan(x.values[n]);
      EXPECT_EQ(std::isnan(results[op].values[n]), nan_in)
          << (op == 6 ? "log of exp" : names[op]) << " of element " << n << " (" << x.values[n] << ") is " << results[op].values[n];
    }
  }
  // Row 0 holds a NaN: its whole softmax is NaN. Row 1 is untouched.
  for (size_t n = 0; n < 19; ++n) {
    EXPECT_TRUE(std::isnan(results[4].values[n])) << "softmax row 0, class " << n;
    EXPECT_FALSE(std::isnan(results[4].values[19 + n])) << "softmax row 1, class " << n;
  }
  EXPECT_TRUE(std::isnan(results[5].values[0])) << "the loss over a row with a NaN logit is " << results[5].values[0];
}

} // namespace
} // namespace loom::conversion::testing
