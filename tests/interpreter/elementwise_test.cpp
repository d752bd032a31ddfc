// Element-wise arithmetic, bias_add, the unary nonlinearities and matmul with every transpose flag,
// against hand-computed values.
#include "interpreter_test.h"

namespace loom::interpreter::testing {
namespace {

const char *kOperands = R"mlir(
  %a = loom.constant dense<[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]> : tensor<2x3xf32>
  %b = loom.constant dense<[[0.5, 4.0, -1.5], [2.0, -1.0, 8.0]]> : tensor<2x3xf32>
  %c = loom.constant dense<[[1.0, 2.0], [0.0, -1.0], [3.0, 0.5]]> : tensor<3x2xf32>
)mlir";

Result runWithOperands(const std::string &body) {
  return ParsedFunction("func @f() {" + std::string(kOperands) + body + "  return\n}").run();
}

TEST(Elementwise, AddSubMulDiv) {
  Result result = runWithOperands(R"mlir(
    %add = loom.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %sub = loom.sub %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %mul = loom.mul %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    %div = loom.div %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    loom.output "add" %add : tensor<2x3xf32>
    loom.output "sub" %sub : tensor<2x3xf32>
    loom.output "mul" %mul : tensor<2x3xf32>
    loom.output "div" %div : tensor<2x3xf32>
  )mlir");
  expectValue(result.outputs.at("add"), {2, 3}, {1.5, 2, 1.5, 6, 4, 2});
  expectValue(result.outputs.at("sub"), {2, 3}, {0.5, -6, 4.5, 2, 6, -14});
  expectValue(result.outputs.at("mul"), {2, 3}, {0.5, -8, -4.5, 8, -5, -48});
  expectValue(result.outputs.at("div"), {2, 3}, {2, -0.5, -2, 2, -5, -0.75});
}

TEST(Elementwise, BiasAddBroadcastsOverEveryLeadingAxis) {
  Value y = outputOf(R"mlir(func @f() {
    %x = loom.constant dense<1.0> : tensor<2x2x3xf32>
    %bias = loom.constant dense<[0.5, -1.0, 2.0]> : tensor<3xf32>
    %y = loom.bias_add %x, %bias : (tensor<2x2x3xf32>, tensor<3xf32>) -> tensor<2x2x3xf32>
    loom.output "y" %y : tensor<2x2x3xf32>
    return
  })mlir");
  expectValue(y, {2, 2, 3}, {1.5, 0, 3, 1.5, 0, 3, 1.5, 0, 3, 1.5, 0, 3});
}

TEST(Elementwise, UnaryNonlinearities) {
  std::vector<double> x = {-1.0, 0.5, 1.0, 2.0};
  Result result = ParsedFunction(R"mlir(func @f() {
    %x = loom.constant dense<[-1.0, 0.5, 1.0, 2.0]> : tensor<4xf32>
    %tanh = loom.tanh %x : (tensor<4xf32>) -> tensor<4xf32>
    %sigmoid = loom.sigmoid %x : (tensor<4xf32>) -> tensor<4xf32>
    %exp = loom.exp %x : (tensor<4xf32>) -> tensor<4xf32>
    %log = loom.log %exp : (tensor<4xf32>) -> tensor<4xf32>
    loom.output "tanh" %tanh : tensor<4xf32>
    loom.output "sigmoid" %sigmoid : tensor<4xf32>
    loom.output "exp" %exp : tensor<4xf32>
    loom.output "log" %log : tensor<4xf32>
    return
  })mlir")
                      .run();
  std::vector<double> tanh, sigmoid, exp;
  for (double v : x) {
    tanh.push_back(std::tanh(v));
    sigmoid.push_back(1 / (1 + std::exp(-v)));
    exp.push_back(std::exp(v));
  }
  expectValue(result.outputs.at("tanh"), {4}, tanh);
  expectValue(result.outputs.at("sigmoid"), {4}, sigmoid);
  expectValue(result.outputs.at("exp"), {4}, exp);
  expectValue(result.outputs.at("log"), {4}, x);
}

TEST(Matmul, EveryTransposeCombination) {
  Result result = runWithOperands(R"mlir(
    %plain = loom.matmul %a, %c : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
    %rhs_t = loom.matmul %a, %b {transpose_rhs} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x2xf32>
    %lhs_t = loom.matmul %a, %b {transpose_lhs} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<3x3xf32>
    %both_t = loom.matmul %a, %c {transpose_lhs, transpose_rhs} : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<3x3xf32>
    loom.output "plain" %plain : tensor<2x2xf32>
    loom.output "rhs_t" %rhs_t : tensor<2x2xf32>
    loom.output "lhs_t" %lhs_t : tensor<3x3xf32>
    loom.output "both_t" %both_t : tensor<3x3xf32>
  )mlir");
  expectValue(result.outputs.at("plain"), {2, 2}, {10, 5.5, -14, 0});
  expectValue(result.outputs.at("rhs_t"), {2, 2}, {-12, 28, 31, -45});
  expectValue(result.outputs.at("lhs_t"), {3, 3}, {8.5, 0, 30.5, 9, -13, 43, -10.5, 18, -52.5});
  expectValue(result.outputs.at("both_t"), {3, 3}, {9, -4, 5, 8, -5, -3.5, -9, 6, 6});
}

} // namespace
} // namespace loom::interpreter::testing
