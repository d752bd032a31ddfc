// Loom's model DSL: executing a model definition records it as a loom-dialect MLIR module.
// Misuse throws loom::dsl::ModelError naming the layer, the shapes and the source line.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include "loom/dsl/Where.h"
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace mlir {
class MLIRContext;
class ModuleOp;
class Value;
} // namespace mlir

namespace loom::dsl {

using Shape = std::vector<int64_t>;

/// "[128, 28]", the way shapes read in every Loom message.
std::string to_string(const Shape &shape);

/// A mistake in a model definition, found while the definition runs.
class ModelError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

class Model;

/// A value in the model being recorded: a handle, cheap to copy.
class Tensor {
public:
  Tensor() = default;
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  bool is_integer() const { return integer_; }
  Model &model() const { return *model_; }
  /// The underlying MLIR value, for Loom's own layers.
  mlir::Value value() const;

private:
  friend class Model;
  friend class Recorder;
  Tensor(Model *model, void *value, Shape shape, bool integer)
      : model_(model), value_(value), shape_(std::move(shape)), integer_(integer) {}
  Model *model_ = nullptr;
  void *value_ = nullptr; // mlir::Value's opaque pointer: keeps MLIR out of this header.
  Shape shape_;
  bool integer_ = false;
};

/// How a parameter starts before training. The defaults of each layer follow PyTorch; the Keras
/// ones are an option of the recurrent layers.
struct Initializer {
  /// zeros, ones, uniform U(-scale, scale), normal N(0, scale^2), glorot_uniform,
  /// orthogonal (gain = scale), unit_forget_bias (zeros but ones in [scale, 2*scale): an LSTM
  /// bias whose forget gate starts open, as Keras's unit_forget_bias).
  std::string kind = "zeros";
  double scale = 0.0;
  static Initializer zeros() { return {"zeros", 0.0}; }
  static Initializer uniform(double bound) { return {"uniform", bound}; }
  static Initializer normal(double stddev = 1.0) { return {"normal", stddev}; }
  static Initializer glorot_uniform() { return {"glorot_uniform", 0.0}; }
  static Initializer orthogonal(double gain = 1.0) { return {"orthogonal", gain}; }
  static Initializer unit_forget_bias(int64_t units) { return {"unit_forget_bias", double(units)}; }
};

/// Whose formulas an optimizer follows where PyTorch and Keras differ (see each optimizer).
enum class Semantics { PyTorch, Keras };

/// Stochastic gradient descent with optional momentum. PyTorch: v = momentum*v + g, p -= lr*v.
/// Keras: v = momentum*v - lr*g, p += v. The two agree while the learning rate is constant.
struct SGD {
  double learning_rate = 0.01;
  double momentum = 0.0;
  Semantics semantics = Semantics::PyTorch;
};

/// Adam. PyTorch: p -= lr * m_hat / (sqrt(v_hat) + epsilon). Keras: p -= lr_t * m / (sqrt(v) +
/// epsilon) with lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t), so epsilon acts before the bias
/// correction (Keras's default epsilon is 1e-7).
struct Adam {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  Semantics semantics = Semantics::PyTorch;
};

/// RMSprop: v = rho*v + (1-rho)*g^2. PyTorch: p -= lr * g / (sqrt(v) + epsilon) with rho 0.99
/// (PyTorch's alpha). Keras (TensorFlow's kernel): p -= lr * g / sqrt(v + epsilon), usually with
/// rho 0.9 and epsilon 1e-7.
struct RMSprop {
  double learning_rate = 0.01;
  double rho = 0.99;
  double epsilon = 1e-8;
  Semantics semantics = Semantics::PyTorch;
};

using Optimizer = std::variant<SGD, Adam, RMSprop>;

/// Global-norm gradient clipping before the update; off while max_norm is 0. PyTorch
/// (clip_grad_norm_): every gradient times max_norm / (norm + 1e-6) when that is below 1. Keras
/// (clip_by_global_norm): times max_norm / max(norm, max_norm).
struct ClipByGlobalNorm {
  double max_norm = 0.0;
  Semantics semantics = Semantics::PyTorch;
};

/// Records a model. Layers and ops append to it in the order they are called.
class Model {
public:
  explicit Model(std::string name);
  ~Model();
  Model(const Model &) = delete;
  Model &operator=(const Model &) = delete;

  const std::string &name() const { return name_; }

  /// A float input with a static shape, fed by the caller of the generated class.
  Tensor input(const std::string &name, Shape shape,
               Where where = Where::current());
  /// An int32 input (class labels, token ids).
  Tensor integer_input(const std::string &name, Shape shape,
                       Where where = Where::current());
  /// A trainable parameter, saved in the model's parameter file under `name`.
  Tensor parameter(const std::string &name, Shape shape, Initializer init,
                   Where where = Where::current());
  /// A tensor filled with one value.
  Tensor constant(Shape shape, float value,
                  Where where = Where::current());
  /// A tensor with the given values, row-major (one per element).
  Tensor constant(Shape shape, const std::vector<float> &values,
                  Where where = Where::current());
  /// An int32 tensor filled with one value (a start symbol for every example, say).
  Tensor integer_constant(Shape shape, int32_t value,
                          Where where = Where::current());

  void output(const std::string &name, const Tensor &value,
              Where where = Where::current());
  /// The scalar that training minimizes with `optimizer`; train_step() returns it.
  void minimize(const Tensor &loss, Optimizer optimizer, ClipByGlobalNorm clip = {},
                Where where = Where::current());

  /// Declares this model a shape variant of `family` (for example a batch-1 sampler of a model
  /// trained in batches): the two read and write each other's parameter files.
  void variant_of(const std::string &family, Where where = Where::current());

  /// The training random stream's state [seed, step] (int32), which the generated class owns:
  /// seeded by its constructor or initialize_parameters(seed), advanced by every train_step().
  Tensor random_state();
  /// A fresh stream number for one dropout site, so that sites draw independent masks.
  int64_t next_random_stream() { return random_streams_++; }

  bool has_loss() const { return has_loss_; }
  /// True while a layer is recording its ops (errors then name that layer).
  bool in_layer() const { return !layer_.empty(); }

  mlir::MLIRContext &context();
  mlir::ModuleOp module();

  /// Scope for the layer whose ops are being recorded: names the layer in errors and locations.
  class LayerScope {
  public:
    LayerScope(Model &model, std::string layer, std::string kind, Where where);
    ~LayerScope();
    LayerScope(const LayerScope &) = delete;
    LayerScope &operator=(const LayerScope &) = delete;

  private:
    Model &model_;
    std::string saved_layer_, saved_kind_;
    Where saved_where_;
  };

  /// Throws ModelError: "<file>:<line>: <kind> '<layer>': <message>".
  [[noreturn]] void fail(const std::string &message) const;
  /// Fails unless `condition` holds.
  void require(bool condition, const std::string &message) const {
    if (!condition)
      fail(message);
  }

private:
  friend class Tensor;
  friend class Recorder;
  struct State;
  std::string name_;
  std::unique_ptr<State> state_;
  bool has_loss_ = false;
  int64_t random_streams_ = 0;
  std::string layer_, kind_;
  Where where_;
};

//===----------------------------------------------------------------------===//
// Ops: thin functions over single loom ops, for custom layers and heads
//===----------------------------------------------------------------------===//

Tensor matmul(const Tensor &lhs, const Tensor &rhs, bool transpose_lhs = false,
              bool transpose_rhs = false, Where where = Where::current());
Tensor add(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
Tensor sub(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
Tensor mul(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
Tensor div(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
Tensor bias_add(const Tensor &input, const Tensor &bias, Where where = Where::current());
Tensor tanh(const Tensor &x, Where where = Where::current());
Tensor sigmoid(const Tensor &x, Where where = Where::current());
Tensor exp(const Tensor &x, Where where = Where::current());
Tensor log(const Tensor &x, Where where = Where::current());
Tensor sqrt(const Tensor &x, Where where = Where::current());
/// max(x, 0); its gradient at 0 is 0, as in PyTorch.
Tensor relu(const Tensor &x, Where where = Where::current());
Tensor maximum(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
Tensor minimum(const Tensor &lhs, const Tensor &rhs, Where where = Where::current());
/// x * factor, element-wise.
Tensor scale(const Tensor &x, float factor, Where where = Where::current());
/// Joins tensors of one shape but along `axis`.
Tensor concat(const std::vector<Tensor> &parts, int64_t axis, Where where = Where::current());
/// Repeats x along new axes: `axes` are their positions in `shape`, the result's shape.
Tensor broadcast(const Tensor &x, std::vector<int64_t> axes, Shape shape,
                 Where where = Where::current());
/// Rows of `table` [V, E] at int32 `ids` [d...]: [d..., E].
Tensor gather(const Tensor &table, const Tensor &ids, Where where = Where::current());
/// int32 ids [d...] as one-hot float vectors [d..., depth].
Tensor one_hot(const Tensor &ids, int64_t depth, Where where = Where::current());
/// [steps, B] float mask: 1 where t < lengths[b] (lengths is int32 [B]).
Tensor sequence_mask(const Tensor &lengths, int64_t steps, Where where = Where::current());
/// Inverted dropout with probability `rate` in train_step(); forward() (inference) passes x
/// through. Each call is its own random stream.
Tensor dropout(const Tensor &x, double rate, Where where = Where::current());
Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t size,
             Where where = Where::current());
/// The same elements, row-major, in another static shape with the same element count.
Tensor reshape(const Tensor &x, Shape shape, Where where = Where::current());
/// [M, N] -> [N, M].
Tensor transpose(const Tensor &x, Where where = Where::current());
/// Permutes the axes of x: axis d of the result is axis permutation[d] of x ([1, 0, 2] turns a
/// batch-major [B, T, F] into a time-major [T, B, F]).
Tensor transpose(const Tensor &x, std::vector<int64_t> permutation, Where where = Where::current());
Tensor reduce_sum(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor reduce_mean(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor reduce_max(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor softmax(const Tensor &logits, Where where = Where::current());
Tensor log_softmax(const Tensor &logits, Where where = Where::current());
/// Softmax along the last axis over the entries where the float `mask` (same shape, 1 or 0) is 1;
/// masked entries get probability 0 (their logits are lowered by 1e9 first). Every row needs at
/// least one unmasked entry.
Tensor masked_softmax(const Tensor &logits, const Tensor &mask, Where where = Where::current());
/// int32 index of the largest entry along the last axis.
Tensor argmax(const Tensor &x, Where where = Where::current());
/// int32 indices [..., k] of the k largest entries along the last axis of x [..., N], largest
/// first; equal values keep their index order.
Tensor top_k(const Tensor &x, int64_t k, Where where = Where::current());
/// result[b, j, ...] = x[b, indices[b, j], ...] for x [B, K, ...] (float or int32) and int32
/// indices [B, J]: beam search's reordering of its beams.
Tensor gather_beams(const Tensor &x, const Tensor &indices, Where where = Where::current());
/// Integer division of int32 x by a positive constant, rounding towards negative infinity.
Tensor quotient(const Tensor &x, int64_t divisor, Where where = Where::current());
/// x - divisor * quotient(x, divisor): in [0, divisor).
Tensor remainder(const Tensor &x, int64_t divisor, Where where = Where::current());
/// Repeats each slice of x along `axis` `times` times in a row, as torch.repeat_interleave:
/// [a, b] -> [a, a, b, b] for times 2.
Tensor repeat_each(const Tensor &x, int64_t axis, int64_t times, Where where = Where::current());
/// Mean cross-entropy of softmax(logits [N, C]) against int32 labels [N].
Tensor sparse_softmax_cross_entropy(const Tensor &logits, const Tensor &labels,
                                    Where where = Where::current());
/// Mean over N of -sum_c labels * log_softmax(logits), for float labels [N, C] (one-hot or soft).
Tensor softmax_cross_entropy(const Tensor &logits, const Tensor &labels,
                             Where where = Where::current());
/// TensorFlow's sequence_loss: logits [T, B, C], int32 labels [T, B] and float weights [T, B]
/// (for example a sequence_mask); sum(weights * cross-entropy) / sum(weights).
Tensor sequence_loss(const Tensor &logits, const Tensor &labels, const Tensor &weights,
                     Where where = Where::current());
/// Mean over all entries of the binary cross-entropy of sigmoid(logits) against float targets
/// in [0, 1], computed stably from the logits (PyTorch's BCEWithLogitsLoss).
Tensor sigmoid_cross_entropy(const Tensor &logits, const Tensor &targets,
                             Where where = Where::current());

/// One time step of scan(): the next carried state and this step's outputs.
struct ScanStep {
  std::vector<Tensor> carried;
  std::vector<Tensor> outputs;
};

/// Records a loop over `steps` time steps. `body` is called once, with the carried state and
/// one step [B, ...] of each sequence [steps, B, ...], and records one step. Returns the final
/// carried state, then each per-step output stacked to [steps, ...]. With `reverse`, steps run
/// from last to first and outputs stay at the position of their step.
std::vector<Tensor> scan(int64_t steps, const std::vector<Tensor> &initial,
                         const std::vector<Tensor> &sequences,
                         const std::function<ScanStep(const std::vector<Tensor> &state,
                                                      const std::vector<Tensor> &slices)> &body,
                         bool reverse = false, Where where = Where::current());

} // namespace loom::dsl
