// Halide runtime errors reach the caller as loom::Error with Halide's message, instead of Halide's default
// handler printing and aborting the process.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "loom/runtime/recurrent_loop.h"
#include "loom_test_kernels.h"

namespace {

using loom::BufferView;

std::string error_of(int status, const char* kernel) {
  try {
    loom::check_kernel(status, kernel);
  } catch (const loom::Error& e) {
    return e.what();
  }
  return "";
}

// The mistake: h_prev has H + 1 columns where the kernel was compiled for H = 6.
TEST(HalideErrors, WronglyShapedBufferThrowsLoomErrorNamingIt) {
  loom::install_halide_error_handler();
  const int B = 3, H = 6;
  std::vector<float> pre_in(B * H), h_prev(B * (H + 1)), panels(16 * H), h(B * H);
  const int status =
      rnn_small_step_forward(BufferView(pre_in.data(), {H, B}).get(), BufferView(h_prev.data(), {H + 1, B}).get(),
                             BufferView(panels.data(), {16, H, 1}).get(), BufferView(h.data(), {H, B}).get());
  const std::string message = error_of(status, "rnn_small_step_forward");
  EXPECT_NE(message.find("rnn_small_step_forward"), std::string::npos) << message;
  EXPECT_NE(message.find("h_prev"), std::string::npos) << message;
}

// The mistake: a driver run with a batch size the kernels were not compiled for.
TEST(HalideErrors, DriverWithWrongShapeThrowsLoomError) {
  const loom::recurrent::Shape compiled{5, 3, 4, 6}, wrong{5, 4, 4, 6};
  const int rows = 4 * wrong.H;
  std::vector<float> w_ih(rows * wrong.I), w_hh(rows * wrong.H), b(rows), x(wrong.T * wrong.B * wrong.I),
      h((wrong.T + 1) * wrong.B * wrong.H), c(h.size()), gates(wrong.T * wrong.B * rows), projection(gates.size()),
      panels(loom::recurrent::weight_panel_floats(compiled, 4));
  const loom::recurrent::Weights weights{w_ih.data(), w_hh.data(), b.data(), b.data()};
  try {
    loom::recurrent::lstm_forward(LOOM_LSTM_KERNELS(lstm_small), wrong, weights,
                                  {x.data(), h.data(), c.data(), gates.data(), projection.data(), panels.data()});
    FAIL() << "lstm_forward accepted a shape its kernels were not compiled for";
  } catch (const loom::Error& e) {
    EXPECT_NE(std::string(e.what()).find("input_projection"), std::string::npos) << e.what();
  }
}

}  // namespace
