// lower_op's errors: each test makes one mistake a code generator could make and checks that the error
// names the op and says what is wrong.
#include "conversion_test.h"

namespace loom::conversion::testing {
namespace {

/// The message lower_op throws for the function's first op given `operands`, or "" if it does not throw.
std::string error_of(const std::string &source, const std::vector<HalideTensor> &operands) {
  ParsedFunction parsed(source);
  try {
    lower_op(parsed.first_op(), operands);
  } catch (const std::runtime_error &error) {
    return error.what();
  }
  return "";
}

// Mistake: passing a loom.scan to lower_op; its body becomes a step pipeline the code generator builds.
TEST(Errors, ScanIsLeftToTheCodeGenerator) {
  Tensor h0 = random_tensor({2, 3}), x = random_tensor({4, 2, 3});
  std::string message = error_of(R"mlir(
    func @f(%h0: tensor<2x3xf32>, %x: tensor<4x2x3xf32>) -> tensor<2x3xf32> {
      %h, %hs = loom.scan carry(%h0 : tensor<2x3xf32>) over(%x : tensor<4x2x3xf32>) -> (tensor<2x3xf32>), (tensor<4x2x3xf32>) {
      ^bb0(%h_prev: tensor<2x3xf32>, %x_t: tensor<2x3xf32>):
        %s = loom.add %h_prev, %x_t : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
        loom.yield %s, %s : tensor<2x3xf32>, tensor<2x3xf32>
      }
      return %h : tensor<2x3xf32>
    })mlir",
                                 {input(h0), input(x)});
  EXPECT_NE(message.find("loom.scan"), std::string::npos) << message;
  EXPECT_NE(message.find("code generator"), std::string::npos) << message;
}

// Mistake: passing an op of another dialect (here the function's std.return) to lower_op.
TEST(Errors, OpOfAnotherDialectHasNoTranslation) {
  Tensor x = random_tensor({2, 3});
  std::string message = error_of(R"mlir(
    func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      return %x : tensor<2x3xf32>
    })mlir",
                                 {input(x)});
  EXPECT_NE(message.find("std.return"), std::string::npos) << message;
  EXPECT_NE(message.find("no Halide translation"), std::string::npos) << message;
}

// Mistake: giving an op a tensor whose shape is not its operand's type.
TEST(Errors, OperandShapeMustMatchTheOpType) {
  Tensor wrong = random_tensor({4, 9});
  std::string message = error_of(R"mlir(
    func @f(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
      %y = loom.tanh %x : (tensor<4x8xf32>) -> tensor<4x8xf32>
      return %y : tensor<4x8xf32>
    })mlir",
                                 {input(wrong)});
  EXPECT_NE(message.find("loom.tanh"), std::string::npos) << message;
  const std::string expected = "operand #0 is [4, 8] float32 but the tensor given for it is [4, 9] float32";
  EXPECT_NE(message.find(expected), std::string::npos) << message;
}

} // namespace
} // namespace loom::conversion::testing
