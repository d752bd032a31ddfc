// Fuzzes load_parameters, the reader of parameter files and checkpoints: any bytes are loaded or
// refused with loom::Error, and a file that loads saves back to one that loads to the same tensors.
#include <cstring>

#include "fuzz_support.h"
#include "loom/runtime/parameter_file.h"

namespace {

bool same_bits(const loom::Tensor& a, const loom::Tensor& b) {
  return a.shape == b.shape && a.data.size() == b.data.size() &&
         (a.data.empty() || std::memcmp(a.data.data(), b.data.data(), a.data.size() * sizeof(float)) == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace loom;
  const auto path = fuzz::scratch() / "input.params";
  fuzz::write_file(path, fuzz::bytes_of(data, size));
  fuzz::refusals_are_loom_errors([&] {
    const ParameterSet loaded = load_parameters(path.string());
    // The shape checks that a generated model's load_parameters() makes, with their messages.
    fuzz::refusals_are_loom_errors([&] { check_parameters_match(loaded, "fuzz", {{"w", {2, 3}}, {"b", {3}}}); });

    const auto copy = fuzz::scratch() / "copy.params";
    save_parameters(copy.string(), loaded.model_name, loaded.tensors);
    const ParameterSet reloaded = load_parameters(copy.string());
    if (reloaded.model_name != loaded.model_name || reloaded.tensors.size() != loaded.tensors.size()) {
      fuzz::fail("a loaded parameter file did not survive saving and loading again");
    }
    for (std::size_t i = 0; i < loaded.tensors.size(); ++i) {
      if (reloaded.tensors[i].name != loaded.tensors[i].name ||
          !same_bits(reloaded.tensors[i].tensor, loaded.tensors[i].tensor)) {
        fuzz::fail("tensor " + loaded.tensors[i].name + " changed on saving and loading again");
      }
    }
  });
  return 0;
}
