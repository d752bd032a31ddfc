// Decoding loops compiled into a model: beam search over a decoder that the caller writes as one
// step function, for encoder-decoder models (translation, grapheme to phoneme).
#pragma once

#include "loom/dsl/Model.h"

#include <functional>

namespace loom::dsl {

struct BeamSearchOptions {
  int64_t batch = 1; ///< examples decoded together
  int64_t width = 4; ///< beams kept per example
  int64_t steps = 1; ///< decoder steps, the longest output and its end symbol
  int32_t start = 1; ///< the symbol every beam starts from
  int32_t end = 2;   ///< the symbol that ends a beam; an ended beam only extends by `end`, at no cost
};

/// One decoder step over every beam of every example: the next carried state and the
/// log-probabilities [batch * width, symbols] of the next symbol.
struct BeamStep {
  std::vector<Tensor> state;
  Tensor log_probabilities;
};

struct BeamSearchOutputs {
  Tensor symbols; ///< int32 [steps, batch]: each example's best beam, the end symbol repeating after it ends
  Tensor scores;  ///< [batch]: that beam's log-probability, the sum over its steps up to its end
};

/// Beam search: every step extends each of an example's `width` beams by every symbol, keeps the
/// `width` best sums of log-probabilities, reorders the carried state to follow the kept beams, and
/// at the end returns each example's best beam (backtracked inside the model). Beam b of example e is
/// row e * width + b of every state; `initial_state` holds one tensor [batch * width, ...] per
/// carried state (repeat_each(x, 0, width) repeats a per-example state). `step` receives the carried
/// state and the previous symbols (int32 [batch * width]) and is recorded once.
BeamSearchOutputs beam_search(Model &model, const BeamSearchOptions &options, const std::vector<Tensor> &initial_state,
                              const std::function<BeamStep(const std::vector<Tensor> &state, const Tensor &previous)> &step,
                              Where where = Where::current());

} // namespace loom::dsl
