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

/// x [M, K] times a PyTorch-layout weight [N, K], scheduled for `target` (panel GEMM tiles), against the
/// reference: shapes of the model layers whose tiles overhang the last panel or the last row tile.
void expect_scheduled_products_match(const Halide::Target &target) {
  struct Shape {
    int64_t m, k, n;
  };
  for (Shape s : {Shape{1, 256, 112}, Shape{1, 64, 1024}, Shape{1, 256, 1024}, Shape{2048, 256, 112},
                  Shape{32, 256, 1024}, Shape{7, 37, 19}, Shape{3, 5, 200}, Shape{13, 512, 48}}) {
    const std::string name = std::to_string(s.m) + "x" + std::to_string(s.k) + "x" + std::to_string(s.n);
    Tensor x = random_tensor({s.m, s.k}, -1, 1, 3), w = random_tensor({s.n, s.k}, -1, 1, 4);
    Tensor b = random_tensor({s.n}, -1, 1, 5);
    const std::string xs = "tensor<" + std::to_string(s.m) + "x" + std::to_string(s.k) + "xf32>";
    const std::string ws = "tensor<" + std::to_string(s.n) + "x" + std::to_string(s.k) + "xf32>";
    const std::string ys = "tensor<" + std::to_string(s.m) + "x" + std::to_string(s.n) + "xf32>";
    const std::string bs = "tensor<" + std::to_string(s.n) + "xf32>";
    auto results = run("func @f(%x: " + xs + ", %w: " + ws + ", %b: " + bs + ") -> (" + ys + ", " + ys + ") {\n" +
                           "  %y = loom.matmul %x, %w {transpose_rhs} : (" + xs + ", " + ws + ") -> " + ys + "\n" +
                           "  %z = loom.matmul %x, %w {transpose_rhs} : (" + xs + ", " + ws + ") -> " + ys + "\n" +
                           "  %biased = loom.bias_add %z, %b : (" + ys + ", " + bs + ") -> " + ys + "\n" +
                           "  return %y, %biased : " + ys + ", " + ys + "\n}",
                       {input(x), input(w), input(b)}, target);
    std::vector<double> expected = loom::reference::matmul_forward(x.values, transposed(w).values, s.m, s.k, s.n);
    expect_close(results[0], expected, "scheduled matmul " + name);
    for (int64_t m = 0; m < s.m; ++m)
      for (int64_t n = 0; n < s.n; ++n)
        expected[size_t(m * s.n + n)] += b.values[size_t(n)];
    expect_close(results[1], expected, "scheduled matmul " + name + " + bias");
  }
}

TEST(Matmul, ScheduledProductsOfModelShapesOnAvx2) {
  if (!Halide::get_host_target().has_feature(Halide::Target::AVX2))
    GTEST_SKIP() << "this host has no AVX2";
  expect_scheduled_products_match(avx2_target());
}

TEST(Matmul, ScheduledProductsOfModelShapesOnAvx512) {
  if (!Halide::get_host_target().has_feature(Halide::Target::AVX512_Skylake))
    GTEST_SKIP() << "this host has no AVX-512";
  expect_scheduled_products_match(avx512_target());
}

} // namespace
} // namespace loom::conversion::testing
