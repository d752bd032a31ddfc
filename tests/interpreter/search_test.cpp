// Beam search's ops in the reference interpreter: top_k's order (ties, NaN), gather_beams on
// floats and ids, and integer division rounding towards negative infinity.
#include "interpreter_test.h"

#include <cmath>

namespace loom::interpreter::testing {
namespace {

TEST(TopK, LargestFirstTiesInIndexOrderNanLast) {
  NamedValues inputs{{"x", Value{{2, 5}, {0.5, 2.0, -1.0, 2.0, 7.0, std::nan(""), 1.0, 3.0, 1.0, -4.0}}}};
  Result result = ParsedFunction(R"mlir(func @f() {
    %x = loom.input "x" : tensor<2x5xf32>
    %best = loom.top_k %x {k = 3 : i64} : (tensor<2x5xf32>) -> tensor<2x3xi32>
    %all = loom.top_k %x {k = 5 : i64} : (tensor<2x5xf32>) -> tensor<2x5xi32>
    loom.output "best" %best : tensor<2x3xi32>
    loom.output "all" %all : tensor<2x5xi32>
    return
  })mlir")
                      .run(inputs);
  expectValue(result.outputs.at("best"), {2, 3}, {4, 1, 3, 2, 1, 3});
  expectValue(result.outputs.at("all"), {2, 5}, {4, 1, 3, 0, 2, 2, 1, 3, 4, 0});
}

TEST(GatherBeams, PicksRowsOfEachExample) {
  NamedValues inputs{{"h", Value{{2, 3, 2}, {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121}}},
                     {"ids", Value{{2, 3}, {5, 6, 7, 8, 9, 10}}},
                     {"parents", Value{{2, 2}, {2, 2, 0, 1}}}};
  Result result = ParsedFunction(R"mlir(func @f() {
    %h = loom.input "h" : tensor<2x3x2xf32>
    %ids = loom.input "ids" : tensor<2x3xi32>
    %parents = loom.input "parents" : tensor<2x2xi32>
    %picked = loom.gather_beams %h, %parents : (tensor<2x3x2xf32>, tensor<2x2xi32>) -> tensor<2x2x2xf32>
    %symbols = loom.gather_beams %ids, %parents : (tensor<2x3xi32>, tensor<2x2xi32>) -> tensor<2x2xi32>
    loom.output "picked" %picked : tensor<2x2x2xf32>
    loom.output "symbols" %symbols : tensor<2x2xi32>
    return
  })mlir")
                      .run(inputs);
  expectValue(result.outputs.at("picked"), {2, 2, 2}, {20, 21, 20, 21, 100, 101, 110, 111});
  expectValue(result.outputs.at("symbols"), {2, 2}, {7, 7, 8, 9});
}

TEST(IntegerDivision, RoundsTowardsNegativeInfinity) {
  NamedValues inputs{{"x", Value{{5}, {0, 41, 42, 85, -1}}}};
  Result result = ParsedFunction(R"mlir(func @f() {
    %x = loom.input "x" : tensor<5xi32>
    %q = loom.quotient %x {divisor = 42 : i64} : (tensor<5xi32>) -> tensor<5xi32>
    %r = loom.remainder %x {divisor = 42 : i64} : (tensor<5xi32>) -> tensor<5xi32>
    loom.output "q" %q : tensor<5xi32>
    loom.output "r" %r : tensor<5xi32>
    return
  })mlir")
                      .run(inputs);
  expectValue(result.outputs.at("q"), {5}, {0, 0, 1, 2, -1});
  expectValue(result.outputs.at("r"), {5}, {0, 41, 0, 1, 41});
}

} // namespace
} // namespace loom::interpreter::testing
