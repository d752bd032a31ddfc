// reduce_sum, reduce_mean and reduce_max over one axis, several axes, all axes and none, against the
// reference reductions (several axes are reduced one after the other in the reference).
#include "conversion_test.h"

#include "loom/reference/ops.h"

namespace loom::conversion::testing {
namespace {

namespace ref = loom::reference;

ref::AxisView view(const std::vector<int64_t> &shape, int axis) {
  return ref::reduce_axis(std::vector<int>(shape.begin(), shape.end()), axis);
}

TEST(Reductions, SumMeanAndMaxOverAnyAxes) {
  Tensor x = random_tensor({5, 9, 7}, -1, 1, 1);
  auto results = run(R"mlir(
    func @f(%x: tensor<5x9x7xf32>) -> (tensor<5x7xf32>, tensor<9xf32>, tensor<5x9xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<5x9x7xf32>) {
      %sum = loom.reduce_sum %x {axes = [1]} : (tensor<5x9x7xf32>) -> tensor<5x7xf32>
      %mean = loom.reduce_mean %x {axes = [0, 2]} : (tensor<5x9x7xf32>) -> tensor<9xf32>
      %max = loom.reduce_max %x {axes = [2]} : (tensor<5x9x7xf32>) -> tensor<5x9xf32>
      %total = loom.reduce_sum %x {axes = [0, 1, 2]} : (tensor<5x9x7xf32>) -> tensor<f32>
      %average = loom.reduce_mean %x {axes = [2, 0, 1]} : (tensor<5x9x7xf32>) -> tensor<f32>
      %largest = loom.reduce_max %x {axes = [0, 1, 2]} : (tensor<5x9x7xf32>) -> tensor<f32>
      %none = loom.reduce_mean %x {axes = []} : (tensor<5x9x7xf32>) -> tensor<5x9x7xf32>
      return %sum, %mean, %max, %total, %average, %largest, %none : tensor<5x7xf32>, tensor<9xf32>, tensor<5x9xf32>, tensor<f32>, tensor<f32>, tensor<f32>, tensor<5x9x7xf32>
    })mlir",
                     {input(x)});
  expect_close(results[0], ref::sum_forward(x.values, view({5, 9, 7}, 1)), "reduce_sum [5, 9, 7] axes [1]");
  std::vector<double> inner_mean = ref::mean_forward(x.values, view({5, 9, 7}, 2));
  expect_close(results[1], ref::mean_forward(inner_mean, view({5, 9}, 0)),
               "reduce_mean [5, 9, 7] axes [0, 2]");
  expect_close(results[2], ref::max_forward(x.values, view({5, 9, 7}, 2)), "reduce_max [5, 9, 7] axes [2]");
  expect_close(results[3], {ref::sum_all_forward(x.values)}, "reduce_sum all axes");
  expect_close(results[4], {ref::mean_all_forward(x.values)}, "reduce_mean all axes");
  expect_close(results[5], {ref::max_all_forward(x.values)}, "reduce_max all axes");
  expect_close(results[6], x.values, "reduce_mean no axes");
}

} // namespace
} // namespace loom::conversion::testing
