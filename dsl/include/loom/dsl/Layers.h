// Layers of Loom's DSL: Dense, SimpleRNN and LSTM, with PyTorch's parameter layout and gate order
// (LSTM gates i, f, g, o; weights [out, in]; sequences time-major [T, B, features]).
#pragma once

#include "loom/dsl/Model.h"

namespace loom::dsl {

/// y = x W^T + b with W [units, in] and b [units]; x is [batch, in].
class Dense {
public:
  Dense(Model &model, std::string name, int64_t units,
        std::source_location where = std::source_location::current());
  Tensor operator()(const Tensor &x);

private:
  Model &model_;
  std::string name_;
  int64_t units_;
  std::source_location where_;
};

/// What a recurrent layer returns: the last hidden state [B, H] or every step's [T, B, H].
enum class Returns { LastState, Sequence };

/// What SimpleRNN and LSTM share: a named layer of `units` that reads a time-major sequence
/// [T, B, I] from a zero initial state, with PyTorch's parameters weight_ih [gates*H, I],
/// weight_hh [gates*H, H], bias_ih and bias_hh [gates*H].
class RecurrentLayer {
public:
  virtual ~RecurrentLayer() = default;
  /// Returns the last hidden state [B, H], or every step's [T, B, H] with Returns::Sequence.
  Tensor operator()(const Tensor &x);

protected:
  RecurrentLayer(Model &model, std::string name, std::string kind, int64_t gates, int64_t units,
                 int64_t states, Returns returns, std::source_location where);
  /// Records one step: the next carried state (hidden state first) from the current one and the
  /// gate pre-activation x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh [B, gates*H].
  virtual std::vector<Tensor> step(const std::vector<Tensor> &state, const Tensor &gates) = 0;
  int64_t units() const { return units_; }

private:
  Model &model_;
  std::string name_, kind_;
  int64_t gates_, units_, states_;
  Returns returns_;
  std::source_location where_;
};

/// Elman RNN with tanh: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
class SimpleRNN : public RecurrentLayer {
public:
  SimpleRNN(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
            std::source_location where = std::source_location::current());

private:
  std::vector<Tensor> step(const std::vector<Tensor> &state, const Tensor &gates) override;
};

/// LSTM as torch.nn.LSTM: gates = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh split as i, f, g, o;
/// c_t = f*c_{t-1} + i*g; h_t = o*tanh(c_t).
class LSTM : public RecurrentLayer {
public:
  LSTM(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
       std::source_location where = std::source_location::current());

private:
  std::vector<Tensor> step(const std::vector<Tensor> &state, const Tensor &gates) override;
};

} // namespace loom::dsl
