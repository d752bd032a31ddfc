// Training-state tensors of checkpoints: names and the exact float encoding of counters.
#include "loom/runtime/checkpoint.h"

#include <algorithm>
#include <cmath>

#include "loom/runtime/errors.h"

namespace loom {

bool is_training_state(std::string_view tensor_name) {
  return tensor_name.starts_with(kOptimizerStatePrefix) || tensor_name.starts_with(kTrainingStatePrefix);
}

Tensor counter_tensor(uint64_t value) {
  Tensor tensor({4});
  for (int i = 0; i < 4; ++i)
    tensor.data[i] = static_cast<float>((value >> (16 * i)) & 0xffff);
  return tensor;
}

uint64_t counter_value(const Tensor& tensor, const std::string& what, const std::string& source) {
  if (tensor.shape != std::vector<int64_t>{4})
    throw Error(source + ": " + what + " has shape " + tensor.shape_string() + "; a counter is [4]");
  uint64_t value = 0;
  for (int i = 0; i < 4; ++i) {
    const float part = tensor.data[i];
    if (!(part >= 0.0f && part <= 65535.0f) || part != std::floor(part))
      throw Error(source + ": " + what + " holds " + std::to_string(part) +
                  ", which is not a 16-bit part of a counter; the checkpoint is damaged");
    value |= static_cast<uint64_t>(part) << (16 * i);
  }
  return value;
}

ParameterSet without_training_state(ParameterSet set) {
  std::erase_if(set.tensors, [](const NamedTensor& t) { return is_training_state(t.name); });
  return set;
}

}  // namespace loom
