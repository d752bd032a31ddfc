// The softmax family along the last axis: softmax, log_softmax, sparse_softmax_cross_entropy and its
// gradient, and argmax, against the reference ops, in one pipeline (one JIT start-up).
#include "conversion_test.h"

#include "loom/reference/ops.h"

#include <cmath>

namespace loom::conversion::testing {
namespace {

namespace ref = loom::reference;

// Logits up to +-100 overflow exp() in float unless the row maximum is subtracted first. Values rounded to
// halves tie often, and argmax must give a tie to the first maximum.
TEST(Softmax, FamilyMatchesTheReference) {
  const int rows = 9, classes = 10;
  Tensor x = random_tensor({7, 13}, -100, 100, 1), y = random_tensor({3, 5, 11}, -100, 100, 2);
  Tensor logits = random_tensor({rows, classes}, -5, 5, 3), labels = random_labels(rows, classes);
  Tensor dloss{{}, {0.7}};
  Tensor ties = random_tensor({6, 11}, -1, 1, 4);
  for (double &v : ties.values)
    v = std::round(v * 2) / 2;
  Tensor row{{11}, std::vector<double>(ties.values.begin(), ties.values.begin() + 11)};
  auto results = run(R"mlir(
    func @f(%x: tensor<7x13xf32>, %y: tensor<3x5x11xf32>, %logits: tensor<9x10xf32>, %labels: tensor<9xi32>,
            %dloss: tensor<f32>, %ties: tensor<6x11xf32>, %row: tensor<11xf32>)
        -> (tensor<7x13xf32>, tensor<3x5x11xf32>, tensor<f32>, tensor<9x10xf32>, tensor<6xi32>, tensor<i32>) {
      %p = loom.softmax %x : (tensor<7x13xf32>) -> tensor<7x13xf32>
      %lp = loom.log_softmax %y : (tensor<3x5x11xf32>) -> tensor<3x5x11xf32>
      %loss = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<9x10xf32>, tensor<9xi32>) -> tensor<f32>
      %grad = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %dloss : (tensor<9x10xf32>, tensor<9xi32>, tensor<f32>) -> tensor<9x10xf32>
      %classes = loom.argmax %ties : (tensor<6x11xf32>) -> tensor<6xi32>
      %class = loom.argmax %row : (tensor<11xf32>) -> tensor<i32>
      return %p, %lp, %loss, %grad, %classes, %class : tensor<7x13xf32>, tensor<3x5x11xf32>, tensor<f32>,
          tensor<9x10xf32>, tensor<6xi32>, tensor<i32>
    })mlir",
                     {input(x), input(y), input(logits), input(labels, Halide::Int(32)), input(dloss),
                      input(ties), input(row)});
  expect_close(results[0], ref::softmax_forward(x.values, 7, 13), "softmax [7, 13]");
  expect_close(results[1], ref::log_softmax_forward(y.values, 15, 11), "log_softmax [3, 5, 11]");
  std::vector<int> label_values(labels.values.begin(), labels.values.end());
  ref::SoftmaxCrossEntropy<double> expected =
      ref::sparse_softmax_cross_entropy(logits.values, label_values, rows, classes);
  for (double &d : expected.dlogits)
    d *= dloss.values[0];
  expect_close(results[2], {expected.loss}, "sparse_softmax_cross_entropy [9, 10]");
  expect_close(results[3], expected.dlogits, "sparse_softmax_cross_entropy_grad");
  std::vector<int> first_maximum = ref::argmax(ties.values, 6, 11);
  expect_close(results[4], std::vector<double>(first_maximum.begin(), first_maximum.end()), "argmax [6, 11]");
  expect_close(results[5], {double(first_maximum[0])}, "argmax [11]");
}

} // namespace
} // namespace loom::conversion::testing
