// Shape ops (slice, concat, reshape, broadcast) and constants, in one pipeline (one JIT start-up). The
// reference has column slices and the axis views of reductions; a slice along any axis is a column
// slice of the [outer, size * inner] view, a concat is the adjoint of slicing, and a broadcast is the
// adjoint of a sum.
#include "conversion_test.h"

#include "loom/reference/ops.h"

namespace loom::conversion::testing {
namespace {

namespace ref = loom::reference;

/// [outer, size, inner] sizes of `shape` around `axis`.
ref::AxisView view(const std::vector<int64_t> &shape, int axis) {
  return ref::reduce_axis(std::vector<int>(shape.begin(), shape.end()), axis);
}

std::vector<double> slice(const Tensor &x, int axis, int start, int size) {
  ref::AxisView v = view(x.shape, axis);
  return ref::slice_columns_forward(x.values, v.outer, v.size * v.inner, start * v.inner, size * v.inner);
}

std::vector<double> concat(const std::vector<Tensor> &parts, int axis) {
  std::vector<int64_t> shape = parts[0].shape;
  shape[axis] = 0;
  for (const Tensor &part : parts)
    shape[axis] += part.shape[axis];
  ref::AxisView v = view(shape, axis);
  std::vector<double> out(element_count(shape), 0.0);
  int start = 0;
  for (const Tensor &part : parts) {
    const int size = static_cast<int>(part.shape[axis]);
    ref::slice_columns_backward(part.values, v.outer, v.size * v.inner, start * v.inner, size * v.inner, out);
    start += size;
  }
  return out;
}

/// Inserts one axis of `size` at `axis` of the result.
Tensor broadcast(const Tensor &x, int axis, int64_t size) {
  Tensor out{x.shape, {}};
  out.shape.insert(out.shape.begin() + axis, size);
  out.values.assign(element_count(out.shape), 0.0);
  ref::sum_backward(x.values, view(out.shape, axis), out.values);
  return out;
}

TEST(Shapes, EveryShapeOpAndConstantMatchesTheReference) {
  Tensor x = random_tensor({4, 23}, -1, 1, 1), y = random_tensor({3, 5, 7}, -1, 1, 2);
  Tensor p = random_tensor({3, 2, 7}, -1, 1, 3), q = random_tensor({3, 1, 7}, -1, 1, 4);
  Tensor v = random_tensor({4}, -1, 1, 5);
  Tensor labels_a{{3}, {2, 0, 1}}, labels_b{{4}, {5, 5, 3, 9}};
  auto results = run(R"mlir(
    func @f(%x: tensor<4x23xf32>, %y: tensor<3x5x7xf32>, %p: tensor<3x2x7xf32>, %q: tensor<3x1x7xf32>,
            %v: tensor<4xf32>, %la: tensor<3xi32>, %lb: tensor<4xi32>)
        -> (tensor<4x11xf32>, tensor<1x5x7xf32>, tensor<3x5x3xf32>, tensor<3x8x7xf32>, tensor<3x5x14xf32>,
            tensor<7xi32>, tensor<15x7xf32>, tensor<5x21xf32>, tensor<7x3x5xf32>, tensor<4x6xf32>,
            tensor<3x4x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi32>, tensor<f32>) {
      %columns = loom.slice %x {axis = 1 : i64, start = 5 : i64, size = 11 : i64} : (tensor<4x23xf32>) -> tensor<4x11xf32>
      %first = loom.slice %y {axis = 0 : i64, start = 2 : i64, size = 1 : i64} : (tensor<3x5x7xf32>) -> tensor<1x5x7xf32>
      %last = loom.slice %y {axis = 2 : i64, start = 4 : i64, size = 3 : i64} : (tensor<3x5x7xf32>) -> tensor<3x5x3xf32>
      %middle = loom.concat %p, %y, %q {axis = 1 : i64} : (tensor<3x2x7xf32>, tensor<3x5x7xf32>, tensor<3x1x7xf32>) -> tensor<3x8x7xf32>
      %inner = loom.concat %y, %y {axis = 2 : i64} : (tensor<3x5x7xf32>, tensor<3x5x7xf32>) -> tensor<3x5x14xf32>
      %labels = loom.concat %la, %lb {axis = 0 : i64} : (tensor<3xi32>, tensor<4xi32>) -> tensor<7xi32>
      %merged = loom.reshape %y : (tensor<3x5x7xf32>) -> tensor<15x7xf32>
      %regrouped = loom.reshape %y : (tensor<3x5x7xf32>) -> tensor<5x21xf32>
      %flat = loom.reshape %y : (tensor<3x5x7xf32>) -> tensor<105xf32>
      %split = loom.reshape %flat : (tensor<105xf32>) -> tensor<7x3x5xf32>
      %rows = loom.broadcast %v {axes = [1], shape = [4, 6]} : (tensor<4xf32>) -> tensor<4x6xf32>
      %outer = loom.broadcast %v {axes = [0, 2], shape = [3, 4, 6]} : (tensor<4xf32>) -> tensor<3x4x6xf32>
      %splat = loom.constant dense<0.25> : tensor<2x3xf32>
      %dense = loom.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]> : tensor<2x3xf32>
      %ints = loom.constant dense<[3, 1, 4, -1]> : tensor<4xi32>
      %scalar = loom.constant dense<1.5> : tensor<f32>
      return %columns, %first, %last, %middle, %inner, %labels, %merged, %regrouped, %split, %rows, %outer,
          %splat, %dense, %ints, %scalar : tensor<4x11xf32>, tensor<1x5x7xf32>, tensor<3x5x3xf32>, tensor<3x8x7xf32>,
          tensor<3x5x14xf32>, tensor<7xi32>, tensor<15x7xf32>, tensor<5x21xf32>, tensor<7x3x5xf32>, tensor<4x6xf32>,
          tensor<3x4x6xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<4xi32>, tensor<f32>
    })mlir",
                     {input(x), input(y), input(p), input(q), input(v), input(labels_a, Halide::Int(32)),
                      input(labels_b, Halide::Int(32))});
  expect_close(results[0], slice(x, 1, 5, 11), "slice [4, 23] axis 1 [5, 16)");
  expect_close(results[1], slice(y, 0, 2, 1), "slice [3, 5, 7] axis 0 [2, 3)");
  expect_close(results[2], slice(y, 2, 4, 3), "slice [3, 5, 7] axis 2 [4, 7)");
  expect_close(results[3], concat({p, y, q}, 1), "concat three operands axis 1");
  expect_close(results[4], concat({y, y}, 2), "concat axis 2 (innermost)");
  expect_close(results[5], concat({labels_a, labels_b}, 0), "concat i32 axis 0");
  // Row-major order is kept, so every reshape holds the input's values in the same order.
  expect_close(results[6], y.values, "reshape [3, 5, 7] -> [15, 7]");
  expect_close(results[7], y.values, "reshape [3, 5, 7] -> [5, 21]");
  expect_close(results[8], y.values, "reshape [105] -> [7, 3, 5]");
  Tensor rows = broadcast(v, 1, 6);
  expect_close(results[9], rows, "broadcast [4] axes [1] -> [4, 6]");
  expect_close(results[10], broadcast(rows, 0, 3), "broadcast [4] axes [0, 2] -> [3, 4, 6]");
  expect_close(results[11], {0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, "splat constant [2, 3]");
  expect_close(results[12], {1, 2, 3, 4, 5, 6.5}, "dense constant [2, 3]");
  expect_close(results[13], {3, 1, 4, -1}, "dense i32 constant [4]");
  expect_close(results[14], {1.5}, "scalar constant");
}

TEST(Shapes, TransposeSwapsRowsAndColumns) {
  Tensor x = random_tensor({5, 19}, -1, 1, 6);
  auto results = run(R"mlir(
    func @f(%x: tensor<5x19xf32>) -> tensor<19x5xf32> {
      %t = loom.transpose %x : (tensor<5x19xf32>) -> tensor<19x5xf32>
      return %t : tensor<19x5xf32>
    })mlir",
                     {input(x)});
  std::vector<double> expected(x.values.size());
  for (int r = 0; r < 5; ++r)
    for (int c = 0; c < 19; ++c)
      expected[c * 5 + r] = x.values[r * 19 + c];
  expect_close(results[0], expected, "transpose [5, 19]");
}

TEST(Shapes, TransposeWithAPermutationMovesEveryAxis) {
  // [2, 3, 4] -> [4, 2, 3]: result axis d is input axis permutation[d] = [2, 0, 1][d].
  Tensor x = random_tensor({2, 3, 4}, -1, 1, 7);
  auto results = run(R"mlir(
    func @f(%x: tensor<2x3x4xf32>) -> (tensor<4x2x3xf32>, tensor<3x2x4xf32>) {
      %rotated = loom.transpose %x {permutation = [2, 0, 1]} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
      %swapped = loom.transpose %x {permutation = [1, 0, 2]} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
      return %rotated, %swapped : tensor<4x2x3xf32>, tensor<3x2x4xf32>
    })mlir",
                     {input(x)});
  std::vector<double> rotated(x.values.size()), swapped(x.values.size());
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) {
        const double value = x.values[(i * 3 + j) * 4 + k];
        rotated[(k * 2 + i) * 3 + j] = value;
        swapped[(j * 2 + i) * 4 + k] = value;
      }
  expect_close(results[0], rotated, "transpose [2, 3, 4] permutation [2, 0, 1]");
  expect_close(results[1], swapped, "transpose [2, 3, 4] permutation [1, 0, 2] (batch-major to time-major)");
}

} // namespace
} // namespace loom::conversion::testing
