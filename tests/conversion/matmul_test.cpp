// loom.matmul with each combination of transpose flags against the reference product, on sizes that are
// not multiples of any vector width.
#include "conversion_test.h"

#include "loom/reference/ops.h"

namespace loom::conversion::testing {
namespace {

/// [R, C] -> [C, R]
Tensor transposed(const Tensor &t) {
  const int64_t rows = t.shape[0], columns = t.shape[1];
  Tensor out{{columns, rows}, std::vector<double>(t.values.size())};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < columns; ++c)
      out.values[c * rows + r] = t.values[r * columns + c];
  return out;
}

// M = 7, K = 37, N = 19. a is [M, K] and b is [K, N]; each matmul is given them in its flags' layout.
TEST(Matmul, EveryCombinationOfTransposeFlags) {
  Tensor a = random_tensor({7, 37}, -1, 1, 1), b = random_tensor({37, 19}, -1, 1, 2);
  Tensor a_t = transposed(a), b_t = transposed(b);
  auto results = run(R"mlir(
    func @f(%a: tensor<7x37xf32>, %b: tensor<37x19xf32>, %at: tensor<37x7xf32>, %bt: tensor<19x37xf32>)
        -> (tensor<7x19xf32>, tensor<7x19xf32>, tensor<7x19xf32>, tensor<7x19xf32>) {
      %plain = loom.matmul %a, %b : (tensor<7x37xf32>, tensor<37x19xf32>) -> tensor<7x19xf32>
      %rhs = loom.matmul %a, %bt {transpose_rhs} : (tensor<7x37xf32>, tensor<19x37xf32>) -> tensor<7x19xf32>
      %lhs = loom.matmul %at, %b {transpose_lhs} : (tensor<37x7xf32>, tensor<37x19xf32>) -> tensor<7x19xf32>
      %both = loom.matmul %at, %bt {transpose_lhs, transpose_rhs} : (tensor<37x7xf32>, tensor<19x37xf32>) -> tensor<7x19xf32>
      return %plain, %rhs, %lhs, %both : tensor<7x19xf32>, tensor<7x19xf32>, tensor<7x19xf32>, tensor<7x19xf32>
    })mlir",
                     {input(a), input(b), input(a_t), input(b_t)});
  std::vector<double> expected = loom::reference::matmul_forward(a.values, b.values, 7, 37, 19);
  expect_close(results[0], expected, "matmul [7, 37] x [37, 19]");
  expect_close(results[1], expected, "matmul transpose_rhs");
  expect_close(results[2], expected, "matmul transpose_lhs");
  expect_close(results[3], expected, "matmul transpose_lhs transpose_rhs");
}

} // namespace
} // namespace loom::conversion::testing
