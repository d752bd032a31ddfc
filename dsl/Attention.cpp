// Attention: the keys are projected once per source sequence; each query is scored against them
// with time-major [S, B, ...] tensors, so that the memory is the encoder's output as it is.
#include "loom/dsl/Attention.h"

#include <cmath>

namespace loom::dsl {
namespace {

const char *scoreName(AttentionScore score) {
  switch (score) {
  case AttentionScore::Additive:
    return "additive";
  case AttentionScore::Dot:
    return "dot";
  case AttentionScore::General:
    return "general";
  }
  return "unknown";
}

std::string describe(const Tensor &x) {
  return std::string(x.is_integer() ? "int32 " : "") + to_string(x.shape());
}

/// sum_d a[s, b, d] * q[b, d] for a [S, B, D] and q [B, D]: [S, B].
Tensor scoreAgainst(const Tensor &keys, const Tensor &query) {
  return reduce_sum(mul(keys, broadcast(query, {0}, keys.shape())), {2});
}

} // namespace

Attention::Attention(Model &model, std::string name, AttentionScore score, int64_t units,
                     Where where)
    : model_(model), name_(std::move(name)), score_(score), units_(units), where_(where) {
  Model::LayerScope scope(model_, name_, "Attention", where_);
  if (score_ == AttentionScore::Additive)
    model_.require(units_ > 0, "the additive score needs a positive number of units, got " + std::to_string(units_));
  else
    model_.require(units_ == 0, std::string("the ") + scoreName(score_) + " score has no hidden layer; pass 0 units, got " +
                                    std::to_string(units_));
}

AttentionMemory Attention::memory(const Tensor &values, std::optional<Tensor> lengths) {
  Model::LayerScope scope(model_, name_, "Attention", where_);
  model_.require(!values.is_integer() && values.rank() == 3,
                 "expects float values [source steps, batch, features], got " + describe(values));
  const int64_t steps = values.shape()[0], batch = values.shape()[1];
  AttentionMemory memory;
  memory.values = values;
  switch (score_) {
  case AttentionScore::Additive:
    if (!key_)
      key_.emplace(model_, name_ + ".key", units_, where_);
    memory.keys = (*key_)(values);
    break;
  case AttentionScore::General: // projects the query instead (see operator())
  case AttentionScore::Dot:
    memory.keys = values;
    break;
  }
  if (lengths) {
    model_.require(lengths->is_integer() && lengths->shape() == Shape{batch},
                   "expects int32 lengths [" + std::to_string(batch) + "] for values " + to_string(values.shape()) +
                       ", got " + describe(*lengths));
    // [S, B] mask -> [B, S] penalty: (1 - mask) * 1e9.
    Tensor mask = transpose(sequence_mask(*lengths, steps));
    memory.penalty = scale(sub(model_.constant({batch, steps}, 1.0f), mask), 1e9f);
  } else {
    memory.penalty = model_.constant({batch, steps}, 0.0f);
  }
  return memory;
}

AttentionOutputs Attention::operator()(const AttentionMemory &memory, const Tensor &query) {
  Model::LayerScope scope(model_, name_, "Attention", where_);
  const Shape &valuesShape = memory.values.shape();
  model_.require(valuesShape.size() == 3 && memory.penalty.rank() == 2,
                 "needs the memory that memory() returned, got values " + to_string(valuesShape));
  const int64_t steps = valuesShape[0], batch = valuesShape[1], features = valuesShape[2];
  model_.require(!query.is_integer() && query.rank() == 2 && query.shape()[0] == batch,
                 "expects a float query [" + std::to_string(batch) + ", features] for values " +
                     to_string(valuesShape) + ", got " + describe(query));
  const int64_t queryWidth = query.shape()[1];
  Tensor scores; // [S, B]
  switch (score_) {
  case AttentionScore::Additive: {
    const int64_t keyWidth = memory.keys.shape()[2];
    if (!query_weight_.rank()) {
      // torch.nn.Linear's U(-1/sqrt(in), 1/sqrt(in)).
      query_weight_ = model_.parameter(name_ + ".query.weight", {keyWidth, queryWidth},
                                       Initializer::uniform(1.0 / std::sqrt(double(queryWidth))));
      score_weight_ = model_.parameter(name_ + ".score.weight", {1, keyWidth},
                                       Initializer::uniform(1.0 / std::sqrt(double(keyWidth))));
    }
    model_.require(query_weight_.shape()[1] == queryWidth,
                   "was built for queries of " + std::to_string(query_weight_.shape()[1]) + " features, got " +
                       describe(query));
    Tensor projected = matmul(query, query_weight_, false, true); // [B, K]
    Tensor hidden = tanh(add(memory.keys, broadcast(projected, {0}, memory.keys.shape())));
    Tensor flat = matmul(reshape(hidden, {steps * batch, keyWidth}), score_weight_, false, true);
    scores = reshape(flat, {steps, batch});
    break;
  }
  case AttentionScore::Dot:
    model_.require(queryWidth == features, "the dot score needs queries as wide as the values (" +
                                               std::to_string(features) + " features), got " + describe(query));
    scores = scoreAgainst(memory.values, query);
    break;
  case AttentionScore::General: {
    // q · (W v_s) = (W^T q) · v_s: projecting the query once per step costs less than projecting
    // every value, and gives the same scores.
    if (!query_weight_.rank())
      query_weight_ = model_.parameter(name_ + ".key.weight", {queryWidth, features},
                                       Initializer::uniform(1.0 / std::sqrt(double(features))));
    model_.require(query_weight_.shape()[0] == queryWidth,
                   "was built for queries of " + std::to_string(query_weight_.shape()[0]) + " features, got " +
                       describe(query));
    scores = scoreAgainst(memory.values, matmul(query, query_weight_)); // [B, Q] x [Q, D]
    break;
  }
  }
  Tensor weights = softmax(sub(transpose(scores), memory.penalty)); // [B, S]
  Tensor spread = broadcast(transpose(weights), {2}, valuesShape);  // [S, B, D]
  Tensor context = reduce_sum(mul(spread, memory.values), {0});     // [B, D]
  return {context, weights};
}

} // namespace loom::dsl
