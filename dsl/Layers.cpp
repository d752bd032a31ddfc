// Dense, Embedding and the recurrent layers: each checks its input, declares its parameters once
// with PyTorch's (or, as an option, Keras's) initializers and records its computation; recurrent
// layers record one loom.scan step.
#include "Recorder.h"
#include "loom/dsl/Layers.h"

#include <cmath>

namespace loom::dsl {
namespace {

void checkUnits(Model &model, int64_t units) {
  model.require(units > 0, "needs a positive number of units, got " + std::to_string(units));
}

std::string describe(const Tensor &x) {
  return std::string(x.is_integer() ? "int32 " : "") + to_string(x.shape());
}

} // namespace

//===----------------------------------------------------------------------===//
// Dense, TimeDistributed, Embedding
//===----------------------------------------------------------------------===//

Dense::Dense(Model &model, std::string name, int64_t units, Where where)
    : Dense(model, std::move(name), units, DenseOptions{}, where) {}

Dense::Dense(Model &model, std::string name, int64_t units, DenseOptions options, Where where)
    : model_(model), name_(std::move(name)), units_(units), options_(options), where_(where) {
  Model::LayerScope scope(model_, name_, "Dense", where_);
  checkUnits(model_, units_);
}

Tensor Dense::operator()(const Tensor &x) {
  Model::LayerScope scope(model_, name_, "Dense", where_);
  model_.require(!x.is_integer() && x.rank() >= 2,
                 "expects a float input [batch, features] (or [..., features]), got " + describe(x));
  int64_t inputs = x.shape().back();
  if (!weight_.rank()) {
    // torch.nn.Linear: U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias.
    Initializer init = Initializer::uniform(1.0 / std::sqrt(double(inputs)));
    weight_ = model_.parameter(name_ + ".weight", {units_, inputs}, init);
    if (options_.bias)
      bias_ = model_.parameter(name_ + ".bias", {units_}, init);
  }
  model_.require(weight_.shape()[1] == inputs,
                 "was built for " + std::to_string(weight_.shape()[1]) + " input features, got " +
                     describe(x));
  auto affine = [&](const Tensor &rows) {
    Tensor product = matmul(rows, weight_, false, true);
    return options_.bias ? bias_add(product, bias_) : product;
  };
  if (x.rank() == 2)
    return affine(x);
  // [..., in] -> [N, in] -> [N, units] -> [..., units]
  Shape leading(x.shape().begin(), x.shape().end() - 1), out = leading;
  int64_t rows = 1;
  for (int64_t d : leading)
    rows *= d;
  out.push_back(units_);
  Tensor flat = reshape(x, {rows, inputs});
  return reshape(affine(flat), out);
}

Tensor TimeDistributed::operator()(const Tensor &sequence, Where where) {
  Model &model = sequence.model();
  if (sequence.rank() != 3) {
    Model::LayerScope scope(model, "TimeDistributed", "layer", where);
    model.fail("expects a sequence [time, batch, features], got " + describe(sequence));
  }
  return dense_(sequence);
}

Embedding::Embedding(Model &model, std::string name, int64_t vocabulary, int64_t features,
                     Where where)
    : model_(model), name_(std::move(name)), vocabulary_(vocabulary), features_(features), where_(where) {
  Model::LayerScope scope(model_, name_, "Embedding", where_);
  model_.require(vocabulary_ > 0 && features_ > 0,
                 "needs a positive vocabulary and feature count, got " + std::to_string(vocabulary_) +
                     " and " + std::to_string(features_));
}

Tensor Embedding::operator()(const Tensor &ids) {
  Model::LayerScope scope(model_, name_, "Embedding", where_);
  model_.require(ids.is_integer(), "expects int32 token ids, got float " + to_string(ids.shape()));
  if (!table_.rank())
    table_ = model_.parameter(name_ + ".weight", {vocabulary_, features_}, Initializer::normal(1.0));
  return gather(table_, ids);
}

//===----------------------------------------------------------------------===//
// RecurrentLayer
//===----------------------------------------------------------------------===//

RecurrentLayer::RecurrentLayer(Model &model, std::string name, std::string kind, int64_t gates,
                               int64_t units, int64_t states, RecurrentOptions options,
                               Where where)
    : model_(model), name_(std::move(name)), kind_(std::move(kind)), gates_(gates), units_(units),
      states_(states), options_(options), where_(where) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  checkUnits(model_, units_);
  model_.require(options_.activation == Activation::Tanh || kind_ == "SimpleRNN",
                 "the activation option is SimpleRNN's; " + kind_ + " has fixed nonlinearities");
  model_.require(options_.reset_after || kind_ == "GRU", "the reset_after option is GRU's");
}

const RecurrentLayer::Parameters &RecurrentLayer::parametersFor(int64_t inputs) {
  if (parameters_) {
    model_.require(inputs == inputs_, "was built for " + std::to_string(inputs_) +
                                          " input features, got " + std::to_string(inputs));
    return *parameters_;
  }
  inputs_ = inputs;
  int64_t rows = gates_ * units_;
  if (options_.initialization == Initialization::PyTorch) {
    Initializer init = Initializer::uniform(1.0 / std::sqrt(double(units_)));
    parameters_ = Parameters{model_.parameter(name_ + ".weight_ih", {rows, inputs}, init),
                             model_.parameter(name_ + ".weight_hh", {rows, units_}, init),
                             model_.parameter(name_ + ".bias_ih", {rows}, init),
                             model_.parameter(name_ + ".bias_hh", {rows}, init)};
  } else {
    Initializer bias = kind_ == "LSTM" ? Initializer::unit_forget_bias(units_) : Initializer::zeros();
    parameters_ = Parameters{
        model_.parameter(name_ + ".weight_ih", {rows, inputs}, Initializer::glorot_uniform()),
        model_.parameter(name_ + ".weight_hh", {rows, units_}, Initializer::orthogonal()),
        model_.parameter(name_ + ".bias_ih", {rows}, bias),
        model_.parameter(name_ + ".bias_hh", {rows}, Initializer::zeros())};
  }
  return *parameters_;
}

void RecurrentLayer::checkState(const std::vector<Tensor> &state, int64_t batch, const char *what) {
  model_.require(int64_t(state.size()) == states_,
                 std::string(what) + " needs " + std::to_string(states_) + " tensor" +
                     (states_ > 1 ? "s (h, c)" : " (h)") + ", got " + std::to_string(state.size()));
  for (const Tensor &s : state)
    model_.require(!s.is_integer() && s.shape() == Shape{batch, units_},
                   std::string(what) + " tensors must be [" + std::to_string(batch) + ", " +
                       std::to_string(units_) + "], got " + describe(s));
}

std::vector<Tensor> RecurrentLayer::zero_state(int64_t batch) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  return std::vector<Tensor>(size_t(states_), model_.constant({batch, units_}, 0.0f));
}

Tensor RecurrentLayer::inputProjection(const Parameters &p, const Tensor &x_t) {
  return bias_add(matmul(x_t, p.w_ih, false, true), p.b_ih);
}

Tensor RecurrentLayer::recurrentProjection(const Parameters &p, const Tensor &h) {
  return bias_add(matmul(h, p.w_hh, false, true), p.b_hh);
}

std::vector<Tensor> RecurrentLayer::step(const std::vector<Tensor> &state, const Tensor &x_t) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  model_.require(!x_t.is_integer() && x_t.rank() == 2,
                 "a step expects a float input [batch, features], got " + describe(x_t));
  checkState(state, x_t.shape()[0], "the state");
  return cell(parametersFor(x_t.shape()[1]), state, x_t);
}

RecurrentOutputs RecurrentLayer::run(const Tensor &x, const std::vector<Tensor> &initial_state,
                                     std::optional<Tensor> lengths) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  model_.require(!x.is_integer() && x.rank() == 3,
                 "expects a float sequence [time, batch, features], got " + describe(x));
  const int64_t steps = x.shape()[0], batch = x.shape()[1];
  const Parameters &p = parametersFor(x.shape()[2]);
  std::vector<Tensor> initial = initial_state;
  if (initial.empty())
    initial = std::vector<Tensor>(size_t(states_), model_.constant({batch, units_}, 0.0f));
  checkState(initial, batch, "initial_state");

  std::vector<Tensor> sequences{x};
  if (lengths) {
    model_.require(lengths->is_integer() && lengths->shape() == Shape{batch},
                   "lengths must be int32 [" + std::to_string(batch) + "], got " + describe(*lengths));
    // [T, B] -> [T, B, H], read one step [B, H] at a time.
    sequences.push_back(broadcast(sequence_mask(*lengths, steps), {2}, {steps, batch, units_}));
  }
  std::vector<Tensor> results = Recorder::scan(
      model_, initial, sequences,
      [&](const std::vector<Tensor> &state, const std::vector<Tensor> &slices) {
        std::vector<Tensor> next = cell(p, state, slices[0]);
        if (!lengths)
          return ScanStep{next, {next[0]}};
        // Past its length an example keeps its state, and its output is zero (as PyTorch's
        // packed sequences): state + mask * (next - state), mask * next.
        const Tensor &mask = slices[1];
        std::vector<Tensor> kept;
        for (size_t i = 0; i < next.size(); ++i)
          kept.push_back(add(state[i], mul(mask, sub(next[i], state[i]))));
        return ScanStep{kept, {mul(mask, next[0])}};
      },
      options_.go_backwards);
  RecurrentOutputs out;
  out.state.assign(results.begin(), results.begin() + states_);
  out.sequence = results[size_t(states_)];
  return out;
}

Tensor RecurrentLayer::operator()(const Tensor &x) {
  RecurrentOutputs out = run(x);
  return options_.returns == Returns::Sequence ? out.sequence : out.state[0];
}

//===----------------------------------------------------------------------===//
// SimpleRNN, LSTM, GRU
//===----------------------------------------------------------------------===//

SimpleRNN::SimpleRNN(Model &model, std::string name, int64_t units, Returns returns,
                     Where where)
    : SimpleRNN(model, std::move(name), units, RecurrentOptions{.returns = returns}, where) {}

SimpleRNN::SimpleRNN(Model &model, std::string name, int64_t units, RecurrentOptions options,
                     Where where)
    : RecurrentLayer(model, std::move(name), "SimpleRNN", 1, units, 1, options, where) {}

std::vector<Tensor> SimpleRNN::cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) {
  Tensor preactivation = add(inputProjection(p, x_t), recurrentProjection(p, state[0]));
  return {options_.activation == Activation::Relu ? relu(preactivation) : dsl::tanh(preactivation)};
}

LSTM::LSTM(Model &model, std::string name, int64_t units, Returns returns, Where where)
    : LSTM(model, std::move(name), units, RecurrentOptions{.returns = returns}, where) {}

LSTM::LSTM(Model &model, std::string name, int64_t units, RecurrentOptions options,
           Where where)
    : RecurrentLayer(model, std::move(name), "LSTM", 4, units, 2, options, where) {}

std::vector<Tensor> LSTM::cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) {
  int64_t h = units();
  Tensor gates = add(inputProjection(p, x_t), recurrentProjection(p, state[0]));
  Tensor i = sigmoid(slice(gates, 1, 0 * h, h));
  Tensor f = sigmoid(slice(gates, 1, 1 * h, h));
  Tensor g = dsl::tanh(slice(gates, 1, 2 * h, h));
  Tensor o = sigmoid(slice(gates, 1, 3 * h, h));
  Tensor c = add(mul(f, state[1]), mul(i, g));
  return {mul(o, dsl::tanh(c)), c};
}

GRU::GRU(Model &model, std::string name, int64_t units, Returns returns, Where where)
    : GRU(model, std::move(name), units, RecurrentOptions{.returns = returns}, where) {}

GRU::GRU(Model &model, std::string name, int64_t units, RecurrentOptions options, Where where)
    : RecurrentLayer(model, std::move(name), "GRU", 3, units, 1, options, where) {}

std::vector<Tensor> GRU::cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) {
  int64_t u = units();
  const Tensor &h = state[0];
  Tensor fromInput = inputProjection(p, x_t);
  Tensor r, z, recurrentN;
  if (options_.reset_after) {
    Tensor fromState = recurrentProjection(p, h);
    r = sigmoid(add(slice(fromInput, 1, 0, u), slice(fromState, 1, 0, u)));
    z = sigmoid(add(slice(fromInput, 1, u, u), slice(fromState, 1, u, u)));
    recurrentN = mul(r, slice(fromState, 1, 2 * u, u));
  } else {
    // Only the r and z rows of W_hh read h directly; the n rows read r*h.
    Tensor rz = bias_add(matmul(h, slice(p.w_hh, 0, 0, 2 * u), false, true), slice(p.b_hh, 0, 0, 2 * u));
    r = sigmoid(add(slice(fromInput, 1, 0, u), slice(rz, 1, 0, u)));
    z = sigmoid(add(slice(fromInput, 1, u, u), slice(rz, 1, u, u)));
    recurrentN = bias_add(matmul(mul(r, h), slice(p.w_hh, 0, 2 * u, u), false, true),
                          slice(p.b_hh, 0, 2 * u, u));
  }
  Tensor n = dsl::tanh(add(slice(fromInput, 1, 2 * u, u), recurrentN));
  // (1 - z) * n + z * h = n + z * (h - n)
  return {add(n, mul(z, sub(h, n)))};
}

Tensor detail::mergeDirections(const Tensor &forward, const Tensor &backward, Merge merge) {
  return merge == Merge::Concat ? concat({forward, backward}, forward.rank() - 1) : add(forward, backward);
}

} // namespace loom::dsl
