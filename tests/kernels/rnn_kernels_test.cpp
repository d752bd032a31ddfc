// The compiled tanh RNN layer kernels, run by recurrent_loop.h's drivers, against the naive reference
// forward and backward through time, for every shape and every CPU variant.
#include <gtest/gtest.h>

#include <iterator>
#include <optional>
#include <random>
#include <tuple>

#include "kernel_test_support.h"
#include "loom_test_kernels.h"

namespace {

using namespace loom::kernel_test;
namespace recurrent = loom::recurrent;
namespace reference = loom::reference;

struct RnnCase {
  const char* name;
  recurrent::Shape shape;
  recurrent::RnnKernels kernels[3];  // by Variant
};

// As for the LSTM; with one gate block, H = 37 and H = 32 also put several panels in one AVX-512 tile.
const RnnCase kCases[] = {
    {"T5_B3_I4_H6", {5, 3, 4, 6},
     {LOOM_RNN_KERNELS(rnn_small), LOOM_RNN_KERNEL_VARIANTS(rnn_small, avx512),
      LOOM_RNN_KERNEL_VARIANTS(rnn_small, avx2)}},
    {"T4_B7_I9_H37", {4, 7, 9, 37},
     {LOOM_RNN_KERNELS(rnn_odd), LOOM_RNN_KERNEL_VARIANTS(rnn_odd, avx512), LOOM_RNN_KERNEL_VARIANTS(rnn_odd, avx2)}},
    {"T3_B8_I16_H32", {3, 8, 16, 32},
     {LOOM_RNN_KERNELS(rnn_aligned), LOOM_RNN_KERNEL_VARIANTS(rnn_aligned, avx512),
      LOOM_RNN_KERNEL_VARIANTS(rnn_aligned, avx2)}},
};

// Random inputs, the double-precision reference, and the compiled layer's forward and backward outputs.
class RnnKernels : public testing::TestWithParam<std::tuple<int, Variant>> {
 protected:
  void SetUp() override {
    const RnnCase& test_case = kCases[std::get<0>(GetParam())];
    const Variant variant = std::get<1>(GetParam());
    if (!cpu_runs(variant)) GTEST_SKIP() << "this CPU cannot run the " << variant_name(variant) << " kernels";
    shape_ = test_case.shape;
    const auto [T, B, I, H] = shape_;
    const std::size_t state = std::size_t(B) * H;
    std::mt19937 rng(20240612);
    Parameters params(H, I, H, rng);
    const Floats x = uniform(std::size_t(T) * B * I, 1.0f, rng), h0 = uniform(state, 0.5f, rng),
                 dh = uniform(T * state, 1.0f, rng), dh_last = uniform(state, 1.0f, rng);

    const reference::RecurrentShape ref_shape{T, B, I, H};
    const auto ref_params = params.reference();
    ref_h_ = reference::rnn_forward<double>(ref_shape, ref_params, widen(x), widen(h0));
    ref_grads_ = reference::rnn_backward<double>(ref_shape, ref_params, widen(x), widen(h0), ref_h_, widen(dh),
                                                 widen(dh_last));

    h_ = with_initial_state(h0, T);
    Floats projection(T * state), panels(recurrent::weight_panel_floats(shape_, 1));
    const recurrent::RnnForwardBuffers forward{x.data(), h_.data(), projection.data(), panels.data()};
    const recurrent::RnnKernels& kernels = test_case.kernels[int(variant)];
    recurrent::rnn_forward(kernels, shape_, params.weights(), forward);

    dx_.resize(x.size());
    dh0_.resize(state);
    Floats dpre(T * state), carried(2 * state);
    grads_.emplace(params);
    recurrent::rnn_backward(kernels, shape_, params.weights(), forward,
                            {dh.data(), dh_last.data(), dx_.data(), dh0_.data(), dpre.data(), panels.data(),
                             carried.data()},
                            grads_->pointers());
  }

  recurrent::Shape shape_{};
  Doubles ref_h_;
  reference::RecurrentGradients<double> ref_grads_;
  Floats h_, dx_, dh0_;
  std::optional<Gradients> grads_;
};

TEST_P(RnnKernels, ForwardMatchesReference) {
  expect_close("h", h_.data() + std::size_t(shape_.B) * shape_.H, ref_h_, kForwardTolerance);
}

TEST_P(RnnKernels, BackwardMatchesReference) {
  expect_close("dx", dx_, ref_grads_.dx, kGradientTolerance);
  expect_close("dh0", dh0_, ref_grads_.dh0, kGradientTolerance);
  expect_weight_gradients_close(*grads_, ref_grads_.dparams);
}

INSTANTIATE_TEST_SUITE_P(AllShapesAndTargets, RnnKernels,
                         testing::Combine(testing::Range(0, int(std::size(kCases))), testing::ValuesIn(kAllVariants)),
                         [](const testing::TestParamInfo<RnnKernels::ParamType>& info) {
                           return std::string(kCases[std::get<0>(info.param)].name) + "_" +
                                  variant_name(std::get<1>(info.param));
                         });

}  // namespace
