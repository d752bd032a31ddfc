// A second schedule for a kernel that schedule_models.cpp schedules already: a mistake loomc names.
#include "loom/dsl/Schedule.h"

LOOM_SCHEDULE(scheduled_twice, forward_kernel1, kernel) { kernel.schedule_default(); }
