// Each test feeds the interpreter one mistake and checks the std::runtime_error says what and
// where.
#include "interpreter_test.h"

namespace loom::interpreter::testing {
namespace {

const char *kModel = R"mlir(func @f() {
  %images = loom.input "images" : tensor<5x2x3xf32>
  %labels = loom.input "labels" : tensor<2xi32>
  %w = loom.parameter "w" : tensor<4x3xf32>
  loom.output "images" %images : tensor<5x2x3xf32>
  return
})mlir";

NamedValues goodInputs() {
  return {{"images", {{5, 2, 3}, std::vector<double>(30)}}, {"labels", {{2}, {0, 1}}}};
}
NamedValues goodParameters() { return {{"w", {{4, 3}, std::vector<double>(12)}}}; }

/// Runs `source` and returns the runtime_error's message (fails the test if nothing is thrown).
std::string errorOf(const std::string &source, const NamedValues &inputs,
                    const NamedValues &parameters) {
  ParsedFunction function(source);
  try {
    function.run(inputs, parameters);
  } catch (const std::runtime_error &error) {
    return error.what();
  }
  ADD_FAILURE() << "expected a std::runtime_error";
  return "";
}

TEST(Errors, TheModelRunsWithGoodValues) {
  EXPECT_NO_THROW(ParsedFunction(kModel).run(goodInputs(), goodParameters()));
}

// The caller forgets the "images" input.
TEST(Errors, MissingInputIsNamed) {
  NamedValues inputs = goodInputs();
  inputs.erase("images");
  EXPECT_EQ(errorOf(kModel, inputs, goodParameters()), "missing input 'images' of shape [5, 2, 3]");
}

// The caller feeds "images" batch-major instead of time-major.
TEST(Errors, WronglyShapedInputIsNamed) {
  NamedValues inputs = goodInputs();
  inputs["images"].shape = {2, 5, 3};
  EXPECT_EQ(errorOf(kModel, inputs, goodParameters()),
            "input 'images' has shape [2, 5, 3]; the function expects [5, 2, 3]");
}

// The shape is right but the data is short.
TEST(Errors, InputWithTooFewValues) {
  NamedValues inputs = goodInputs();
  inputs["images"].data.resize(29);
  EXPECT_EQ(errorOf(kModel, inputs, goodParameters()),
            "input 'images' has 29 values for shape [5, 2, 3]");
}

// Labels must be whole numbers.
TEST(Errors, NonIntegerLabels) {
  NamedValues inputs = goodInputs();
  inputs["labels"].data = {0, 0.5};
  EXPECT_EQ(errorOf(kModel, inputs, goodParameters()),
            "input 'labels' is i32 but holds a non-integer");
}

TEST(Errors, MissingParameterIsNamed) {
  EXPECT_EQ(errorOf(kModel, goodInputs(), {}), "missing parameter 'w' of shape [4, 3]");
}

// The caller passes the weight transposed.
TEST(Errors, WronglyShapedParameterIsNamed) {
  EXPECT_EQ(errorOf(kModel, goodInputs(), {{"w", {{3, 4}, std::vector<double>(12)}}}),
            "parameter 'w' has shape [3, 4]; the function expects [4, 3]");
}

// A label outside [0, classes) would make the reference abort; the interpreter reports it instead.
TEST(Errors, LabelOutOfRange) {
  const char *source = R"mlir(func @f() {
    %logits = loom.constant dense<0.0> : tensor<2x3xf32>
    %labels = loom.input "labels" : tensor<2xi32>
    %loss = loom.sparse_softmax_cross_entropy %logits, %labels : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
    loom.loss %loss : tensor<f32>
    return
  })mlir";
  EXPECT_EQ(errorOf(source, {{"labels", {{2}, {0, 3}}}}, {}),
            "loom.sparse_softmax_cross_entropy: label 3 of row 1 is outside [0, 3)");
}

// A call has no meaning to the interpreter; it names the op instead of skipping it.
TEST(Errors, UnsupportedOpIsNamed) {
  const char *source = R"mlir(
    func @f() {
      call @g() : () -> ()
      return
    }
    func @g() {
      return
    })mlir";
  EXPECT_EQ(errorOf(source, {}, {}), "std.call: is not supported by the interpreter");
}

// Function arguments have no names to feed them by.
TEST(Errors, FunctionArgumentsAreRejected) {
  const char *source = R"mlir(func @f(%g: tensor<2xf32>) {
    return
  })mlir";
  EXPECT_EQ(
      errorOf(source, {}, {}),
      "builtin.func: 'f' takes arguments; the interpreter feeds values only through loom.input");
}

} // namespace
} // namespace loom::interpreter::testing
