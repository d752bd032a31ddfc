// Gate nonlinearities as Halide expressions built on exp, which Halide 14 vectorizes inline. Its tanh
// lowers to a scalar libm call per lane (128 tanhf calls in the LSTM step), which made the step 3x slower.
#pragma once

#include "Halide.h"

namespace loom::lower {

// exp(-x) overflowing to inf for very negative x gives exactly 0.
inline Halide::Expr sigmoid(const Halide::Expr& x) { return 1.0f / (1.0f + Halide::exp(-x)); }

// tanh(x) = 1 - 2 / (1 + exp(2x)): saturates to +-1 without NaN; absolute error about 1e-7 near 0.
inline Halide::Expr tanh_by_exp(const Halide::Expr& x) { return 1.0f - 2.0f / (1.0f + Halide::exp(2.0f * x)); }

}  // namespace loom::lower
