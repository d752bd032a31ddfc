// Benchmarks and compiled kernels use the reference ops in float: every op must instantiate for float and agree
// with its double instantiation to float rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "gradcheck.h"
#include "loom/reference/ops.h"
#include "loom/reference/optimizers.h"
#include "loom/reference/recurrent.h"

namespace loom::gradcheck {
namespace {

namespace ref = loom::reference;

constexpr double kFloatTolerance = 1e-5;

Vec<float> to_float(const Vec<double>& v) { return Vec<float>(v.begin(), v.end()); }

ref::RecurrentParams<float> to_float(const ref::RecurrentParams<double>& p) {
  return {to_float(p.w_ih), to_float(p.w_hh), to_float(p.b_ih), to_float(p.b_hh)};
}

void expect_close(const std::string& name, const Vec<float>& actual, const Vec<double>& expected) {
  ASSERT_EQ(actual.size(), expected.size()) << name;
  double max_diff = 0.0;
  for (std::size_t n = 0; n < actual.size(); n++) max_diff = std::max(max_diff, std::abs(actual[n] - expected[n]));
  EXPECT_LT(max_diff, kFloatTolerance) << name;
  std::printf("  %-24s float vs double max |diff| %.3e\n", name.c_str(), max_diff);
}

TEST(FloatMatchesDouble, Ops) {
  const int N = 3, C = 4;
  SplitMix64 rng(71);
  // b serves as matmul's [C,N] and as dense's weight [O,I] with O = N, I = C.
  const Vec<double> a = rng.vector(N * C), b = rng.vector(C * N), dout = rng.vector(N * C), bias = rng.vector(N);
  const Vec<float> af = to_float(a), bf = to_float(b), doutf = to_float(dout), biasf = to_float(bias);

  expect_close("matmul", ref::matmul_forward(af, bf, N, C, N), ref::matmul_forward(a, b, N, C, N));
  expect_close("dense", ref::dense_forward(af, bf, biasf, N, C, N), ref::dense_forward(a, b, bias, N, C, N));
  expect_close("softmax", ref::softmax_forward(af, N, C), ref::softmax_forward(a, N, C));
  expect_close("max axis 1", ref::max_forward(af, ref::reduce_axis({N, C}, 1)),
               ref::max_forward(a, ref::reduce_axis({N, C}, 1)));

  Vec<float> dxf(N * C);
  Vec<double> dx(N * C);
  ref::log_softmax_backward(ref::log_softmax_forward(af, N, C), doutf, N, C, dxf);
  ref::log_softmax_backward(ref::log_softmax_forward(a, N, C), dout, N, C, dx);
  expect_close("log_softmax backward", dxf, dx);

  const Vec<int> labels = {1, 0, 3};
  const auto loss_f = ref::sparse_softmax_cross_entropy(af, labels, N, C);
  const auto loss = ref::sparse_softmax_cross_entropy(a, labels, N, C);
  expect_close("cross_entropy", Vec<float>{loss_f.loss}, Vec<double>{loss.loss});
  expect_close("cross_entropy dlogits", loss_f.dlogits, loss.dlogits);
}

TEST(FloatMatchesDouble, RecurrentLayersAndAdam) {
  const ref::RecurrentShape s{3, 2, 3, 4};
  const std::size_t state = std::size_t(s.B) * s.H;
  SplitMix64 rng(72);
  const ref::RecurrentParams<double> lstm = random_recurrent_params(rng, 4 * s.H, s.I, s.H);
  const ref::RecurrentParams<double> rnn = random_recurrent_params(rng, s.H, s.I, s.H);
  const Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(state), c0 = rng.vector(state);
  const Vec<double> dh = rng.vector(s.T * state), dh_last = rng.vector(state), dc_last = rng.vector(state);

  const auto lstm_fwd = ref::lstm_forward(s, lstm, x, h0, c0);
  const auto lstm_fwd_f = ref::lstm_forward(s, to_float(lstm), to_float(x), to_float(h0), to_float(c0));
  expect_close("lstm h", lstm_fwd_f.h, lstm_fwd.h);
  const auto lstm_grads = ref::lstm_backward(s, lstm, x, h0, c0, lstm_fwd, dh, dh_last, dc_last);
  const auto lstm_grads_f = ref::lstm_backward(s, to_float(lstm), to_float(x), to_float(h0), to_float(c0),
                                               lstm_fwd_f, to_float(dh), to_float(dh_last), to_float(dc_last));
  expect_close("lstm dw_hh", lstm_grads_f.dparams.w_hh, lstm_grads.dparams.w_hh);

  const Vec<double> h = ref::rnn_forward(s, rnn, x, h0);
  const Vec<float> hf = ref::rnn_forward(s, to_float(rnn), to_float(x), to_float(h0));
  expect_close("rnn h", hf, h);
  const auto rnn_grads = ref::rnn_backward(s, rnn, x, h0, h, dh, dh_last);
  const auto rnn_grads_f = ref::rnn_backward(s, to_float(rnn), to_float(x), to_float(h0), hf, to_float(dh),
                                             to_float(dh_last));
  expect_close("rnn dx", rnn_grads_f.dx, rnn_grads.dx);

  const Vec<double> adam_grads = rng.vector(x.size());
  Vec<double> params = x, m(x.size()), v(x.size());
  Vec<float> params_f = to_float(x), m_f(x.size()), v_f(x.size());
  for (int step = 1; step <= 3; step++) {
    ref::adam_update(ref::AdamConfig<double>{}, step, adam_grads, params, m, v);
    ref::adam_update(ref::AdamConfig<float>{}, step, to_float(adam_grads), params_f, m_f, v_f);
  }
  expect_close("adam params", params_f, params);
}

// The variants differ in only a few lines, so both are instantiated and compared, every gradient included.
TEST(FloatMatchesDouble, GruBothVariantsAndReluRnn) {
  const ref::RecurrentShape s{3, 2, 3, 4};
  const std::size_t state = std::size_t(s.B) * s.H;
  SplitMix64 rng(73);
  const ref::RecurrentParams<double> gru = random_recurrent_params(rng, 3 * s.H, s.I, s.H);
  const ref::RecurrentParams<double> rnn = random_recurrent_params(rng, s.H, s.I, s.H);
  const Vec<double> x = rng.vector(std::size_t(s.T) * s.B * s.I), h0 = rng.vector(state);
  const Vec<double> dh = rng.vector(s.T * state), dh_last = rng.vector(state);

  for (const bool reset_after : {true, false}) {
    const std::string layer = reset_after ? "gru reset_after" : "gru reset_before";
    const auto fwd = ref::gru_forward(s, gru, x, h0, reset_after);
    const auto fwd_f = ref::gru_forward(s, to_float(gru), to_float(x), to_float(h0), reset_after);
    expect_close(layer + " h", fwd_f.h, fwd.h);
    const auto grads = ref::gru_backward(s, gru, x, h0, fwd, dh, dh_last);
    const auto grads_f =
        ref::gru_backward(s, to_float(gru), to_float(x), to_float(h0), fwd_f, to_float(dh), to_float(dh_last));
    expect_close(layer + " dx", grads_f.dx, grads.dx);
    expect_close(layer + " dh0", grads_f.dh0, grads.dh0);
    expect_close(layer + " dw_ih", grads_f.dparams.w_ih, grads.dparams.w_ih);
    expect_close(layer + " dw_hh", grads_f.dparams.w_hh, grads.dparams.w_hh);
    expect_close(layer + " db_ih", grads_f.dparams.b_ih, grads.dparams.b_ih);
    expect_close(layer + " db_hh", grads_f.dparams.b_hh, grads.dparams.b_hh);
  }

  const auto relu = ref::RnnActivation::Relu;
  const Vec<double> h = ref::rnn_forward(s, rnn, x, h0, relu);
  const Vec<float> hf = ref::rnn_forward(s, to_float(rnn), to_float(x), to_float(h0), relu);
  expect_close("relu rnn h", hf, h);
  const auto rnn_grads = ref::rnn_backward(s, rnn, x, h0, h, dh, dh_last, relu);
  const auto rnn_grads_f =
      ref::rnn_backward(s, to_float(rnn), to_float(x), to_float(h0), hf, to_float(dh), to_float(dh_last), relu);
  expect_close("relu rnn dx", rnn_grads_f.dx, rnn_grads.dx);
  expect_close("relu rnn dw_hh", rnn_grads_f.dparams.w_hh, rnn_grads.dparams.w_hh);
}

}  // namespace
}  // namespace loom::gradcheck
