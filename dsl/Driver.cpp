// The registries that LOOM_MODEL and LOOM_SCHEDULE fill before loomc's main runs.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Schedule.h"

namespace loom::dsl {

std::vector<RegisteredModel> &registered_models() {
  static std::vector<RegisteredModel> models;
  return models;
}

std::vector<RegisteredSchedule> &registered_schedules() {
  static std::vector<RegisteredSchedule> schedules;
  return schedules;
}

} // namespace loom::dsl
