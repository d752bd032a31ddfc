// loom.scan: an LSTM classifier as the DSL records it against the reference LSTM, a tanh RNN's
// per-step outputs, reverse scans stacking outputs at their own step, and a scan nested in another.
#include "interpreter_test.h"

#include "loom/reference/ops.h"
#include "loom/reference/recurrent.h"

namespace loom::interpreter::testing {
namespace {

/// Deterministic values in [-0.5, 0.5], different for each seed.
std::vector<double> wavy(size_t count, double seed) {
  std::vector<double> values(count);
  for (size_t n = 0; n < count; ++n)
    values[n] = 0.5 * std::sin(1.7 * static_cast<double>(n) + seed);
  return values;
}

// `loomc-tiny --model=lstm_classifier`, with the final state also made outputs.
const char *kLstmClassifier = R"mlir(func @forward() {
  %0 = loom.constant dense<0.000000e+00> : tensor<2x4xf32>
  %1 = loom.parameter "lstm.weight_ih" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<16x3xf32>
  %2 = loom.parameter "lstm.weight_hh" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<16x4xf32>
  %3 = loom.parameter "lstm.bias_ih" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<16xf32>
  %4 = loom.parameter "lstm.bias_hh" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<16xf32>
  %5 = loom.parameter "head.weight" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<10x4xf32>
  %6 = loom.parameter "head.bias" {init = "uniform", scale = 5.000000e-01 : f64} : tensor<10xf32>
  %7 = loom.input "images" : tensor<5x2x3xf32>
  %8 = loom.input "labels" : tensor<2xi32>
  %finals:2 = loom.scan carry(%0, %0 : tensor<2x4xf32>, tensor<2x4xf32>) over(%7 : tensor<5x2x3xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>), () {
  ^bb0(%arg0: tensor<2x4xf32>, %arg1: tensor<2x4xf32>, %arg2: tensor<2x3xf32>):
    %13 = loom.matmul %arg2, %1 {transpose_rhs} : (tensor<2x3xf32>, tensor<16x3xf32>) -> tensor<2x16xf32>
    %14 = loom.bias_add %13, %3 : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    %15 = loom.matmul %arg0, %2 {transpose_rhs} : (tensor<2x4xf32>, tensor<16x4xf32>) -> tensor<2x16xf32>
    %16 = loom.bias_add %15, %4 : (tensor<2x16xf32>, tensor<16xf32>) -> tensor<2x16xf32>
    %17 = loom.add %14, %16 : (tensor<2x16xf32>, tensor<2x16xf32>) -> tensor<2x16xf32>
    %18 = loom.slice %17 {axis = 1 : i64, size = 4 : i64, start = 0 : i64} : (tensor<2x16xf32>) -> tensor<2x4xf32>
    %19 = loom.sigmoid %18 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %20 = loom.slice %17 {axis = 1 : i64, size = 4 : i64, start = 4 : i64} : (tensor<2x16xf32>) -> tensor<2x4xf32>
    %21 = loom.sigmoid %20 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %22 = loom.slice %17 {axis = 1 : i64, size = 4 : i64, start = 8 : i64} : (tensor<2x16xf32>) -> tensor<2x4xf32>
    %23 = loom.tanh %22 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %24 = loom.slice %17 {axis = 1 : i64, size = 4 : i64, start = 12 : i64} : (tensor<2x16xf32>) -> tensor<2x4xf32>
    %25 = loom.sigmoid %24 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %26 = loom.mul %19, %23 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %27 = loom.mul %21, %arg1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %28 = loom.add %27, %26 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %29 = loom.tanh %28 : (tensor<2x4xf32>) -> tensor<2x4xf32>
    %30 = loom.mul %25, %29 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    loom.yield %30, %28 : tensor<2x4xf32>, tensor<2x4xf32>
  }
  %9 = loom.matmul %finals#0, %5 {transpose_rhs} : (tensor<2x4xf32>, tensor<10x4xf32>) -> tensor<2x10xf32>
  %10 = loom.bias_add %9, %6 : (tensor<2x10xf32>, tensor<10xf32>) -> tensor<2x10xf32>
  loom.output "logits" %10 : tensor<2x10xf32>
  %11 = loom.argmax %10 : (tensor<2x10xf32>) -> tensor<2xi32>
  loom.output "class" %11 : tensor<2xi32>
  %12 = loom.sparse_softmax_cross_entropy %10, %8 : (tensor<2x10xf32>, tensor<2xi32>) -> tensor<f32>
  loom.loss %12 : tensor<f32>
  loom.output "h" %finals#0 : tensor<2x4xf32>
  loom.output "c" %finals#1 : tensor<2x4xf32>
  return
})mlir";

TEST(Scan, LstmClassifierMatchesTheReferenceLstm) {
  const reference::RecurrentShape shape{5, 2, 3, 4};
  const int classes = 10;
  reference::RecurrentParams<double> lstm{wavy(16 * 3, 1), wavy(16 * 4, 2), wavy(16, 3),
                                          wavy(16, 4)};
  std::vector<double> headWeight = wavy(classes * 4, 5), headBias = wavy(classes, 6);
  std::vector<double> images = wavy(5 * 2 * 3, 7);
  NamedValues parameters{
      {"lstm.weight_ih", {{16, 3}, lstm.w_ih}}, {"lstm.weight_hh", {{16, 4}, lstm.w_hh}},
      {"lstm.bias_ih", {{16}, lstm.b_ih}},      {"lstm.bias_hh", {{16}, lstm.b_hh}},
      {"head.weight", {{10, 4}, headWeight}},   {"head.bias", {{10}, headBias}}};
  Result result =
      ParsedFunction(kLstmClassifier)
          .run({{"images", {{5, 2, 3}, images}}, {"labels", {{2}, {3, 7}}}}, parameters);

  std::vector<double> zeros(2 * 4, 0.0);
  reference::LstmForward<double> expected =
      reference::lstm_forward(shape, lstm, images, zeros, zeros);
  std::vector<double> lastH(expected.h.end() - 8, expected.h.end()),
      lastC(expected.c.end() - 8, expected.c.end());
  std::vector<double> logits = reference::dense_forward(lastH, headWeight, headBias, 2, 4, classes);
  std::vector<int> classIndices = reference::argmax(logits, 2, classes);
  expectValue(result.outputs.at("h"), {2, 4}, lastH);
  expectValue(result.outputs.at("c"), {2, 4}, lastC);
  expectValue(result.outputs.at("logits"), {2, 10}, logits);
  expectValue(result.outputs.at("class"), {2}, {double(classIndices[0]), double(classIndices[1])});
  ASSERT_TRUE(result.loss.has_value());
  EXPECT_NEAR(*result.loss,
              reference::sparse_softmax_cross_entropy(logits, {3, 7}, 2, classes).loss, 1e-12);
}

const char *kRnn = R"mlir(func @f() {
  %x = loom.input "x" : tensor<4x2x3xf32>
  %h0 = loom.input "h0" : tensor<2x5xf32>
  %w_ih = loom.parameter "w_ih" : tensor<5x3xf32>
  %w_hh = loom.parameter "w_hh" : tensor<5x5xf32>
  %b_ih = loom.parameter "b_ih" : tensor<5xf32>
  %b_hh = loom.parameter "b_hh" : tensor<5xf32>
  %h, %hs = loom.scan carry(%h0 : tensor<2x5xf32>) over(%x : tensor<4x2x3xf32>) -> (tensor<2x5xf32>), (tensor<4x2x5xf32>) {
  ^bb0(%h_prev: tensor<2x5xf32>, %x_t: tensor<2x3xf32>):
    %in = loom.matmul %x_t, %w_ih {transpose_rhs} : (tensor<2x3xf32>, tensor<5x3xf32>) -> tensor<2x5xf32>
    %in_b = loom.bias_add %in, %b_ih : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
    %rec = loom.matmul %h_prev, %w_hh {transpose_rhs} : (tensor<2x5xf32>, tensor<5x5xf32>) -> tensor<2x5xf32>
    %rec_b = loom.bias_add %rec, %b_hh : (tensor<2x5xf32>, tensor<5xf32>) -> tensor<2x5xf32>
    %pre = loom.add %in_b, %rec_b : (tensor<2x5xf32>, tensor<2x5xf32>) -> tensor<2x5xf32>
    %next = loom.tanh %pre : (tensor<2x5xf32>) -> tensor<2x5xf32>
    loom.yield %next, %next : tensor<2x5xf32>, tensor<2x5xf32>
  }
  loom.output "h" %h : tensor<2x5xf32>
  loom.output "hs" %hs : tensor<4x2x5xf32>
  return
})mlir";

TEST(Scan, RnnPerStepOutputsMatchTheReferenceRnn) {
  const reference::RecurrentShape shape{4, 2, 3, 5};
  reference::RecurrentParams<double> rnn{wavy(5 * 3, 1), wavy(5 * 5, 2), wavy(5, 3), wavy(5, 4)};
  std::vector<double> x = wavy(4 * 2 * 3, 5), h0 = wavy(2 * 5, 6);
  Result result = ParsedFunction(kRnn).run({{"x", {{4, 2, 3}, x}}, {"h0", {{2, 5}, h0}}},
                                           {{"w_ih", {{5, 3}, rnn.w_ih}},
                                            {"w_hh", {{5, 5}, rnn.w_hh}},
                                            {"b_ih", {{5}, rnn.b_ih}},
                                            {"b_hh", {{5}, rnn.b_hh}}});
  std::vector<double> hs = reference::rnn_forward(shape, rnn, x, h0);
  expectValue(result.outputs.at("hs"), {4, 2, 5}, hs);
  expectValue(result.outputs.at("h"), {2, 5}, std::vector<double>(hs.end() - 10, hs.end()));
}

// Running sums: forward they are prefix sums, reversed they are suffix sums stacked at each step's
// index.
const char *kRunningSums = R"mlir(func @f() {
  %x = loom.constant dense<[[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [4.0, 40.0]]> : tensor<4x2xf32>
  %zero = loom.constant dense<0.0> : tensor<2xf32>
  %total, %prefix = loom.scan carry(%zero : tensor<2xf32>) over(%x : tensor<4x2xf32>) -> (tensor<2xf32>), (tensor<4x2xf32>) {
  ^bb0(%s: tensor<2xf32>, %x_t: tensor<2xf32>):
    %next = loom.add %s, %x_t : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    loom.yield %next, %next : tensor<2xf32>, tensor<2xf32>
  }
  %rtotal, %suffix, %seen = loom.scan reverse carry(%zero : tensor<2xf32>) over(%x : tensor<4x2xf32>) -> (tensor<2xf32>), (tensor<4x2xf32>, tensor<4x2xf32>) {
  ^bb0(%s: tensor<2xf32>, %x_t: tensor<2xf32>):
    %next = loom.add %s, %x_t : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    loom.yield %next, %next, %s : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
  }
  loom.output "total" %total : tensor<2xf32>
  loom.output "prefix" %prefix : tensor<4x2xf32>
  loom.output "rtotal" %rtotal : tensor<2xf32>
  loom.output "suffix" %suffix : tensor<4x2xf32>
  loom.output "seen" %seen : tensor<4x2xf32>
  return
})mlir";

TEST(Scan, ReverseRunsFromTheLastStepAndStacksAtEachStepsIndex) {
  Result result = ParsedFunction(kRunningSums).run();
  expectValue(result.outputs.at("total"), {2}, {10, 100});
  expectValue(result.outputs.at("prefix"), {4, 2}, {1, 10, 3, 30, 6, 60, 10, 100});
  expectValue(result.outputs.at("rtotal"), {2}, {10, 100});
  expectValue(result.outputs.at("suffix"), {4, 2}, {10, 100, 9, 90, 7, 70, 4, 40});
  // The state each reverse step received: what the steps after it had summed.
  expectValue(result.outputs.at("seen"), {4, 2}, {9, 90, 7, 70, 4, 40, 0, 0});
}

// The inner scan sums the rows of one outer step, scaled by a value defined above both scans.
const char *kNested = R"mlir(func @f() {
  %x = loom.input "x" : tensor<3x2x2xf32>
  %scale = loom.constant dense<2.0> : tensor<2xf32>
  %zero = loom.constant dense<0.0> : tensor<2xf32>
  %total, %per_step = loom.scan carry(%zero : tensor<2xf32>) over(%x : tensor<3x2x2xf32>) -> (tensor<2xf32>), (tensor<3x2xf32>) {
  ^bb0(%acc: tensor<2xf32>, %x_t: tensor<2x2xf32>):
    %row_sum = loom.scan carry(%zero : tensor<2xf32>) over(%x_t : tensor<2x2xf32>) -> (tensor<2xf32>), () {
    ^bb0(%s: tensor<2xf32>, %row: tensor<2xf32>):
      %scaled = loom.mul %row, %scale : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      %next = loom.add %s, %scaled : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
      loom.yield %next : tensor<2xf32>
    }
    %next_acc = loom.add %acc, %row_sum : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
    loom.yield %next_acc, %row_sum : tensor<2xf32>, tensor<2xf32>
  }
  loom.output "total" %total : tensor<2xf32>
  loom.output "per_step" %per_step : tensor<3x2xf32>
  return
})mlir";

TEST(Scan, NestedScanSeesValuesFromAboveBothScans) {
  Value x{{3, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}};
  Result result = ParsedFunction(kNested).run({{"x", x}});
  expectValue(result.outputs.at("per_step"), {3, 2}, {8, 12, 24, 28, 40, 44});
  expectValue(result.outputs.at("total"), {2}, {72, 84});
}

} // namespace
} // namespace loom::interpreter::testing
