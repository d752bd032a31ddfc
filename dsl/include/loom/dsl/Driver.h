// How a model file registers its definition with loomc: LOOM_MODEL(name, model) { ... }.
// The model file is linked with loomc's main (target LoomCompilerMain), which runs the definition
// and compiles the recorded module.
#pragma once

#include "loom/dsl/Model.h"

#include <functional>
#include <string>
#include <vector>

namespace loom::dsl {

using ModelDefinition = std::function<void(Model &)>;

struct RegisteredModel {
  std::string name;
  ModelDefinition define;
};

/// Every model registered in this executable, in registration order.
std::vector<RegisteredModel> &registered_models();

struct ModelRegistration {
  ModelRegistration(std::string name, ModelDefinition define) {
    registered_models().push_back({std::move(name), std::move(define)});
  }
};

} // namespace loom::dsl

#define LOOM_MODEL(NAME, MODEL)                                                                    \
  static void loom_define_##NAME(::loom::dsl::Model &MODEL);                                      \
  static ::loom::dsl::ModelRegistration loom_registration_##NAME(#NAME, loom_define_##NAME);       \
  static void loom_define_##NAME(::loom::dsl::Model &MODEL)
