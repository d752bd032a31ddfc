// Gate nonlinearities (and exp and log) as Halide expressions built on exp, which Halide 14 vectorizes inline. Its tanh
// lowers to a scalar libm call per lane (128 tanhf calls in the LSTM step), which made the step 3x slower.
//
// NaN goes through every one of them, as it does in PyTorch: Halide 14's vector exp clamps its
// argument and gives exp(NaN) = 0 (so sigmoid(NaN) = 1, tanh(NaN) = -1), and max(NaN, 0) = 0 on x86.
// A model fed a NaN, or whose weights went NaN, would then go on with finite, meaningless values
// and a finite loss, and training would never stop on it. An integer compare and blend per element
// keep the NaN.
#pragma once

#include <cstdint>

#include "Halide.h"

namespace loom::lower {

// `value`, or x where x is a NaN. The test and the choice are made on the bits, in integer
// arithmetic: Halide compiles float arithmetic with LLVM's no-NaNs flag, under which is_nan() of a
// computed x folds to false and a float select that would give a NaN may give its other operand.
inline Halide::Expr keep_nan(const Halide::Expr& x, const Halide::Expr& value) {
  const bool wide = x.type().bits() == 64;
  const Halide::Type bits_type = Halide::UInt(wide ? 64 : 32).with_lanes(x.type().lanes());
  const Halide::Expr magnitude_mask =
      wide ? Halide::Expr(uint64_t{0x7fffffffffffffff}) : Halide::Expr(uint32_t{0x7fffffff});
  const Halide::Expr infinity =
      wide ? Halide::Expr(uint64_t{0x7ff0000000000000}) : Halide::Expr(uint32_t{0x7f800000});
  const Halide::Expr bits = Halide::reinterpret(bits_type, x);
  const Halide::Expr is_nan = (bits & magnitude_mask) > infinity;
  return Halide::reinterpret(x.type(), Halide::select(is_nan, bits, Halide::reinterpret(bits_type, value)));
}

// exp(x), NaN for NaN.
inline Halide::Expr exp_keeping_nan(const Halide::Expr& x) { return keep_nan(x, Halide::exp(x)); }

// log(x), NaN for NaN (Halide 14's vector log gives a finite value for it).
inline Halide::Expr log_keeping_nan(const Halide::Expr& x) { return keep_nan(x, Halide::log(x)); }

// exp(-x) overflowing to inf for very negative x gives exactly 0.
inline Halide::Expr sigmoid(const Halide::Expr& x) { return 1.0f / (1.0f + exp_keeping_nan(-x)); }

// tanh(x) = 1 - 2 / (1 + exp(2x)): saturates to +-1 where exp overflows, NaN only for NaN; absolute
// error about 1e-7 near 0.
inline Halide::Expr tanh_by_exp(const Halide::Expr& x) {
  return 1.0f - 2.0f / (1.0f + exp_keeping_nan(2.0f * x));
}

// max(x, 0), NaN for NaN.
inline Halide::Expr relu(const Halide::Expr& x) {
  return keep_nan(x, Halide::max(x, Halide::cast(x.type(), 0)));
}

}  // namespace loom::lower
