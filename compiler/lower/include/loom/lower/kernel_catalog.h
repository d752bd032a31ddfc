// Kernels by name, as loom-kernelgen's command line and CMake's loom_add_kernel_library() request them:
// "<function>=<builder>:<size>=<value>,...", e.g. "lstm_fwd=lstm_step_forward:B=64,H=512".
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "loom/lower/kernel_library.h"

namespace loom::lower {

struct KernelSpec {
  std::string function_name;
  std::string builder;
  std::map<std::string, int> sizes;
};

// Throws std::invalid_argument with the expected form when text is malformed.
KernelSpec parse_kernel_spec(std::string_view text);

// The functions a spec asks for. Single-kernel builders give one function; the layer builders give every
// kernel of a layer, named <function>_<part>, with the parts recurrent_loop.h's drivers call:
//   lstm_layer, rnn_layer (T,B,I,H): input_projection, forward_weight_panels, step_forward,
//     backward_weight_panels, step_backward, input_weight_gradients, hidden_weight_gradients,
//     input_gradients;
//   linear_layer (M,K,N): forward, backward_data, backward_weights.
// Throws std::invalid_argument for an unknown builder or missing or unexpected sizes.
std::vector<KernelRequest> expand_kernel_spec(const KernelSpec& spec);

// One line per builder with the sizes it takes, for usage messages.
std::string describe_kernel_builders();

}  // namespace loom::lower
