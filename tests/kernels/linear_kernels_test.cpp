// The compiled dense-layer kernels (forward, and backward to the input, the weight and the bias) against
// the naive reference, for every shape and every CPU variant.
#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <tuple>

#include "kernel_test_support.h"
#include "loom/reference/ops.h"
#include "loom_test_kernels.h"

namespace {

using namespace loom::kernel_test;
using loom::BufferView;
using loom::check_kernel;
namespace reference = loom::reference;
using Buffer = halide_buffer_t*;

struct LinearKernels {
  int (*forward)(Buffer x, Buffer weight, Buffer bias, Buffer y);
  int (*backward_data)(Buffer dy, Buffer weight, Buffer dx);
  int (*backward_weights)(Buffer dy, Buffer x, Buffer dweight, Buffer dbias);
};

#define LINEAR_KERNELS(prefix, suffix) \
  LinearKernels { prefix##_forward##suffix, prefix##_backward_data##suffix, prefix##_backward_weights##suffix }

struct LinearCase {
  const char* name;
  int M, K, N;
  LinearKernels kernels[3];  // by Variant
};

// M = 13 shifts the last row tile; K = 33 and N = 19 end in partial panels.
const LinearCase kCases[] = {
    {"M5_K7_N19", 5, 7, 19,
     {LINEAR_KERNELS(dense_small, ), LINEAR_KERNELS(dense_small, _avx512), LINEAR_KERNELS(dense_small, _avx2)}},
    {"M13_K33_N40", 13, 33, 40,
     {LINEAR_KERNELS(dense_odd, ), LINEAR_KERNELS(dense_odd, _avx512), LINEAR_KERNELS(dense_odd, _avx2)}},
};

class LinearKernelsTest : public testing::TestWithParam<std::tuple<int, Variant>> {
 protected:
  void SetUp() override {
    const Variant variant = std::get<1>(GetParam());
    if (!cpu_runs(variant)) GTEST_SKIP() << "this CPU cannot run the " << variant_name(variant) << " kernels";
    loom::install_halide_error_handler();
    const LinearCase& c = kCases[std::get<0>(GetParam())];
    test_case_ = &c;
    kernels_ = c.kernels[int(variant)];
    std::mt19937 rng(20240613);
    x_ = uniform(std::size_t(c.M) * c.K, 1.0f, rng);
    weight_ = uniform(std::size_t(c.N) * c.K, 1.0f / std::sqrt(float(c.K)), rng);
    bias_ = uniform(c.N, 1.0f, rng);
    dy_ = uniform(std::size_t(c.M) * c.N, 1.0f, rng);
  }

  const LinearCase* test_case_ = nullptr;
  LinearKernels kernels_{};
  Floats x_, weight_, bias_, dy_;
};

TEST_P(LinearKernelsTest, ForwardMatchesReference) {
  const auto [name, M, K, N, unused] = *test_case_;
  Floats y(std::size_t(M) * N);
  check_kernel(kernels_.forward(BufferView(x_.data(), {K, M}).get(), BufferView(weight_.data(), {K, N}).get(),
                                BufferView(bias_.data(), {N}).get(), BufferView(y.data(), {N, M}).get()),
               "forward");
  expect_close("y", y, reference::dense_forward<double>(widen(x_), widen(weight_), widen(bias_), M, K, N),
               kForwardTolerance);
}

TEST_P(LinearKernelsTest, BackwardMatchesReference) {
  const auto [name, M, K, N, unused] = *test_case_;
  Floats dx(x_.size()), dweight(weight_.size()), dbias(bias_.size());
  check_kernel(kernels_.backward_data(BufferView(dy_.data(), {N, M}).get(), BufferView(weight_.data(), {K, N}).get(),
                                      BufferView(dx.data(), {K, M}).get()),
               "backward_data");
  check_kernel(kernels_.backward_weights(BufferView(dy_.data(), {N, M}).get(), BufferView(x_.data(), {K, M}).get(),
                                         BufferView(dweight.data(), {K, N}).get(), BufferView(dbias.data(), {N}).get()),
               "backward_weights");
  Doubles ref_dx(dx.size()), ref_dweight(dweight.size()), ref_dbias(dbias.size());
  reference::dense_backward<double>(widen(x_), widen(weight_), widen(dy_), M, K, N, ref_dx, ref_dweight, ref_dbias);
  expect_close("dx", dx, ref_dx, kGradientTolerance);
  expect_close("dweight", dweight, ref_dweight, kGradientTolerance);
  expect_close("dbias", dbias, ref_dbias, kGradientTolerance);
}

INSTANTIATE_TEST_SUITE_P(AllShapesAndTargets, LinearKernelsTest,
                         testing::Combine(testing::Range(0, int(std::size(kCases))), testing::ValuesIn(kAllVariants)),
                         [](const testing::TestParamInfo<LinearKernelsTest::ParamType>& info) {
                           return std::string(kCases[std::get<0>(info.param)].name) + "_" +
                                  variant_name(std::get<1>(info.param));
                         });

}  // namespace
