// Training checkpoints: a parameter file (parameter_file.h) that also holds the training state, so
// that training can stop and resume where it was. Besides the parameters it has one tensor per
// optimizer state slot, "optimizer.<slot>.<parameter>" (Adam's m and v, SGD's velocity, RMSprop's
// square_average), and counters "training.step" (optimizer steps taken) and "training.seed" (the
// random stream's seed). Model parameter names never start with these prefixes, so a checkpoint is
// also a valid parameter file for inference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "loom/runtime/parameter_file.h"

namespace loom {

inline constexpr std::string_view kOptimizerStatePrefix = "optimizer.";
inline constexpr std::string_view kTrainingStatePrefix = "training.";

// True for the names of a checkpoint's training-state tensors.
bool is_training_state(std::string_view tensor_name);

// A 64-bit counter as a tensor of four floats, each holding 16 bits exactly.
Tensor counter_tensor(uint64_t value);
// The counter stored by counter_tensor; throws loom::Error naming `what` and `source` when the tensor
// is not such a counter.
uint64_t counter_value(const Tensor& tensor, const std::string& what, const std::string& source);

// The set without its training-state tensors: what load_parameters() of a generated model checks.
ParameterSet without_training_state(ParameterSet set);

}  // namespace loom
