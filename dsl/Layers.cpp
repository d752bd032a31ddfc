// Dense, SimpleRNN and LSTM: each checks its input, declares its parameters with PyTorch's
// initializers and records its computation; recurrent layers record one loom.scan step.
#include "Recorder.h"
#include "loom/dsl/Layers.h"

#include <cmath>

namespace loom::dsl {
namespace {

/// PyTorch initializes every RNN, LSTM and GRU weight and bias with U(-1/sqrt(H), 1/sqrt(H)).
Initializer recurrentInit(int64_t units) { return Initializer::uniform(1.0 / std::sqrt(double(units))); }

void checkUnits(Model &model, int64_t units) {
  model.require(units > 0, "needs a positive number of units, got " + std::to_string(units));
}

void checkSequence(Model &model, const Tensor &x) {
  model.require(!x.is_integer() && x.rank() == 3,
                "expects a float sequence [time, batch, features], got " +
                    std::string(x.is_integer() ? "int32 " : "") + to_string(x.shape()));
}

struct RecurrentParameters {
  Tensor w_ih, w_hh, b_ih, b_hh;
};

/// weight_ih [gates*H, I], weight_hh [gates*H, H], bias_ih and bias_hh [gates*H], as torch.nn.
RecurrentParameters declareRecurrent(Model &model, const std::string &name, int64_t gates,
                                     int64_t units, int64_t inputs) {
  Initializer init = recurrentInit(units);
  return {model.parameter(name + ".weight_ih", {gates * units, inputs}, init),
          model.parameter(name + ".weight_hh", {gates * units, units}, init),
          model.parameter(name + ".bias_ih", {gates * units}, init),
          model.parameter(name + ".bias_hh", {gates * units}, init)};
}

/// x_t W_ih^T + b_ih + h W_hh^T + b_hh: the pre-activation of every gate.
Tensor gatePreactivation(const RecurrentParameters &p, const Tensor &x_t, const Tensor &h) {
  Tensor input = bias_add(matmul(x_t, p.w_ih, false, true), p.b_ih);
  Tensor recurrent = bias_add(matmul(h, p.w_hh, false, true), p.b_hh);
  return add(input, recurrent);
}

} // namespace

Dense::Dense(Model &model, std::string name, int64_t units, std::source_location where)
    : model_(model), name_(std::move(name)), units_(units), where_(where) {
  Model::LayerScope scope(model_, name_, "Dense", where_);
  checkUnits(model_, units_);
}

Tensor Dense::operator()(const Tensor &x) {
  Model::LayerScope scope(model_, name_, "Dense", where_);
  model_.require(!x.is_integer() && x.rank() == 2,
                 "expects a float input [batch, features], got " +
                     std::string(x.is_integer() ? "int32 " : "") + to_string(x.shape()));
  int64_t inputs = x.shape()[1];
  // torch.nn.Linear: U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias.
  Initializer init = Initializer::uniform(1.0 / std::sqrt(double(inputs)));
  Tensor w = model_.parameter(name_ + ".weight", {units_, inputs}, init);
  Tensor b = model_.parameter(name_ + ".bias", {units_}, init);
  return bias_add(matmul(x, w, false, true), b);
}

RecurrentLayer::RecurrentLayer(Model &model, std::string name, std::string kind, int64_t gates,
                               int64_t units, int64_t states, Returns returns,
                               std::source_location where)
    : model_(model), name_(std::move(name)), kind_(std::move(kind)), gates_(gates), units_(units),
      states_(states), returns_(returns), where_(where) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  checkUnits(model_, units_);
}

Tensor RecurrentLayer::operator()(const Tensor &x) {
  Model::LayerScope scope(model_, name_, kind_, where_);
  checkSequence(model_, x);
  RecurrentParameters p = declareRecurrent(model_, name_, gates_, units_, x.shape()[2]);
  Tensor zeros = model_.constant({x.shape()[1], units_}, 0.0f);
  bool sequence = returns_ == Returns::Sequence;
  std::vector<Tensor> results = Recorder::scan(
      model_, std::vector<Tensor>(size_t(states_), zeros), {x},
      [&](const std::vector<Tensor> &state, const std::vector<Tensor> &slices) {
        std::vector<Tensor> next = step(state, gatePreactivation(p, slices[0], state[0]));
        return Step{next, sequence ? std::vector<Tensor>{next[0]} : std::vector<Tensor>{}};
      });
  return sequence ? results[size_t(states_)] : results[0];
}

SimpleRNN::SimpleRNN(Model &model, std::string name, int64_t units, Returns returns,
                     std::source_location where)
    : RecurrentLayer(model, std::move(name), "SimpleRNN", 1, units, 1, returns, where) {}

std::vector<Tensor> SimpleRNN::step(const std::vector<Tensor> &, const Tensor &gates) {
  return {dsl::tanh(gates)};
}

LSTM::LSTM(Model &model, std::string name, int64_t units, Returns returns, std::source_location where)
    : RecurrentLayer(model, std::move(name), "LSTM", 4, units, 2, returns, where) {}

std::vector<Tensor> LSTM::step(const std::vector<Tensor> &state, const Tensor &gates) {
  int64_t h = units();
  Tensor i = sigmoid(slice(gates, 1, 0 * h, h));
  Tensor f = sigmoid(slice(gates, 1, 1 * h, h));
  Tensor g = dsl::tanh(slice(gates, 1, 2 * h, h));
  Tensor o = sigmoid(slice(gates, 1, 3 * h, h));
  Tensor c = add(mul(f, state[1]), mul(i, g));
  return {mul(o, dsl::tanh(c)), c};
}

} // namespace loom::dsl
