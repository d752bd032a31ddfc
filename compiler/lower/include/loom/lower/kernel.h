// A Halide kernel ready for ahead-of-time compilation: the pipeline, its input arguments in call order and
// a default function name. Every builder in loom/lower/ returns one; kernel_library.h compiles sets of them.
#pragma once

#include <string>
#include <vector>

#include "Halide.h"

namespace loom::lower {

struct Kernel {
  // Default C function name; it encodes the shapes, e.g. "lstm_step_forward_b64_h512".
  std::string name;
  Halide::Pipeline pipeline;
  // Inputs in call order. The compiled function takes these, then the pipeline's outputs in order.
  std::vector<Halide::Argument> arguments;
};

// The x86-64 targets Loom ships. Explicit feature lists (never "host") keep libraries portable: a library
// built on an AVX-512 machine still runs on an AVX2 one through runtime dispatch.
inline constexpr const char* kAvx512Target = "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41";
inline constexpr const char* kAvx2Target = "x86-64-linux-avx-avx2-f16c-fma-sse41";

}  // namespace loom::lower
