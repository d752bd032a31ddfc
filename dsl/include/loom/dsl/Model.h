// Loom's model DSL: executing a model definition records it as a loom-dialect MLIR module.
// Misuse throws loom::dsl::ModelError naming the layer, the shapes and the source line.
#pragma once

#include <cstdint>
#include <memory>
#include <source_location>
#include <stdexcept>
#include <string>
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

/// How a parameter starts before training (PyTorch's defaults per layer).
struct Initializer {
  std::string kind = "zeros"; // zeros, ones, uniform, glorot_uniform
  double scale = 0.0;         // bound of U(-scale, scale) for "uniform"
  static Initializer zeros() { return {"zeros", 0.0}; }
  static Initializer uniform(double bound) { return {"uniform", bound}; }
  static Initializer glorot_uniform() { return {"glorot_uniform", 0.0}; }
};

/// Adam with PyTorch semantics (epsilon added to the square root of the corrected second moment).
struct Adam {
  double learning_rate = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
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
               std::source_location where = std::source_location::current());
  /// An int32 input (class labels, token ids).
  Tensor integer_input(const std::string &name, Shape shape,
                       std::source_location where = std::source_location::current());
  /// A trainable parameter, saved in the model's parameter file under `name`.
  Tensor parameter(const std::string &name, Shape shape, Initializer init,
                   std::source_location where = std::source_location::current());
  /// A tensor filled with one value.
  Tensor constant(Shape shape, float value,
                  std::source_location where = std::source_location::current());

  void output(const std::string &name, const Tensor &value,
              std::source_location where = std::source_location::current());
  /// The scalar that training minimizes; train_step() returns it.
  void minimize(const Tensor &loss, Adam optimizer,
                std::source_location where = std::source_location::current());

  bool has_loss() const { return has_loss_; }
  /// True while a layer is recording its ops (errors then name that layer).
  bool in_layer() const { return !layer_.empty(); }
  const Adam &optimizer() const { return optimizer_; }

  mlir::MLIRContext &context();
  mlir::ModuleOp module();

  /// Scope for the layer whose ops are being recorded: names the layer in errors and locations.
  class LayerScope {
  public:
    LayerScope(Model &model, std::string layer, std::string kind, std::source_location where);
    ~LayerScope();
    LayerScope(const LayerScope &) = delete;
    LayerScope &operator=(const LayerScope &) = delete;

  private:
    Model &model_;
    std::string saved_layer_, saved_kind_;
    std::source_location saved_where_;
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
  Adam optimizer_;
  std::string layer_, kind_;
  std::source_location where_;
};

//===----------------------------------------------------------------------===//
// Ops: thin functions over single loom ops, for custom layers and heads
//===----------------------------------------------------------------------===//

using Where = std::source_location;

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
Tensor slice(const Tensor &x, int64_t axis, int64_t start, int64_t size,
             Where where = Where::current());
/// The same elements, row-major, in another static shape with the same element count.
Tensor reshape(const Tensor &x, Shape shape, Where where = Where::current());
/// [M, N] -> [N, M].
Tensor transpose(const Tensor &x, Where where = Where::current());
Tensor reduce_sum(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor reduce_mean(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor reduce_max(const Tensor &x, std::vector<int64_t> axes, Where where = Where::current());
Tensor softmax(const Tensor &logits, Where where = Where::current());
Tensor log_softmax(const Tensor &logits, Where where = Where::current());
/// int32 index of the largest entry along the last axis.
Tensor argmax(const Tensor &x, Where where = Where::current());
/// Mean cross-entropy of softmax(logits [N, C]) against int32 labels [N].
Tensor sparse_softmax_cross_entropy(const Tensor &logits, const Tensor &labels,
                                    Where where = Where::current());

} // namespace loom::dsl
