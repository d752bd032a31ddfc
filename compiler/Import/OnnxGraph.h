// What the ONNX importer's files share: the values of the graph as the importer sees them (a
// constant it can fold, or a tensor of the Loom model being recorded) and the state of the walk.
#pragma once

#include "OnnxImport.h"

#include <onnx/onnx_pb.h>

#include <functional>
#include <optional>
#include <set>

namespace loom::importer::detail {

/// A tensor whose values the importer knows: an initializer, a Constant node, or a shape
/// computation folded at import time. Values are row-major; integers are kept as int64.
struct Constant {
  dsl::Shape shape;
  bool integer = false;
  std::vector<float> floats;
  std::vector<int64_t> integers;
  /// The graph initializer it is, if any: a float initializer that reaches a Loom op becomes a
  /// parameter (a weight), every other constant a constant of the model.
  std::string initializer;

  int64_t size() const { return integer ? int64_t(integers.size()) : int64_t(floats.size()); }
  double at(int64_t i) const { return integer ? double(integers[size_t(i)]) : double(floats[size_t(i)]); }
  static Constant of_integers(dsl::Shape shape, std::vector<int64_t> values);
  static Constant of_floats(dsl::Shape shape, std::vector<float> values);
};

/// One value of the graph: a constant, or a tensor of the model.
struct Value {
  std::optional<Constant> constant;
  std::optional<dsl::Tensor> tensor;

  const dsl::Shape &shape() const { return constant ? constant->shape : tensor->shape(); }
  bool integer() const { return constant ? constant->integer : tensor->is_integer(); }
};

/// "[2, 3]".
std::string shape_string(const dsl::Shape &shape);
/// `axis` in [-rank, rank) as an index in [0, rank); throws OnnxError naming `what` otherwise.
int64_t normalize_axis(int64_t axis, int64_t rank, const std::string &what);

/// Walks one graph: holds its values, the weights of the parameters it declared, and the model.
class Importer {
public:
  Importer(dsl::Model &model, int64_t opset) : model(model), opset(opset) {}

  dsl::Model &model;
  /// The version of the default ONNX operator set the file uses (semantics changed with it).
  const int64_t opset;
  std::vector<NamedTensor> weights;

  // Values.
  void define(const std::string &name, Value value);
  const Value &value(const std::string &name) const;
  /// The node's input `index`; fails unless the node has it (an empty name is an absent input).
  const Value &input(const onnx::NodeProto &node, int index) const;
  bool has_input(const onnx::NodeProto &node, int index) const;
  /// An input whose values must be known at import time (a shape, axes); `what` names it.
  const Constant &constant_input(const onnx::NodeProto &node, int index, const std::string &what) const;
  /// The same, refused unless its values are integers (sizes, axes, indices).
  const std::vector<int64_t> &integer_input(const onnx::NodeProto &node, int index, const std::string &what) const;
  /// The same, refused unless its values are floats (weights).
  const Constant &float_input(const onnx::NodeProto &node, int index, const std::string &what) const;
  /// An input as a tensor of the model: a float initializer becomes a parameter of that name,
  /// another constant a constant of the model.
  dsl::Tensor tensor_input(const onnx::NodeProto &node, int index);
  /// A constant as a tensor of the model (see tensor_input).
  dsl::Tensor tensor_of(const Constant &constant, const onnx::NodeProto &node);
  /// Defines the node's output `index` (skipped when the node leaves it unnamed).
  void define_output(const onnx::NodeProto &node, int index, Value value);

  // Attributes.
  const onnx::AttributeProto *attribute(const onnx::NodeProto &node, const std::string &name) const;
  int64_t int_attribute(const onnx::NodeProto &node, const std::string &name, int64_t otherwise) const;
  float float_attribute(const onnx::NodeProto &node, const std::string &name, float otherwise) const;
  std::string string_attribute(const onnx::NodeProto &node, const std::string &name,
                               const std::string &otherwise) const;
  std::vector<int64_t> ints_attribute(const onnx::NodeProto &node, const std::string &name) const;
  std::vector<std::string> strings_attribute(const onnx::NodeProto &node, const std::string &name) const;

  /// Declares a parameter holding `values` (already in Loom's layout) and records its weight.
  dsl::Tensor parameter(const std::string &name, const dsl::Shape &shape, std::vector<float> values);
  /// Records the weight of a parameter a DSL layer declared.
  void add_weight(const std::string &name, const dsl::Shape &shape, std::vector<float> values);
  /// A unique name for the node's layer, from the node's name ("/lstm/LSTM_1" -> "lstm.LSTM_1").
  std::string layer_name(const onnx::NodeProto &node);

  /// Throws OnnxError: "node '<name>' (<op>): <message>".
  [[noreturn]] void fail(const onnx::NodeProto &node, const std::string &message) const;

private:
  std::map<std::string, Value> values_;
  std::map<std::string, dsl::Tensor> parameters_; // by initializer name
  std::set<std::string> layer_names_;
};

/// Converts an ONNX TensorProto (an initializer or a Constant's value) into a Constant.
Constant read_tensor(const onnx::TensorProto &tensor, const std::string &what);

/// Loom's name for an ONNX name: [A-Za-z0-9_.] kept, anything else '_', no leading digit or dot.
std::string loom_name(const std::string &onnx_name, bool identifier);
/// loom_name's, with "_2", "_3", ... until it is not in `taken`, to which it is added.
std::string unique_name(const std::string &onnx_name, bool identifier, std::set<std::string> &taken);

/// Converts one node into values of the graph.
using Converter = void (*)(Importer &importer, const onnx::NodeProto &node);

/// Every imported operator's converter, by ONNX operator name (OnnxOperators.cpp).
const std::map<std::string, Converter> &converters();

/// Converts one RNN, LSTM or GRU node (OnnxRecurrent.cpp).
void import_recurrent(Importer &importer, const onnx::NodeProto &node);

} // namespace loom::importer::detail
