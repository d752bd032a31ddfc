// The registry that LOOM_MODEL fills before loomc's main runs.
#include "loom/dsl/Driver.h"

namespace loom::dsl {

std::vector<RegisteredModel> &registered_models() {
  static std::vector<RegisteredModel> models;
  return models;
}

} // namespace loom::dsl
