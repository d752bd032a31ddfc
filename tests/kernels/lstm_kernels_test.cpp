// The compiled LSTM layer kernels, run by recurrent_loop.h's drivers, against the naive reference forward
// and backward through time, for every shape and every CPU variant.
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

struct LstmCase {
  const char* name;
  recurrent::Shape shape;
  recurrent::LstmKernels kernels[3];  // by Variant
};

// H = 6: one partial panel, B = 3 below a tile's rows. H = 37: partial last panel, B = 7 shifts the last
// row tile. H = 20: gate blocks at multiples of 16 floats although panels are partial. H = 32: whole panels.
const LstmCase kCases[] = {
    {"T5_B3_I4_H6", {5, 3, 4, 6},
     {LOOM_LSTM_KERNELS(lstm_small), LOOM_LSTM_KERNEL_VARIANTS(lstm_small, avx512),
      LOOM_LSTM_KERNEL_VARIANTS(lstm_small, avx2)}},
    {"T4_B7_I9_H37", {4, 7, 9, 37},
     {LOOM_LSTM_KERNELS(lstm_odd), LOOM_LSTM_KERNEL_VARIANTS(lstm_odd, avx512),
      LOOM_LSTM_KERNEL_VARIANTS(lstm_odd, avx2)}},
    {"T3_B7_I5_H20", {3, 7, 5, 20},
     {LOOM_LSTM_KERNELS(lstm_gate_aligned), LOOM_LSTM_KERNEL_VARIANTS(lstm_gate_aligned, avx512),
      LOOM_LSTM_KERNEL_VARIANTS(lstm_gate_aligned, avx2)}},
    {"T3_B8_I16_H32", {3, 8, 16, 32},
     {LOOM_LSTM_KERNELS(lstm_aligned), LOOM_LSTM_KERNEL_VARIANTS(lstm_aligned, avx512),
      LOOM_LSTM_KERNEL_VARIANTS(lstm_aligned, avx2)}},
};

// Random inputs, the double-precision reference, and the compiled layer's forward and backward outputs.
class LstmKernels : public testing::TestWithParam<std::tuple<int, Variant>> {
 protected:
  void SetUp() override {
    const LstmCase& test_case = kCases[std::get<0>(GetParam())];
    const Variant variant = std::get<1>(GetParam());
    if (!cpu_runs(variant)) GTEST_SKIP() << "this CPU cannot run the " << variant_name(variant) << " kernels";
    shape_ = test_case.shape;
    const auto [T, B, I, H] = shape_;
    const std::size_t state = std::size_t(B) * H, gates = 4 * state;
    std::mt19937 rng(20240611);
    Parameters params(4 * H, I, H, rng);
    const Floats x = uniform(std::size_t(T) * B * I, 1.0f, rng), h0 = uniform(state, 0.5f, rng),
                 c0 = uniform(state, 0.5f, rng), dh = uniform(T * state, 1.0f, rng),
                 dh_last = uniform(state, 1.0f, rng), dc_last = uniform(state, 1.0f, rng);

    const reference::RecurrentShape ref_shape{T, B, I, H};
    const auto ref_params = params.reference();
    ref_forward_ = reference::lstm_forward<double>(ref_shape, ref_params, widen(x), widen(h0), widen(c0));
    ref_grads_ = reference::lstm_backward<double>(ref_shape, ref_params, widen(x), widen(h0), widen(c0), ref_forward_,
                                                  widen(dh), widen(dh_last), widen(dc_last));

    h_ = with_initial_state(h0, T);
    c_ = with_initial_state(c0, T);
    gates_.resize(T * gates);
    Floats projection(T * gates), panels(recurrent::weight_panel_floats(shape_, 4));
    const recurrent::LstmForwardBuffers forward{x.data(), h_.data(), c_.data(), gates_.data(), projection.data(),
                                                panels.data()};
    const recurrent::LstmKernels& kernels = test_case.kernels[int(variant)];
    recurrent::lstm_forward(kernels, shape_, params.weights(), forward);

    dx_.resize(x.size());
    dh0_.resize(state);
    dc0_.resize(state);
    Floats dgates(T * gates), carried(4 * state);
    grads_.emplace(params);
    recurrent::lstm_backward(kernels, shape_, params.weights(), forward,
                             {dh.data(), dh_last.data(), dc_last.data(), dx_.data(), dh0_.data(), dc0_.data(),
                              dgates.data(), panels.data(), carried.data()},
                             grads_->pointers());
  }

  recurrent::Shape shape_{};
  reference::LstmForward<double> ref_forward_;
  reference::RecurrentGradients<double> ref_grads_;
  Floats h_, c_, gates_, dx_, dh0_, dc0_;
  std::optional<Gradients> grads_;
};

TEST_P(LstmKernels, ForwardMatchesReference) {
  const std::size_t state = std::size_t(shape_.B) * shape_.H;
  expect_close("h", h_.data() + state, ref_forward_.h, kForwardTolerance);
  expect_close("c", c_.data() + state, ref_forward_.c, kForwardTolerance);
  expect_close("gates", gates_, ref_forward_.gates, kForwardTolerance);
}

TEST_P(LstmKernels, BackwardMatchesReference) {
  expect_close("dx", dx_, ref_grads_.dx, kGradientTolerance);
  expect_close("dh0", dh0_, ref_grads_.dh0, kGradientTolerance);
  expect_close("dc0", dc0_, ref_grads_.dc0, kGradientTolerance);
  expect_weight_gradients_close(*grads_, ref_grads_.dparams);
}

INSTANTIATE_TEST_SUITE_P(AllShapesAndTargets, LstmKernels,
                         testing::Combine(testing::Range(0, int(std::size(kCases))), testing::ValuesIn(kAllVariants)),
                         [](const testing::TestParamInfo<LstmKernels::ParamType>& info) {
                           return std::string(kCases[std::get<0>(info.param)].name) + "_" +
                                  variant_name(std::get<1>(info.param));
                         });

}  // namespace
