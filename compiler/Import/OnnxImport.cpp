// The ONNX importer's walk over a graph: initializers and inputs first, then every node in the
// file's (topological) order, then the outputs. The operators themselves are in
// OnnxOperators.cpp and OnnxRecurrent.cpp.
#include "OnnxGraph.h"

#include "loom/runtime/errors.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>

namespace loom::importer {
namespace detail {

Constant Constant::of_integers(dsl::Shape shape, std::vector<int64_t> values) {
  Constant c;
  c.shape = std::move(shape);
  c.integer = true;
  c.integers = std::move(values);
  return c;
}

Constant Constant::of_floats(dsl::Shape shape, std::vector<float> values) {
  Constant c;
  c.shape = std::move(shape);
  c.floats = std::move(values);
  return c;
}

std::string shape_string(const dsl::Shape &shape) { return dsl::to_string(shape); }

int64_t normalize_axis(int64_t axis, int64_t rank, const std::string &what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1))
    throw OnnxError(what + " " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  return axis < 0 ? axis + rank : axis;
}

std::string loom_name(const std::string &onnx_name, bool identifier) {
  std::string name;
  for (char c : onnx_name) {
    const bool kept = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (!identifier && c == '.');
    name += kept ? c : (!identifier && c == '/') ? '.' : '_';
  }
  while (!name.empty() && name.front() == '.')
    name.erase(name.begin());
  while (!name.empty() && name.back() == '.')
    name.pop_back();
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())))
    name = "_" + name;
  return name;
}

std::string unique_name(const std::string &onnx_name, bool identifier, std::set<std::string> &taken) {
  const std::string base = loom_name(onnx_name, identifier);
  std::string name = base;
  for (int suffix = 2; taken.count(name); ++suffix)
    name = base + "_" + std::to_string(suffix);
  taken.insert(name);
  return name;
}

namespace {

enum DataType : int {
  kFloat = onnx::TensorProto::FLOAT,
  kDouble = onnx::TensorProto::DOUBLE,
  kInt32 = onnx::TensorProto::INT32,
  kInt64 = onnx::TensorProto::INT64,
  kInt8 = onnx::TensorProto::INT8,
  kUint8 = onnx::TensorProto::UINT8,
  kInt16 = onnx::TensorProto::INT16,
  kBool = onnx::TensorProto::BOOL,
};

/// Little-endian values of type T from raw_data.
template <typename T> std::vector<T> rawValues(const std::string &raw) {
  std::vector<T> values(raw.size() / sizeof(T));
  std::memcpy(values.data(), raw.data(), values.size() * sizeof(T));
  return values;
}

} // namespace

Constant read_tensor(const onnx::TensorProto &tensor, const std::string &what) {
  if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
    throw OnnxError(what + " keeps its data in an external file, which Loom does not read; save the model "
                           "with its tensors inside (onnx.save_model(..., save_as_external_data=False))");
  Constant c;
  c.shape.assign(tensor.dims().begin(), tensor.dims().end());
  const int64_t count = element_count(c.shape); // a loom::Error for negative sizes
  const bool raw = tensor.has_raw_data();
  switch (tensor.data_type()) {
  case kFloat:
    c.floats = raw ? rawValues<float>(tensor.raw_data()) : std::vector<float>(tensor.float_data().begin(), tensor.float_data().end());
    break;
  case kDouble: {
    std::vector<double> values =
        raw ? rawValues<double>(tensor.raw_data()) : std::vector<double>(tensor.double_data().begin(), tensor.double_data().end());
    c.floats.assign(values.begin(), values.end());
    break;
  }
  case kInt64:
    c.integer = true;
    c.integers = raw ? rawValues<int64_t>(tensor.raw_data())
                     : std::vector<int64_t>(tensor.int64_data().begin(), tensor.int64_data().end());
    break;
  case kInt32:
  case kInt16:
  case kInt8:
  case kUint8:
  case kBool:
    c.integer = true;
    if (!raw) {
      c.integers.assign(tensor.int32_data().begin(), tensor.int32_data().end());
    } else if (tensor.data_type() == kInt32) {
      std::vector<int32_t> values = rawValues<int32_t>(tensor.raw_data());
      c.integers.assign(values.begin(), values.end());
    } else if (tensor.data_type() == kInt16) {
      std::vector<int16_t> values = rawValues<int16_t>(tensor.raw_data());
      c.integers.assign(values.begin(), values.end());
    } else if (tensor.data_type() == kInt8) {
      std::vector<int8_t> values = rawValues<int8_t>(tensor.raw_data());
      c.integers.assign(values.begin(), values.end());
    } else {
      std::vector<uint8_t> values = rawValues<uint8_t>(tensor.raw_data());
      c.integers.assign(values.begin(), values.end());
    }
    break;
  default:
    throw OnnxError(what + " has ONNX element type " + std::to_string(tensor.data_type()) +
                    " (" + onnx::TensorProto::DataType_Name(tensor.data_type()) +
                    "); Loom imports float, double and integer tensors");
  }
  if (c.size() != count)
    throw OnnxError(what + " has " + std::to_string(c.size()) + " values for shape " + shape_string(c.shape) +
                    " (the file is damaged)");
  return c;
}

//===----------------------------------------------------------------------===//
// Importer
//===----------------------------------------------------------------------===//

void Importer::define(const std::string &name, Value value) { values_[name] = std::move(value); }

const Value &Importer::value(const std::string &name) const {
  auto found = values_.find(name);
  if (found == values_.end())
    throw OnnxError("value '" + name + "' is used before any node, input or initializer defines it");
  return found->second;
}

bool Importer::has_input(const onnx::NodeProto &node, int index) const {
  return index < node.input_size() && !node.input(index).empty();
}

const Value &Importer::input(const onnx::NodeProto &node, int index) const {
  if (!has_input(node, index))
    fail(node, "needs input " + std::to_string(index));
  auto found = values_.find(node.input(index));
  if (found == values_.end())
    fail(node, "input " + std::to_string(index) + " '" + node.input(index) +
                   "' is not defined by an earlier node, a graph input or an initializer");
  return found->second;
}

const Constant &Importer::constant_input(const onnx::NodeProto &node, int index, const std::string &what) const {
  const Value &v = input(node, index);
  if (!v.constant)
    fail(node, what + " (input " + std::to_string(index) + ") must be known when the model is compiled (an "
                      "initializer or a constant), but it is computed from the model's inputs");
  return *v.constant;
}

const std::vector<int64_t> &Importer::integer_input(const onnx::NodeProto &node, int index,
                                                    const std::string &what) const {
  const Constant &c = constant_input(node, index, what);
  if (!c.integer)
    fail(node, what + " (input " + std::to_string(index) + ") must hold integers");
  return c.integers;
}

const Constant &Importer::float_input(const onnx::NodeProto &node, int index, const std::string &what) const {
  const Constant &c = constant_input(node, index, what);
  if (c.integer)
    fail(node, what + " (input " + std::to_string(index) + ") must hold floats");
  return c;
}

dsl::Tensor Importer::tensor_input(const onnx::NodeProto &node, int index) {
  const Value &v = input(node, index);
  return v.tensor ? *v.tensor : tensor_of(*v.constant, node);
}

dsl::Tensor Importer::tensor_of(const Constant &constant, const onnx::NodeProto &node) {
  if (constant.integer) {
    const bool uniform = std::all_of(constant.integers.begin(), constant.integers.end(),
                                     [&](int64_t v) { return v == constant.integers.front(); });
    if (constant.integers.empty() || !uniform)
      fail(node, "uses integer constants " + shape_string(constant.shape) +
                     " as a tensor of the model, which Loom supports only when every value is the same");
    return model.integer_constant(constant.shape, int32_t(constant.integers.front()));
  }
  if (constant.initializer.empty())
    return model.constant(constant.shape, constant.floats);
  auto found = parameters_.find(constant.initializer);
  if (found != parameters_.end())
    return found->second;
  const std::string name = unique_name(constant.initializer, /*identifier=*/false, layer_names_);
  dsl::Tensor tensor = parameter(name, constant.shape, constant.floats);
  parameters_.emplace(constant.initializer, tensor);
  return tensor;
}

void Importer::define_output(const onnx::NodeProto &node, int index, Value value) {
  if (index < node.output_size() && !node.output(index).empty())
    define(node.output(index), std::move(value));
}

const onnx::AttributeProto *Importer::attribute(const onnx::NodeProto &node, const std::string &name) const {
  for (const onnx::AttributeProto &a : node.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

int64_t Importer::int_attribute(const onnx::NodeProto &node, const std::string &name, int64_t otherwise) const {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? a->i() : otherwise;
}

float Importer::float_attribute(const onnx::NodeProto &node, const std::string &name, float otherwise) const {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? a->f() : otherwise;
}

std::string Importer::string_attribute(const onnx::NodeProto &node, const std::string &name,
                                       const std::string &otherwise) const {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? a->s() : otherwise;
}

std::vector<int64_t> Importer::ints_attribute(const onnx::NodeProto &node, const std::string &name) const {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : std::vector<int64_t>{};
}

std::vector<std::string> Importer::strings_attribute(const onnx::NodeProto &node, const std::string &name) const {
  const onnx::AttributeProto *a = attribute(node, name);
  return a ? std::vector<std::string>(a->strings().begin(), a->strings().end()) : std::vector<std::string>{};
}

dsl::Tensor Importer::parameter(const std::string &name, const dsl::Shape &shape, std::vector<float> values) {
  dsl::Tensor tensor = model.parameter(name, shape, dsl::Initializer::zeros());
  add_weight(name, shape, std::move(values));
  return tensor;
}

void Importer::add_weight(const std::string &name, const dsl::Shape &shape, std::vector<float> values) {
  weights.push_back({name, Tensor(shape, values)});
}

std::string Importer::layer_name(const onnx::NodeProto &node) {
  return unique_name(node.name().empty() ? node.op_type() : node.name(), /*identifier=*/false, layer_names_);
}

void Importer::fail(const onnx::NodeProto &node, const std::string &message) const {
  throw OnnxError("node '" + node.name() + "' (" + node.op_type() + "): " + message);
}

} // namespace detail

//===----------------------------------------------------------------------===//
// import_onnx
//===----------------------------------------------------------------------===//

namespace {

using namespace detail;

/// A DSL error's message without the source line it names: the importer's, which says nothing
/// about the ONNX file.
std::string withoutSourceLine(const dsl::ModelError &error) {
  return std::regex_replace(error.what(), std::regex("^[^ ]*:[0-9]+: "), "");
}

onnx::ModelProto readModel(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw OnnxError("cannot open '" + path + "': " + describe_errno(errno));
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&file) || !model.has_graph())
    throw OnnxError("'" + path + "' is not an ONNX model (it does not parse as an ONNX ModelProto with a graph)");
  return model;
}

int64_t defaultOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &set : model.opset_import())
    if (set.domain().empty() || set.domain() == "ai.onnx")
      return set.version();
  throw OnnxError("the model does not import the default ONNX operator set (ai.onnx)");
}

/// A graph input's static shape: its ONNX shape, or the one the options give.
dsl::Shape inputShape(const onnx::ValueInfoProto &input, const OnnxOptions &options) {
  auto given = options.input_shapes.find(input.name());
  const onnx::TensorShapeProto &shape = input.type().tensor_type().shape();
  if (given != options.input_shapes.end()) {
    if (input.type().tensor_type().has_shape() && shape.dim_size() != int(given->second.size()))
      throw OnnxError("input '" + input.name() + "' has rank " + std::to_string(shape.dim_size()) + " but --shape gives " +
                      shape_string(given->second));
    return given->second;
  }
  if (!input.type().tensor_type().has_shape())
    throw OnnxError("input '" + input.name() + "' has no shape in the file; give it with --shape " + input.name() + "=D0xD1...");
  dsl::Shape sizes;
  std::string described;
  bool symbolic = false;
  for (const onnx::TensorShapeProto::Dimension &d : shape.dim()) {
    symbolic |= !d.has_dim_value() || d.dim_value() <= 0;
    sizes.push_back(d.has_dim_value() ? d.dim_value() : -1);
    described += (described.empty() ? "" : ", ") + (d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param().empty() ? "?" : d.dim_param());
  }
  if (symbolic)
    throw OnnxError("input '" + input.name() + "' has shape [" + described + "] with sizes fixed only at run time; "
                    "Loom compiles static shapes: give them with --shape " + input.name() + "=D0xD1...");
  return sizes;
}

OnnxImport importGraph(const std::string &path, dsl::Model &model, const OnnxOptions &options) {
  const onnx::ModelProto proto = readModel(path);
  const onnx::GraphProto &graph = proto.graph();
  Importer importer(model, defaultOpset(proto));
  OnnxImport result;

  std::set<std::string> initializers;
  for (const onnx::TensorProto &tensor : graph.initializer()) {
    Constant constant = read_tensor(tensor, "initializer '" + tensor.name() + "'");
    constant.initializer = tensor.name();
    importer.define(tensor.name(), Value{std::move(constant), std::nullopt});
    initializers.insert(tensor.name());
  }

  std::set<std::string> inputNames, outputNames;
  for (const auto &given : options.input_shapes) {
    const std::string &name = given.first;
    const bool known = std::any_of(graph.input().begin(), graph.input().end(),
                                   [&](const onnx::ValueInfoProto &input) { return input.name() == name; });
    if (!known || initializers.count(name))
      throw OnnxError("--shape names '" + name + "', which is not an input of the model");
  }
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializers.count(input.name()))
      continue; // older exporters list initializers among the inputs
    if (!input.type().has_tensor_type())
      throw OnnxError("input '" + input.name() + "' is not a tensor; Loom imports tensor inputs");
    const dsl::Shape shape = inputShape(input, options);
    const std::string name = unique_name(input.name(), /*identifier=*/true, inputNames);
    const int type = input.type().tensor_type().elem_type();
    dsl::Tensor tensor;
    if (type == kFloat || type == kDouble)
      tensor = model.input(name, shape);
    else if (type == kInt64 || type == kInt32)
      tensor = model.integer_input(name, shape);
    else
      throw OnnxError("input '" + input.name() + "' has element type " + onnx::TensorProto::DataType_Name(type) +
                      "; Loom's inputs are float (as float32) or integer (as int32)");
    importer.define(input.name(), Value{std::nullopt, tensor});
    result.inputs.push_back({input.name(), name});
  }

  const auto &table = converters();
  for (const onnx::NodeProto &node : graph.node()) {
    const std::string op = node.domain().empty() || node.domain() == "ai.onnx" ? node.op_type()
                                                                                : node.domain() + "::" + node.op_type();
    auto converter = table.find(op);
    if (converter == table.end())
      throw OnnxError("unsupported ONNX operator '" + op + "' (node '" + node.name() + "'); Loom imports " + kOnnxOperators);
    try {
      converter->second(importer, node);
    } catch (const dsl::ModelError &error) {
      importer.fail(node, withoutSourceLine(error));
    }
  }

  for (const onnx::ValueInfoProto &output : graph.output()) {
    const Value &value = importer.value(output.name());
    const std::string name = unique_name(output.name(), /*identifier=*/true, outputNames);
    onnx::NodeProto none;
    none.set_name(output.name());
    none.set_op_type("output");
    model.output(name, value.tensor ? *value.tensor : importer.tensor_of(*value.constant, none));
    result.outputs.push_back({output.name(), name});
  }
  result.weights = std::move(importer.weights);
  return result;
}

} // namespace

OnnxImport import_onnx(const std::string &path, dsl::Model &model, const OnnxOptions &options) {
  try {
    return importGraph(path, model, options);
  } catch (const dsl::ModelError &error) {
    // An input or output the DSL refuses (a node's own errors name the node).
    throw OnnxError(withoutSourceLine(error));
  }
}

const char *const kOnnxOperators =
    "RNN, LSTM, GRU, Gemm, MatMul, Add, Sub, Mul, Div, Relu, Tanh, Sigmoid, Exp, Log, Sqrt, Softmax, "
    "LogSoftmax, Gather, Reshape, Flatten, Squeeze, Unsqueeze, Concat, Slice, Transpose, Expand, Shape, "
    "Constant, ConstantOfShape, Cast, Identity, Dropout";

} // namespace loom::importer
