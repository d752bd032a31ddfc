// A schedule for a model this compiler does not hold (a misspelt name): loomc refuses to run.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"
#include "loom/dsl/Schedule.h"

using namespace loom::dsl;

LOOM_MODEL(dense, model) {
  Tensor x = model.input("x", {4, 2});
  model.output("y", Dense(model, "dense", 3)(x));
}

LOOM_SCHEDULE(dens, forward_kernel1, kernel) { kernel.schedule_default(); }
