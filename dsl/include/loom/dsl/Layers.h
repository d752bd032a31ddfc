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

/// Elman RNN with tanh: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh).
class SimpleRNN {
public:
  SimpleRNN(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
            std::source_location where = std::source_location::current());
  /// x is [T, B, I]; the initial state is zero.
  Tensor operator()(const Tensor &x);

private:
  Model &model_;
  std::string name_;
  int64_t units_;
  Returns returns_;
  std::source_location where_;
};

/// LSTM as torch.nn.LSTM: gates = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh split as i, f, g, o;
/// c_t = f*c_{t-1} + i*g; h_t = o*tanh(c_t).
class LSTM {
public:
  LSTM(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
       std::source_location where = std::source_location::current());
  /// x is [T, B, I]; the initial state is zero.
  Tensor operator()(const Tensor &x);

private:
  Model &model_;
  std::string name_;
  int64_t units_;
  Returns returns_;
  std::source_location where_;
};

} // namespace loom::dsl
