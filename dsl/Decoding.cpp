// Beam search recorded as two scans: the search, whose per-step outputs are each kept beam's
// symbol and parent beam, and a reverse scan that follows the parents back from the best final beam.
#include "loom/dsl/Decoding.h"

namespace loom::dsl {
namespace {

/// A per-beam tensor [batch * width, ...] as [batch, width, ...], and back.
Tensor byExample(const Tensor &x, int64_t batch, int64_t width) {
  Shape shape{batch, width};
  shape.insert(shape.end(), x.shape().begin() + 1, x.shape().end());
  return reshape(x, shape);
}
Tensor byBeam(const Tensor &x) {
  Shape shape{x.shape()[0] * x.shape()[1]};
  shape.insert(shape.end(), x.shape().begin() + 2, x.shape().end());
  return reshape(x, shape);
}

} // namespace

BeamSearchOutputs beam_search(Model &model, const BeamSearchOptions &options, const std::vector<Tensor> &initial_state,
                              const std::function<BeamStep(const std::vector<Tensor> &, const Tensor &)> &step,
                              Where where) {
  Model::LayerScope scope(model, "beam_search", "decoder", where);
  const int64_t batch = options.batch, width = options.width, rows = batch * width;
  model.require(batch >= 1 && width >= 1 && options.steps >= 1,
                "needs a positive batch, width and number of steps, got " + std::to_string(batch) + ", " +
                    std::to_string(width) + " and " + std::to_string(options.steps));
  for (const Tensor &state : initial_state)
    model.require(state.rank() >= 1 && state.shape()[0] == rows,
                  "needs initial states [batch * width, ...] = [" + std::to_string(rows) + ", ...], got " +
                      to_string(state.shape()));
  // Only beam 0 is live at the start: the others are copies of it and would be chosen again.
  std::vector<float> firstScores(size_t(rows), -1e9f);
  for (int64_t e = 0; e < batch; ++e)
    firstScores[size_t(e * width)] = 0.0f;
  std::vector<Tensor> carried = initial_state;
  const size_t states = carried.size();
  carried.push_back(model.constant({batch, width}, firstScores));      // scores
  carried.push_back(model.constant({batch, width}, 0.0f));             // ended: 1 once a beam wrote `end`
  carried.push_back(model.integer_constant({rows}, options.start));    // previous symbols

  std::vector<Tensor> searched = scan(
      options.steps, carried, {},
      [&](const std::vector<Tensor> &c, const std::vector<Tensor> &) {
        std::vector<Tensor> state(c.begin(), c.begin() + states);
        const Tensor &scores = c[states], &ended = c[states + 1], &previous = c[states + 2];
        BeamStep next = step(state, previous);
        const Tensor &logp = next.log_probabilities;
        model.require(logp.rank() == 2 && logp.shape()[0] == rows && !logp.is_integer(),
                      "needs log-probabilities [batch * width, symbols] = [" + std::to_string(rows) +
                          ", symbols] from the step, got " + to_string(logp.shape()));
        model.require(next.state.size() == states, "the step returned " + std::to_string(next.state.size()) +
                                                       " states for " + std::to_string(states) + " carried");
        const int64_t symbols = logp.shape()[1];
        model.require(options.end >= 0 && options.end < symbols && options.start >= 0 && options.start < symbols,
                      "start and end symbols must be below " + std::to_string(symbols));
        const Shape candidates{batch, width, symbols};
        // A live beam adds each symbol's log-probability; an ended one only extends by `end`, for free.
        std::vector<float> endOnly(size_t(symbols), -1e9f);
        endOnly[size_t(options.end)] = 0.0f;
        Tensor endRow = broadcast(model.constant({symbols}, endOnly), {0, 1}, candidates);
        Tensor endedSpread = broadcast(ended, {2}, candidates);
        Tensor live = sub(model.constant(candidates, 1.0f), endedSpread);
        Tensor extension = add(mul(live, byExample(logp, batch, width)), mul(endedSpread, endRow));
        Tensor total = reshape(add(broadcast(scores, {2}, candidates), extension), {batch, width * symbols});
        Tensor best = top_k(total, width);                                     // [batch, width]
        Tensor bestScores = reshape(gather_beams(reshape(total, {batch, width * symbols, 1}), best), {batch, width});
        Tensor parents = quotient(best, symbols), chosen = remainder(best, symbols);
        std::vector<Tensor> following;
        for (const Tensor &s : next.state)
          following.push_back(byBeam(gather_beams(byExample(s, batch, width), parents)));
        Tensor endedBefore = reshape(gather_beams(reshape(ended, {batch, width, 1}), parents), {batch, width});
        Tensor wroteEnd = reshape(slice(one_hot(chosen, symbols), 2, options.end, 1), {batch, width});
        following.push_back(bestScores);
        following.push_back(maximum(endedBefore, wroteEnd));
        following.push_back(reshape(chosen, {rows}));
        return ScanStep{following, {chosen, parents}};
      });
  const Tensor &finalScores = searched[states];
  const Tensor &chosenSymbols = searched[states + 3], &parentBeams = searched[states + 4]; // [steps, batch, width]
  Tensor bestBeam = argmax(finalScores);                                                  // [batch]
  // From the last step back: the beam's symbol at this step, then the beam it came from.
  std::vector<Tensor> traced = scan(
      options.steps, {bestBeam}, {chosenSymbols, parentBeams},
      [&](const std::vector<Tensor> &beam, const std::vector<Tensor> &t) {
        Tensor at = reshape(beam[0], {batch, 1});
        Tensor symbol = reshape(gather_beams(t[0], at), {batch});
        Tensor parent = reshape(gather_beams(t[1], at), {batch});
        return ScanStep{{parent}, {symbol}};
      },
      /*reverse=*/true);
  Tensor bestScore = reshape(gather_beams(finalScores, reshape(bestBeam, {batch, 1})), {batch});
  return {traced[1], bestScore};
}

} // namespace loom::dsl
