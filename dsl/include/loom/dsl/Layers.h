// Layers of Loom's DSL, with PyTorch's parameter layout and gate order (LSTM gates i, f, g, o;
// GRU r, z, n; weights [out, in]; sequences time-major [T, B, features]). Keras conventions are
// options where users expect them; each option says which framework it follows.
//
// A layer object owns its parameters: they are declared the first time it is called, and calling
// the same object again (a decoder run once with teacher forcing and once step by step) reuses
// them.
#pragma once

#include "loom/dsl/Model.h"

#include <optional>

namespace loom::dsl {

struct DenseOptions {
  /// False: y = x W^T, without a bias parameter (torch.nn.Linear's bias=False).
  bool bias = true;
};

/// y = x W^T + b with W [units, in] and b [units], applied to the last axis of x [..., in] (as
/// torch.nn.Linear; on a sequence [T, B, in] this is Keras's TimeDistributed(Dense)).
class Dense {
public:
  Dense(Model &model, std::string name, int64_t units,
        Where where = Where::current());
  Dense(Model &model, std::string name, int64_t units, DenseOptions options,
        Where where = Where::current());
  Tensor operator()(const Tensor &x);

private:
  Model &model_;
  std::string name_;
  int64_t units_;
  DenseOptions options_;
  Where where_;
  Tensor weight_, bias_;
};

/// Keras's TimeDistributed(Dense): the Dense layer applied at every step of [T, B, in].
class TimeDistributed {
public:
  explicit TimeDistributed(Dense &dense) : dense_(dense) {}
  Tensor operator()(const Tensor &sequence, Where where = Where::current());

private:
  Dense &dense_;
};

/// A lookup table [vocabulary, features] named `<name>.weight`, initialized N(0, 1) as
/// torch.nn.Embedding. Maps int32 ids [d...] to [d..., features].
class Embedding {
public:
  Embedding(Model &model, std::string name, int64_t vocabulary, int64_t features,
            Where where = Where::current());
  Tensor operator()(const Tensor &ids);

private:
  Model &model_;
  std::string name_;
  int64_t vocabulary_, features_;
  Where where_;
  Tensor table_;
};

/// What a recurrent layer's call returns: the last hidden state [B, H] or every step's [T, B, H].
enum class Returns { LastState, Sequence };

/// SimpleRNN's nonlinearity (torch.nn.RNN's nonlinearity).
enum class Activation { Tanh, Relu };

/// Whose initializers a recurrent layer uses. PyTorch: every weight and bias U(-1/sqrt(H),
/// 1/sqrt(H)). Keras: weight_ih Glorot uniform, weight_hh orthogonal, biases zero, and for an
/// LSTM the forget gate's bias 1 (unit_forget_bias; Keras has one bias, so it goes in bias_ih).
enum class Initialization { PyTorch, Keras };

struct RecurrentOptions {
  Returns returns = Returns::LastState;
  /// Reads the sequence from the last step to the first (Keras go_backwards; the reverse
  /// direction of a bidirectional layer). Per-step outputs stay at the position of the step
  /// that produced them, as in PyTorch; Keras would return them reversed.
  bool go_backwards = false;
  Initialization initialization = Initialization::PyTorch;
  /// SimpleRNN only.
  Activation activation = Activation::Tanh;
  /// GRU only. True (the default): the reset gate scales the recurrent projection including its
  /// bias, n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), as PyTorch, cuDNN and Keras
  /// reset_after=True. False: Cho et al.'s original n = tanh(W_in x + b_in + W_hn (r*h) + b_hn).
  bool reset_after = true;
};

/// Everything a recurrent layer computed over a sequence.
struct RecurrentOutputs {
  /// Every step's hidden state [T, B, H]; zero past each example's length.
  Tensor sequence;
  /// The final carried state, hidden state first ({h} or, for an LSTM, {h, c}), each [B, H]:
  /// with lengths, each example's state after its last valid step.
  std::vector<Tensor> state;
};

/// What SimpleRNN, LSTM and GRU share: a named layer of `units` over a time-major sequence
/// [T, B, I], with PyTorch's parameters weight_ih [gates*H, I], weight_hh [gates*H, H],
/// bias_ih and bias_hh [gates*H].
class RecurrentLayer {
public:
  virtual ~RecurrentLayer() = default;
  /// The last hidden state [B, H], or every step's [T, B, H] with Returns::Sequence, from a zero
  /// initial state.
  Tensor operator()(const Tensor &x);
  /// The whole computation. `initial_state` holds one [B, H] tensor per carried state (h, then
  /// c for an LSTM; zeros when empty). `lengths` (int32 [B], each in [1, T]) makes the state stop
  /// updating past each example's length, so `state` is each example's last valid state.
  RecurrentOutputs run(const Tensor &x, const std::vector<Tensor> &initial_state = {},
                       std::optional<Tensor> lengths = std::nullopt);
  /// Records one step for a hand-written scan (a decoder feeding back its own predictions):
  /// the next state from `state` and this step's input x_t [B, I].
  std::vector<Tensor> step(const std::vector<Tensor> &state, const Tensor &x_t);
  /// A zero state for `batch` examples, one tensor per carried state.
  std::vector<Tensor> zero_state(int64_t batch);

  int64_t units() const { return units_; }
  const std::string &name() const { return name_; }

protected:
  RecurrentLayer(Model &model, std::string name, std::string kind, int64_t gates, int64_t units,
                 int64_t states, RecurrentOptions options, Where where);

  struct Parameters {
    Tensor w_ih, w_hh, b_ih, b_hh;
  };
  /// One cell step from the state and x_t; the hidden state comes first.
  virtual std::vector<Tensor> cell(const Parameters &p, const std::vector<Tensor> &state,
                                   const Tensor &x_t) = 0;
  /// x_t W_ih^T + b_ih: what the cell reads from the input (batched over time by
  /// loom-hoist-sequence-ops).
  static Tensor inputProjection(const Parameters &p, const Tensor &x_t);
  /// h W_hh^T + b_hh.
  static Tensor recurrentProjection(const Parameters &p, const Tensor &h);

  Model &model_;
  std::string name_, kind_;
  int64_t gates_, units_, states_;
  RecurrentOptions options_;
  Where where_;

private:
  std::optional<Parameters> parameters_;
  int64_t inputs_ = 0;
  const Parameters &parametersFor(int64_t inputs);
  void checkState(const std::vector<Tensor> &state, int64_t batch, const char *what);
};

/// Elman RNN: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu.
class SimpleRNN : public RecurrentLayer {
public:
  SimpleRNN(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
            Where where = Where::current());
  SimpleRNN(Model &model, std::string name, int64_t units, RecurrentOptions options,
            Where where = Where::current());

private:
  std::vector<Tensor> cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) override;
};

/// LSTM as torch.nn.LSTM: gates = x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh split as i, f, g, o;
/// c_t = f*c_{t-1} + i*g; h_t = o*tanh(c_t).
class LSTM : public RecurrentLayer {
public:
  LSTM(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
       Where where = Where::current());
  LSTM(Model &model, std::string name, int64_t units, RecurrentOptions options,
       Where where = Where::current());

private:
  std::vector<Tensor> cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) override;
};

/// GRU as torch.nn.GRU (gates r, z, n): r = σ(x W_ir^T + b_ir + h W_hr^T + b_hr), z likewise,
/// n as RecurrentOptions::reset_after says, h_t = (1 - z)*n + z*h_{t-1}.
class GRU : public RecurrentLayer {
public:
  GRU(Model &model, std::string name, int64_t units, Returns returns = Returns::LastState,
      Where where = Where::current());
  GRU(Model &model, std::string name, int64_t units, RecurrentOptions options,
      Where where = Where::current());

private:
  std::vector<Tensor> cell(const Parameters &p, const std::vector<Tensor> &state, const Tensor &x_t) override;
};

/// How Bidirectional joins its two directions: concatenated features [.., 2H] (forward first, as
/// PyTorch and Keras's default) or their sum [.., H].
enum class Merge { Concat, Sum };

namespace detail {
Tensor mergeDirections(const Tensor &forward, const Tensor &backward, Merge merge);
}

/// A forward and a backward layer over the same sequence, named `<name>.forward` and
/// `<name>.backward` (PyTorch's `_reverse` parameters). Returns the merged sequence, or with
/// Returns::LastState the merged final hidden states (the backward one having read x[0] last).
template <typename Layer> class Bidirectional {
public:
  Bidirectional(Model &model, std::string name, int64_t units, Merge merge = Merge::Concat,
                RecurrentOptions options = {}, Where where = Where::current())
      : forward_(model, name + ".forward", units, options, where),
        backward_(model, name + ".backward", units, reversed(options), where), merge_(merge),
        returns_(options.returns) {}

  Tensor operator()(const Tensor &x, std::optional<Tensor> lengths = std::nullopt) {
    RecurrentOutputs f = forward_.run(x, {}, lengths), b = backward_.run(x, {}, lengths);
    return returns_ == Returns::Sequence ? detail::mergeDirections(f.sequence, b.sequence, merge_)
                                         : detail::mergeDirections(f.state[0], b.state[0], merge_);
  }

private:
  static RecurrentOptions reversed(RecurrentOptions options) {
    options.go_backwards = !options.go_backwards;
    return options;
  }
  Layer forward_, backward_;
  Merge merge_;
  Returns returns_;
};

/// `layers` recurrent layers, each reading the previous one's sequence (torch.nn.LSTM's
/// num_layers, TensorFlow's MultiRNNCell), named `<name>.0`, `<name>.1`, ... With a dropout rate,
/// dropout is applied between layers in training, as PyTorch's `dropout` argument does.
template <typename Layer> class Stacked {
public:
  Stacked(Model &model, std::string name, int64_t units, int64_t layers, double dropout_rate = 0.0,
          RecurrentOptions options = {}, Where where = Where::current())
      : returns_(options.returns), dropout_(dropout_rate) {
    Model::LayerScope scope(model, name, "Stacked", where);
    model.require(layers >= 1, "needs at least one layer, got " + std::to_string(layers));
    for (int64_t l = 0; l < layers; ++l)
      layers_.emplace_back(model, name + "." + std::to_string(l), units, options, where);
  }

  /// The top layer's outputs (its sequence and final state).
  RecurrentOutputs run(const Tensor &x, std::optional<Tensor> lengths = std::nullopt) {
    RecurrentOutputs out = layers_.front().run(x, {}, lengths);
    for (size_t l = 1; l < layers_.size(); ++l)
      out = layers_[l].run(dropout(out.sequence, dropout_), {}, lengths);
    return out;
  }
  Tensor operator()(const Tensor &x, std::optional<Tensor> lengths = std::nullopt) {
    RecurrentOutputs out = run(x, lengths);
    return returns_ == Returns::Sequence ? out.sequence : out.state[0];
  }
  Layer &layer(size_t l) { return layers_.at(l); }

private:
  std::vector<Layer> layers_;
  Returns returns_;
  double dropout_;
};

} // namespace loom::dsl
