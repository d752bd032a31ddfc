// Reductions over one or several axes, softmax and log-softmax over the last axis, argmax, and the
// sparse cross-entropy loss with its gradient op.
#include "interpreter_test.h"

#include <numeric>

namespace loom::interpreter::testing {
namespace {

const char *kReductions = R"mlir(func @f() {
  %m = loom.constant dense<[[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]]> : tensor<2x3xf32>
  %x = loom.input "x" : tensor<2x3x4xf32>
  %sum_rows = loom.reduce_sum %m {axes = [1]} : (tensor<2x3xf32>) -> tensor<2xf32>
  %sum_columns = loom.reduce_sum %m {axes = [0]} : (tensor<2x3xf32>) -> tensor<3xf32>
  %sum_all = loom.reduce_sum %m {axes = [0, 1]} : (tensor<2x3xf32>) -> tensor<f32>
  %mean_rows = loom.reduce_mean %m {axes = [1]} : (tensor<2x3xf32>) -> tensor<2xf32>
  %mean_all = loom.reduce_mean %m {axes = [1, 0]} : (tensor<2x3xf32>) -> tensor<f32>
  %max_rows = loom.reduce_max %m {axes = [1]} : (tensor<2x3xf32>) -> tensor<2xf32>
  %max_columns = loom.reduce_max %m {axes = [0]} : (tensor<2x3xf32>) -> tensor<3xf32>
  %sum_outer = loom.reduce_sum %x {axes = [0, 2]} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %mean_outer = loom.reduce_mean %x {axes = [2, 0]} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  %max_outer = loom.reduce_max %x {axes = [0, 2]} : (tensor<2x3x4xf32>) -> tensor<3xf32>
  loom.output "sum_rows" %sum_rows : tensor<2xf32>
  loom.output "sum_columns" %sum_columns : tensor<3xf32>
  loom.output "sum_all" %sum_all : tensor<f32>
  loom.output "mean_rows" %mean_rows : tensor<2xf32>
  loom.output "mean_all" %mean_all : tensor<f32>
  loom.output "max_rows" %max_rows : tensor<2xf32>
  loom.output "max_columns" %max_columns : tensor<3xf32>
  loom.output "sum_outer" %sum_outer : tensor<3xf32>
  loom.output "mean_outer" %mean_outer : tensor<3xf32>
  loom.output "max_outer" %max_outer : tensor<3xf32>
  return
})mlir";

TEST(Reduce, SumMeanMaxOverOneOrSeveralAxes) {
  Value x{{2, 3, 4}, std::vector<double>(24)};
  std::iota(x.data.begin(), x.data.end(), 0.0);
  Result result = ParsedFunction(kReductions).run({{"x", x}});
  expectValue(result.outputs.at("sum_rows"), {2}, {9, 12});
  expectValue(result.outputs.at("sum_columns"), {3}, {5, 7, 9});
  expectValue(result.outputs.at("sum_all"), {}, {21});
  expectValue(result.outputs.at("mean_rows"), {2}, {3, 4});
  expectValue(result.outputs.at("mean_all"), {}, {3.5});
  expectValue(result.outputs.at("max_rows"), {2}, {5, 6});
  expectValue(result.outputs.at("max_columns"), {3}, {4, 5, 6});
  // x[i, j, k] = 12 i + 4 j + k: summed over i and k that is 60 + 32 j, over 8 elements.
  expectValue(result.outputs.at("sum_outer"), {3}, {60, 92, 124});
  expectValue(result.outputs.at("mean_outer"), {3}, {7.5, 11.5, 15.5});
  expectValue(result.outputs.at("max_outer"), {3}, {15, 19, 23});
}

/// softmax and log-softmax of each row, computed directly from the definition.
std::vector<double> softmaxRows(const std::vector<double> &x, int columns, bool log) {
  std::vector<double> y;
  for (size_t row = 0; row < x.size() / columns; ++row) {
    double total = 0;
    for (int c = 0; c < columns; ++c)
      total += std::exp(x[row * columns + c]);
    for (int c = 0; c < columns; ++c)
      y.push_back(log ? x[row * columns + c] - std::log(total)
                      : std::exp(x[row * columns + c]) / total);
  }
  return y;
}

TEST(Softmax, LastAxisOfARankThreeTensor) {
  std::vector<double> x = {1, 2, 3, -1, 0, 1, 0.5, 0.5, 0.5, 4, -4, 0};
  Result result = ParsedFunction(R"mlir(func @f() {
    %x = loom.constant dense<[[[1.0, 2.0, 3.0], [-1.0, 0.0, 1.0]], [[0.5, 0.5, 0.5], [4.0, -4.0, 0.0]]]> : tensor<2x2x3xf32>
    %p = loom.softmax %x : (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
    %lp = loom.log_softmax %x : (tensor<2x2x3xf32>) -> tensor<2x2x3xf32>
    loom.output "p" %p : tensor<2x2x3xf32>
    loom.output "lp" %lp : tensor<2x2x3xf32>
    return
  })mlir")
                      .run();
  expectValue(result.outputs.at("p"), {2, 2, 3}, softmaxRows(x, 3, false));
  expectValue(result.outputs.at("lp"), {2, 2, 3}, softmaxRows(x, 3, true));
}

TEST(Argmax, TiesGoToTheLowestIndex) {
  Value y = outputOf(R"mlir(func @f() {
    %x = loom.constant dense<[[1.0, 3.0, 3.0], [5.0, -1.0, 2.0]]> : tensor<2x3xf32>
    %y = loom.argmax %x : (tensor<2x3xf32>) -> tensor<2xi32>
    loom.output "y" %y : tensor<2xi32>
    return
  })mlir");
  expectValue(y, {2}, {1, 0});
}

const char *kCrossEntropy = R"mlir(func @f() {
  %logits = loom.constant dense<[[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]]> : tensor<2x3xf32>
  %labels = loom.input "labels" : tensor<2xi32>
  %dloss = loom.constant dense<2.5> : tensor<f32>
  %loss = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
  %dlogits = loom.sparse_softmax_cross_entropy_grad %logits, %labels, %dloss : (tensor<2x3xf32>, tensor<2xi32>, tensor<f32>) -> tensor<2x3xf32>
  loom.output "loss" %loss : tensor<f32>
  loom.output "dlogits" %dlogits : tensor<2x3xf32>
  return
})mlir";

TEST(SparseSoftmaxCrossEntropy, LossAndGradientFromTheDefinition) {
  std::vector<double> logits = {1, 2, 0.5, 0, -1, 3};
  std::vector<int> labels = {1, 0};
  Result result = ParsedFunction(kCrossEntropy).run({{"labels", {{2}, {1, 0}}}});
  std::vector<double> logProbabilities = softmaxRows(logits, 3, true);
  double loss = -(logProbabilities[0 * 3 + labels[0]] + logProbabilities[1 * 3 + labels[1]]) / 2;
  // (softmax - onehot) * dloss / N with dloss = 2.5 and N = 2.
  std::vector<double> dlogits;
  for (int n = 0; n < 2; ++n)
    for (int c = 0; c < 3; ++c)
      dlogits.push_back((std::exp(logProbabilities[n * 3 + c]) - (c == labels[n])) * 2.5 / 2);
  expectValue(result.outputs.at("loss"), {}, {loss});
  expectValue(result.outputs.at("dlogits"), {2, 3}, dlogits);
}

} // namespace
} // namespace loom::interpreter::testing
