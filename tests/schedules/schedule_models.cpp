// Models for the custom-schedule tests: one Dense layer declared twice, once with Loom's schedule and
// once with its kernel scheduled below, and one model per mistake a schedule can make.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"
#include "loom/dsl/Schedule.h"

using namespace loom::dsl;
using Halide::Func, Halide::Var;

namespace {
void define_dense(Model &model) {
  Tensor x = model.input("x", {37, 20});
  model.output("y", tanh(Dense(model, "dense", 3)(x)));
}
} // namespace

LOOM_MODEL(dense_default, model) { define_dense(model); }
LOOM_MODEL(dense_scheduled, model) {
  model.variant_of("dense_default");
  define_dense(model);
}

// Every Func at root, rows in vectors, on AVX-512; Loom's schedule on the other targets.
LOOM_SCHEDULE(dense_scheduled, forward_kernel1, kernel) {
  if (!kernel.target().has_feature(Halide::Target::AVX512)) {
    kernel.schedule_default();
    return;
  }
  Func y = kernel.output(0);
  y.compute_root().reorder(y.args()[1], y.args()[0]).vectorize(y.args()[1], 8);
  for (const char *name : {"matmul_0_panel_product", "bias_add_1", "tanh_2"})
    kernel.func(name).compute_root();
}

LOOM_MODEL(unknown_kernel, model) { define_dense(model); }
LOOM_SCHEDULE(unknown_kernel, forward_kernel9, kernel) {}

LOOM_MODEL(unknown_func, model) { define_dense(model); }
LOOM_SCHEDULE(unknown_func, forward_kernel1, kernel) { kernel.func("softmax_0").compute_root(); }

LOOM_MODEL(missing_output, model) { define_dense(model); }
LOOM_SCHEDULE(missing_output, forward_kernel1, kernel) { kernel.output(1).compute_root(); }

LOOM_MODEL(unknown_var, model) { define_dense(model); }
LOOM_SCHEDULE(unknown_var, forward_kernel1, kernel) { kernel.output(0).vectorize(Var("z"), 8); }

LOOM_MODEL(unroll_unbounded, model) { define_dense(model); }
LOOM_SCHEDULE(unroll_unbounded, forward_kernel1, kernel) {
  Func y = kernel.output(0);
  y.compute_root().unroll(y.args()[0]);
}

LOOM_MODEL(default_twice, model) { define_dense(model); }
LOOM_SCHEDULE(default_twice, forward_kernel1, kernel) {
  kernel.schedule_default();
  kernel.schedule_default();
}

LOOM_MODEL(scheduled_twice, model) { define_dense(model); }
LOOM_SCHEDULE(scheduled_twice, forward_kernel1, kernel) { kernel.schedule_default(); }
