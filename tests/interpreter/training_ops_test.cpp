// loom.loss, loom.parameter_gradient and loom.adam_update: what a training function reports, and
// Adam state carried across runs exactly as torch.optim.Adam (the reference update) carries it.
#include "interpreter_test.h"

#include "loom/reference/optimizers.h"

namespace loom::interpreter::testing {
namespace {

TEST(Training, LossAndParameterGradientsAreReported) {
  Result result = ParsedFunction(R"mlir(func @f() {
    %w = loom.parameter "w" : tensor<2x2xf32>
    %square = loom.mul %w, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    %loss = loom.reduce_sum %square {axes = [0, 1]} : (tensor<2x2xf32>) -> tensor<f32>
    %gradient = loom.add %w, %w : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    loom.loss %loss : tensor<f32>
    loom.parameter_gradient "w" %gradient : tensor<2x2xf32>
    return
  })mlir")
                      .run({}, {{"w", {{2, 2}, {1, -2, 3, 0.5}}}});
  ASSERT_TRUE(result.loss.has_value());
  EXPECT_DOUBLE_EQ(*result.loss, 14.25);
  expectValue(result.gradients.at("w"), {2, 2}, {2, -4, 6, 1});
  expectValue(result.parameters.at("w"), {2, 2}, {1, -2, 3, 0.5});
}

TEST(Training, NoLossWithoutALossOp) {
  Result result = ParsedFunction(R"mlir(func @f() {
    return
  })mlir")
                      .run();
  EXPECT_FALSE(result.loss.has_value());
}

const char *kAdamStep = R"mlir(func @f() {
  %w = loom.parameter "w" : tensor<3xf32>
  %g = loom.input "g" : tensor<3xf32>
  loom.adam_update "w" %g {beta1 = 0.5 : f64, beta2 = 0.75 : f64, epsilon = 1.0e-08 : f64, learning_rate = 1.0e-01 : f64} : tensor<3xf32>
  return
})mlir";

TEST(Training, AdamStateCarriesAcrossRunsAsInTheReference) {
  ParsedFunction function(kAdamStep);
  std::vector<double> params = {1, -2, 0.5}, m(3), v(3);
  reference::AdamConfig<double> config{0.1, 0.5, 0.75, 1e-8};
  OptimizerState state;
  NamedValues parameters{{"w", {{3}, params}}};
  for (std::vector<double> gradient :
       {std::vector<double>{0.5, -1, 2}, std::vector<double>{-0.25, 3, 1}}) {
    Result result = function.run({{"g", {{3}, gradient}}}, parameters, &state);
    reference::adam_update(config, static_cast<int>(state.step), gradient, params, m, v);
    expectValue(result.parameters.at("w"), {3}, params);
    parameters = result.parameters;
  }
  EXPECT_EQ(state.step, 2);
  expectValue(state.m.at("w"), {3}, m);
  expectValue(state.v.at("w"), {3}, v);
}

TEST(Training, AdamWithoutStateTakesAFirstStep) {
  std::vector<double> params = {1, -2, 0.5}, gradient = {0.5, -1, 2}, m(3), v(3);
  reference::adam_update(reference::AdamConfig<double>{0.1, 0.5, 0.75, 1e-8}, 1, gradient, params,
                         m, v);
  Result result =
      ParsedFunction(kAdamStep).run({{"g", {{3}, gradient}}}, {{"w", {{3}, {1, -2, 0.5}}}});
  expectValue(result.parameters.at("w"), {3}, params);
}

TEST(Training, RunsWithoutAdamUpdatesLeaveTheStepAlone) {
  OptimizerState state;
  ParsedFunction(R"mlir(func @f() {
    return
  })mlir")
      .run({}, {}, &state);
  EXPECT_EQ(state.step, 0);
}

} // namespace
} // namespace loom::interpreter::testing
