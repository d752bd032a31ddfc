// Lesson 4's models: one tagger, declared twice. `step_tagger` keeps Loom's schedules;
// `step_tagger_tuned` gets its head's kernel scheduled by schedule.cpp. Being a variant of
// `step_tagger`, it reads and writes the same parameter files.
#include "loom/dsl/Driver.h"
#include "loom/dsl/Layers.h"

using namespace loom::dsl;

// An LSTM reads 50 steps of 32 sequences and a Dense head gives every step two logits.
static void define_tagger(Model &model) {
  constexpr int64_t kSteps = 50, kBatch = 32, kFeatures = 32, kUnits = 128, kTags = 2;
  Tensor x = model.input("x", {kSteps, kBatch, kFeatures});
  Tensor states = LSTM(model, "lstm", kUnits, Returns::Sequence)(x);
  model.output("logits", Dense(model, "head", kTags)(reshape(states, {kSteps * kBatch, kUnits})));
}

LOOM_MODEL(step_tagger, model) { define_tagger(model); }

LOOM_MODEL(step_tagger_tuned, model) {
  model.variant_of("step_tagger");
  define_tagger(model);
}
