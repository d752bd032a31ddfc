// Constants (splat and dense, f32 and i32), slice, concat, reshape and broadcast move the right
// elements.
#include "interpreter_test.h"

#include <numeric>

namespace loom::interpreter::testing {
namespace {

/// x [2, 3, 4] with x[i, j, k] = 12 i + 4 j + k, so every element names its own position.
NamedValues iotaInput() {
  Value x{{2, 3, 4}, std::vector<double>(24)};
  std::iota(x.data.begin(), x.data.end(), 0.0);
  return {{"x", x}};
}

TEST(Constant, SplatDenseAndInteger) {
  Result result = ParsedFunction(R"mlir(func @f() {
    %splat = loom.constant dense<1.5> : tensor<2x2xf32>
    %dense = loom.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %ints = loom.constant dense<[7, -2, 0]> : tensor<3xi32>
    %int_splat = loom.constant dense<3> : tensor<2xi32>
    %scalar = loom.constant dense<-0.25> : tensor<f32>
    loom.output "splat" %splat : tensor<2x2xf32>
    loom.output "dense" %dense : tensor<2x2xf32>
    loom.output "ints" %ints : tensor<3xi32>
    loom.output "int_splat" %int_splat : tensor<2xi32>
    loom.output "scalar" %scalar : tensor<f32>
    return
  })mlir")
                      .run();
  expectValue(result.outputs.at("splat"), {2, 2}, {1.5, 1.5, 1.5, 1.5});
  expectValue(result.outputs.at("dense"), {2, 2}, {1, 2, 3, 4});
  expectValue(result.outputs.at("ints"), {3}, {7, -2, 0});
  expectValue(result.outputs.at("int_splat"), {2}, {3, 3});
  expectValue(result.outputs.at("scalar"), {}, {-0.25});
}

TEST(Slice, AlongEveryAxis) {
  Result result = ParsedFunction(R"mlir(func @f() {
    %x = loom.input "x" : tensor<2x3x4xf32>
    %a0 = loom.slice %x {axis = 0 : i64, start = 1 : i64, size = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<1x3x4xf32>
    %a1 = loom.slice %x {axis = 1 : i64, start = 1 : i64, size = 2 : i64} : (tensor<2x3x4xf32>) -> tensor<2x2x4xf32>
    %a2 = loom.slice %x {axis = 2 : i64, start = 2 : i64, size = 1 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x1xf32>
    loom.output "a0" %a0 : tensor<1x3x4xf32>
    loom.output "a1" %a1 : tensor<2x2x4xf32>
    loom.output "a2" %a2 : tensor<2x3x1xf32>
    return
  })mlir")
                      .run(iotaInput());
  expectValue(result.outputs.at("a0"), {1, 3, 4}, {12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23});
  expectValue(result.outputs.at("a1"), {2, 2, 4},
              {4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20, 21, 22, 23});
  expectValue(result.outputs.at("a2"), {2, 3, 1}, {2, 6, 10, 14, 18, 22});
}

TEST(Concat, AlongInnerAndOuterAxes) {
  Result result = ParsedFunction(R"mlir(func @f() {
    %a = loom.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
    %b = loom.constant dense<[[3.0, 4.0], [5.0, 6.0]]> : tensor<2x2xf32>
    %columns = loom.concat %a, %b, %a {axis = 1 : i64} : (tensor<2x1xf32>, tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
    %rows = loom.concat %b, %b {axis = 0 : i64} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
    loom.output "columns" %columns : tensor<2x4xf32>
    loom.output "rows" %rows : tensor<4x2xf32>
    return
  })mlir")
                      .run();
  expectValue(result.outputs.at("columns"), {2, 4}, {1, 3, 4, 1, 2, 5, 6, 2});
  expectValue(result.outputs.at("rows"), {4, 2}, {3, 4, 5, 6, 3, 4, 5, 6});
}

TEST(Reshape, KeepsRowMajorOrder) {
  Value y = outputOf(R"mlir(func @f() {
    %x = loom.input "x" : tensor<2x3x4xf32>
    %y = loom.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
    loom.output "y" %y : tensor<6x4xf32>
    return
  })mlir",
                     "y", iotaInput());
  EXPECT_EQ(y.shape, (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(y.data, iotaInput().at("x").data);
}

TEST(Broadcast, InsertsLeadingMiddleAndTrailingAxes) {
  Result result = ParsedFunction(R"mlir(func @f() {
    %v = loom.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %m = loom.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
    %s = loom.constant dense<7.0> : tensor<f32>
    %trailing = loom.broadcast %v {axes = [1], shape = [2, 3]} : (tensor<2xf32>) -> tensor<2x3xf32>
    %leading = loom.broadcast %v {axes = [0], shape = [3, 2]} : (tensor<2xf32>) -> tensor<3x2xf32>
    %middle = loom.broadcast %m {axes = [1], shape = [2, 3, 2]} : (tensor<2x2xf32>) -> tensor<2x3x2xf32>
    %all = loom.broadcast %s {axes = [0, 1], shape = [2, 2]} : (tensor<f32>) -> tensor<2x2xf32>
    loom.output "trailing" %trailing : tensor<2x3xf32>
    loom.output "leading" %leading : tensor<3x2xf32>
    loom.output "middle" %middle : tensor<2x3x2xf32>
    loom.output "all" %all : tensor<2x2xf32>
    return
  })mlir")
                      .run();
  expectValue(result.outputs.at("trailing"), {2, 3}, {1, 1, 1, 2, 2, 2});
  expectValue(result.outputs.at("leading"), {3, 2}, {1, 2, 1, 2, 1, 2});
  expectValue(result.outputs.at("middle"), {2, 3, 2}, {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4});
  expectValue(result.outputs.at("all"), {2, 2}, {7, 7, 7, 7});
}

} // namespace
} // namespace loom::interpreter::testing
