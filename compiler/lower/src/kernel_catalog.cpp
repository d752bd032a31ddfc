// Kernels by name for loom-kernelgen and CMake.
#include "loom/lower/kernel_catalog.h"

#include <charconv>
#include <functional>
#include <stdexcept>

#include "loom/lower/linear.h"
#include "loom/lower/lstm.h"
#include "loom/lower/rnn.h"
#include "loom/lower/weight_panels.h"

namespace loom::lower {

namespace {

using Sizes = std::map<std::string, int>;
using Target = Halide::Target;
using Build = std::function<Kernel(const Sizes&, const Target&)>;

struct Builder {
  const char* name;
  std::vector<std::string> sizes;
  std::function<std::vector<KernelRequest>(const std::string& function, const Sizes& sizes)> expand;
};

const std::vector<std::string> kLinearSizes{"M", "K", "N"}, kLayerSizes{"T", "B", "I", "H"},
    kStepSizes{"B", "H"}, kHiddenSizes{"H"};

LinearShape linear(const Sizes& sizes) { return {sizes.at("M"), sizes.at("K"), sizes.at("N")}; }

// Sizes a builder does not take stay 0; the builders check the ones they use.
RecurrentShape recurrent(const Sizes& sizes) {
  auto size = [&](const char* name) { return sizes.count(name) ? sizes.at(name) : 0; };
  return {size("T"), size("B"), size("I"), size("H")};
}

Builder single(const char* name, const std::vector<std::string>& sizes, Build build) {
  return {name, sizes, [build](const std::string& function, const Sizes& given) {
            return std::vector<KernelRequest>{{function, [build, given](const Target& t) { return build(given, t); }}};
          }};
}

std::vector<KernelRequest> recurrent_layer(RecurrentCell cell, const std::string& function, const Sizes& sizes) {
  const RecurrentShape shape = recurrent(sizes);
  const int M = shape.T * shape.B, G = gate_count(cell) * shape.H;
  const bool lstm = cell == RecurrentCell::Lstm;
  auto part = [&](const char* name, std::function<Kernel(const Target&)> build) {
    return KernelRequest{function + "_" + name, std::move(build)};
  };
  return {
      part("input_projection", [=](const Target& t) { return recurrent_input_projection(shape, cell, t); }),
      part("forward_weight_panels",
           [=](const Target& t) { return recurrent_forward_weight_panels(shape, cell, t); }),
      part("step_forward",
           [=](const Target& t) { return lstm ? lstm_step_forward(shape, t) : rnn_step_forward(shape, t); }),
      part("backward_weight_panels",
           [=](const Target& t) { return recurrent_backward_weight_panels(shape, cell, t); }),
      part("step_backward",
           [=](const Target& t) { return lstm ? lstm_step_backward(shape, t) : rnn_step_backward(shape, t); }),
      part("input_weight_gradients",
           [=](const Target& t) { return linear_backward_weights({M, shape.I, G}, true, t); }),
      part("hidden_weight_gradients",
           [=](const Target& t) { return linear_backward_weights({M, shape.H, G}, false, t); }),
      part("input_gradients", [=](const Target& t) { return linear_backward_data({M, shape.I, G}, t); }),
  };
}

std::vector<KernelRequest> linear_layer(const std::string& function, const Sizes& sizes) {
  const LinearShape shape = linear(sizes);
  return {
      {function + "_forward", [=](const Target& t) { return linear_forward(shape, t); }},
      {function + "_backward_data", [=](const Target& t) { return linear_backward_data(shape, t); }},
      {function + "_backward_weights", [=](const Target& t) { return linear_backward_weights(shape, true, t); }},
  };
}

const std::vector<Builder>& builders() {
  using S = const Sizes&;
  using T = const Target&;
  constexpr RecurrentCell lstm = RecurrentCell::Lstm, tanh = RecurrentCell::Tanh;
  static const std::vector<Builder> all = {
      single("linear_forward", kLinearSizes, [](S s, T t) { return linear_forward(linear(s), t); }),
      single("linear_backward_data", kLinearSizes, [](S s, T t) { return linear_backward_data(linear(s), t); }),
      single("linear_backward_weights", kLinearSizes,
             [](S s, T t) { return linear_backward_weights(linear(s), false, t); }),
      single("linear_backward_weights_bias", kLinearSizes,
             [](S s, T t) { return linear_backward_weights(linear(s), true, t); }),
      single("lstm_input_projection", kLayerSizes,
             [=](S s, T t) { return recurrent_input_projection(recurrent(s), lstm, t); }),
      single("rnn_input_projection", kLayerSizes,
             [=](S s, T t) { return recurrent_input_projection(recurrent(s), tanh, t); }),
      single("lstm_forward_weight_panels", kHiddenSizes,
             [=](S s, T t) { return recurrent_forward_weight_panels(recurrent(s), lstm, t); }),
      single("rnn_forward_weight_panels", kHiddenSizes,
             [=](S s, T t) { return recurrent_forward_weight_panels(recurrent(s), tanh, t); }),
      single("lstm_backward_weight_panels", kHiddenSizes,
             [=](S s, T t) { return recurrent_backward_weight_panels(recurrent(s), lstm, t); }),
      single("rnn_backward_weight_panels", kHiddenSizes,
             [=](S s, T t) { return recurrent_backward_weight_panels(recurrent(s), tanh, t); }),
      single("lstm_step_forward", kStepSizes, [](S s, T t) { return lstm_step_forward(recurrent(s), t); }),
      single("lstm_step_backward", kStepSizes, [](S s, T t) { return lstm_step_backward(recurrent(s), t); }),
      single("rnn_step_forward", kStepSizes, [](S s, T t) { return rnn_step_forward(recurrent(s), t); }),
      single("rnn_step_backward", kStepSizes, [](S s, T t) { return rnn_step_backward(recurrent(s), t); }),
      {"lstm_layer", kLayerSizes, [=](const std::string& f, S s) { return recurrent_layer(lstm, f, s); }},
      {"rnn_layer", kLayerSizes, [=](const std::string& f, S s) { return recurrent_layer(tanh, f, s); }},
      {"linear_layer", kLinearSizes, linear_layer},
  };
  return all;
}

constexpr const char* kSpecForm =
    "<function>=<builder>:<size>=<value>,... (e.g. lstm_fwd=lstm_step_forward:B=64,H=512)";

}  // namespace

KernelSpec parse_kernel_spec(std::string_view text) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("kernel spec '" + std::string(text) + "': " + why + "; expected " + kSpecForm);
  };
  const size_t equals = text.find('='), colon = text.find(':');
  if (equals == std::string_view::npos || colon == std::string_view::npos || colon < equals) fail("malformed");
  KernelSpec spec{std::string(text.substr(0, equals)), std::string(text.substr(equals + 1, colon - equals - 1)), {}};
  if (spec.function_name.empty() || spec.builder.empty()) fail("empty function or builder name");
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    const std::string_view item = rest.substr(0, rest.find(','));
    rest = item.size() < rest.size() ? rest.substr(item.size() + 1) : std::string_view();
    const size_t item_equals = item.find('=');
    int value = 0;
    if (item_equals == std::string_view::npos) fail("size '" + std::string(item) + "' has no value");
    const std::string_view digits = item.substr(item_equals + 1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc() || end != digits.data() + digits.size()) {
      fail("size '" + std::string(item) + "' is not an integer");
    }
    spec.sizes[std::string(item.substr(0, item_equals))] = value;
  }
  return spec;
}

std::vector<KernelRequest> expand_kernel_spec(const KernelSpec& spec) {
  for (const Builder& builder : builders()) {
    if (spec.builder != builder.name) continue;
    for (const std::string& size : builder.sizes) {
      if (!spec.sizes.count(size)) {
        throw std::invalid_argument("kernel " + spec.function_name + ": builder " + spec.builder +
                                    " needs size " + size);
      }
    }
    if (spec.sizes.size() != builder.sizes.size()) {
      throw std::invalid_argument("kernel " + spec.function_name + ": builder " + spec.builder +
                                  " takes only the sizes listed by loom-kernelgen --help");
    }
    return builder.expand(spec.function_name, spec.sizes);
  }
  throw std::invalid_argument("kernel " + spec.function_name + ": unknown builder '" + spec.builder +
                              "'; loom-kernelgen --help lists them");
}

std::string describe_kernel_builders() {
  std::string text;
  for (const Builder& builder : builders()) {
    text += "  " + std::string(builder.name) + ":";
    for (size_t i = 0; i < builder.sizes.size(); i++) text += (i ? "," : "") + builder.sizes[i];
    text += "\n";
  }
  return text;
}

}  // namespace loom::lower
