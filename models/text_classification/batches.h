// Shared by train.cpp and infer.cpp: puts encoded emails into a compiled classifier's time-major
// inputs (the batched training model or the batch-1 one) and reads P(spam) back.
#pragma once

#include "corpus.h"

#include "loom/runtime/metrics.h"

#include <cstdint>
#include <span>
#include <vector>

namespace spam {

/// Copies `emails` (one per batch row, exactly the model's batch) into tokens [T, B] and lengths [B].
template <typename Model> void fill_inputs(Model &model, std::span<const Vocabulary::Encoded *const> emails) {
  constexpr int64_t steps = Model::tokens_shape[0], batch = Model::tokens_shape[1];
  std::span<int32_t> tokens = model.tokens();
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t t = 0; t < steps; ++t)
      tokens[t * batch + b] = emails[b]->ids[t];
    model.lengths()[b] = emails[b]->length;
  }
}

/// softmax(logits) of batch row `b` after forward() or train_step(): {P(ham), P(spam)}.
template <typename Model> std::vector<float> class_probabilities(const Model &model, int64_t b) {
  constexpr int64_t classes = Model::logits_shape[1];
  return loom::softmax(model.logits().subspan(b * classes, classes));
}

} // namespace spam
