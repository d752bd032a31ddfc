// ONNX's RNN, LSTM and GRU nodes as Loom's recurrent layers. ONNX packs both directions into one
// node and orders the gates differently (LSTM i,o,f,c; GRU z,r,h); Loom's layers follow PyTorch
// (LSTM i,f,g,o; GRU r,z,n), so the weights are reordered here and each direction becomes a layer.
#include "OnnxGraph.h"

#include "loom/dsl/Layers.h"

#include <algorithm>
#include <memory>

namespace loom::importer::detail {
namespace {

struct Cell {
  int64_t gates;
  /// For each of Loom's gate blocks, the ONNX block it comes from.
  std::vector<int64_t> onnx_block;
  /// The activations ONNX applies by default, which are the ones Loom's cell computes.
  std::vector<std::string> activations;
};

Cell cellOf(const std::string &op) {
  if (op == "LSTM")
    return {4, {0, 2, 3, 1}, {"Sigmoid", "Tanh", "Tanh"}};
  if (op == "GRU")
    return {3, {1, 0, 2}, {"Sigmoid", "Tanh"}};
  return {1, {0}, {"Tanh"}};
}

bool sameName(std::string a, std::string b) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return s;
  };
  return lower(std::move(a)) == lower(std::move(b));
}

/// Rows [d][block*H, (block+1)*H) of a [directions, gates*H, columns] weight, for Loom's gate
/// order, as one [gates*H, columns] matrix.
std::vector<float> reorderedRows(const Constant &weight, int64_t direction, const Cell &cell, int64_t hidden,
                                 int64_t columns, int64_t offset = 0) {
  std::vector<float> rows;
  rows.reserve(size_t(cell.gates * hidden * columns));
  const int64_t perDirection = weight.size() / weight.shape[0];
  for (int64_t block : cell.onnx_block) {
    const int64_t first = direction * perDirection + offset + block * hidden * columns;
    rows.insert(rows.end(), weight.floats.begin() + first, weight.floats.begin() + first + hidden * columns);
  }
  return rows;
}

/// The initial state of one direction from an ONNX [directions, B, H] input ([B, directions, H]
/// with `batchMajor`); empty for zeros.
std::optional<dsl::Tensor> initialState(Importer &importer, const onnx::NodeProto &node, int index,
                                        int64_t direction, const dsl::Shape &expected, bool batchMajor) {
  if (!importer.has_input(node, index))
    return std::nullopt;
  const Value &value = importer.input(node, index);
  if (value.integer())
    importer.fail(node, "input " + std::to_string(index) + " (" + (index == 5 ? "initial_h" : "initial_c") +
                            ") must hold floats");
  if (value.shape() != expected)
    importer.fail(node, "input " + std::to_string(index) + " (" + (index == 5 ? "initial_h" : "initial_c") +
                            ") has shape " + shape_string(value.shape()) + ", expected " + shape_string(expected));
  if (value.constant && std::all_of(value.constant->floats.begin(), value.constant->floats.end(),
                                    [](float v) { return v == 0.0f; }))
    return std::nullopt;
  dsl::Tensor all = importer.tensor_input(node, index);
  const int64_t axis = batchMajor ? 1 : 0;
  const dsl::Shape &s = expected;
  return dsl::reshape(dsl::slice(all, axis, direction, 1), {s[size_t(1 - axis)], s[2]});
}

std::unique_ptr<dsl::RecurrentLayer> makeLayer(dsl::Model &model, const std::string &op, const std::string &name,
                                               int64_t hidden, const dsl::RecurrentOptions &options) {
  if (op == "LSTM")
    return std::make_unique<dsl::LSTM>(model, name, hidden, options);
  if (op == "GRU")
    return std::make_unique<dsl::GRU>(model, name, hidden, options);
  return std::make_unique<dsl::SimpleRNN>(model, name, hidden, options);
}

/// [d0, ...] -> [1, d0, ...] at `axis`, for stacking directions.
dsl::Tensor withAxis(const dsl::Tensor &x, size_t axis) {
  dsl::Shape shape = x.shape();
  shape.insert(shape.begin() + long(axis), 1);
  return dsl::reshape(x, shape);
}

} // namespace

void import_recurrent(Importer &importer, const onnx::NodeProto &node) {
  const std::string &op = node.op_type();
  const Cell cell = cellOf(op);

  // What Loom's cells do not compute.
  if (importer.attribute(node, "clip"))
    importer.fail(node, "the 'clip' attribute (cell clipping) is not supported");
  if (importer.int_attribute(node, "input_forget", 0) != 0)
    importer.fail(node, "input_forget=1 (coupled input and forget gates) is not supported");
  if (importer.attribute(node, "activation_alpha") || importer.attribute(node, "activation_beta"))
    importer.fail(node, "activation_alpha and activation_beta are not supported");
  if (op == "LSTM" && importer.has_input(node, 7)) {
    const Constant &peepholes = importer.float_input(node, 7, "P (peepholes)");
    if (std::any_of(peepholes.floats.begin(), peepholes.floats.end(), [](float v) { return v != 0.0f; }))
      importer.fail(node, "peephole connections (input P) are not supported");
  }

  const std::string direction = importer.string_attribute(node, "direction", "forward");
  if (direction != "forward" && direction != "reverse" && direction != "bidirectional")
    importer.fail(node, "direction '" + direction + "' is not one of forward, reverse, bidirectional");
  const int64_t directions = direction == "bidirectional" ? 2 : 1;

  dsl::Activation activation = dsl::Activation::Tanh;
  std::vector<std::string> activations = importer.strings_attribute(node, "activations");
  for (size_t i = 0; i < activations.size(); ++i) {
    const std::string &expected = cell.activations[i % cell.activations.size()];
    if (op == "RNN" && sameName(activations[i], "Relu"))
      activation = dsl::Activation::Relu;
    else if (!sameName(activations[i], expected))
      importer.fail(node, "activation '" + activations[i] + "' is not supported (" + op + " takes " +
                              (op == "RNN" ? std::string("Tanh or Relu") : expected) + " there)");
  }
  if (op == "RNN" && activations.size() == 2 && !sameName(activations[0], activations[1]))
    importer.fail(node, "the two directions use different activations, which Loom's layers do not");

  // X [T, B, I] ([B, T, I] with layout 1), W [directions, gates*H, I], R [directions, gates*H, H],
  // B [directions, 2*gates*H].
  const bool batchMajor = importer.int_attribute(node, "layout", 0) != 0;
  const Value &x = importer.input(node, 0);
  if (x.integer() || x.shape().size() != 3)
    importer.fail(node, std::string("X must be a float sequence ") + (batchMajor ? "[B, T, I]" : "[T, B, I]") +
                            ", got " + shape_string(x.shape()));
  const int64_t steps = x.shape()[batchMajor ? 1 : 0], batch = x.shape()[batchMajor ? 0 : 1], features = x.shape()[2];
  const int64_t hidden = importer.int_attribute(node, "hidden_size", 0);
  if (hidden <= 0 || hidden > (int64_t(1) << 24))
    importer.fail(node, "needs a positive hidden_size attribute, got " + std::to_string(hidden));
  const int64_t rows = cell.gates * hidden;
  const Constant &w = importer.float_input(node, 1, "W");
  const Constant &r = importer.float_input(node, 2, "R");
  if (w.shape != dsl::Shape{directions, rows, features})
    importer.fail(node, "W has shape " + shape_string(w.shape) + ", expected " +
                            shape_string({directions, rows, features}) + " for X " + shape_string(x.shape()));
  if (r.shape != dsl::Shape{directions, rows, hidden})
    importer.fail(node, "R has shape " + shape_string(r.shape) + ", expected " + shape_string({directions, rows, hidden}));
  std::optional<Constant> b;
  if (importer.has_input(node, 3)) {
    b = importer.float_input(node, 3, "B");
    if (b->shape != dsl::Shape{directions, 2 * rows})
      importer.fail(node, "B has shape " + shape_string(b->shape) + ", expected " + shape_string({directions, 2 * rows}));
  }

  std::optional<dsl::Tensor> lengths;
  if (importer.has_input(node, 4)) {
    const Value &value = importer.input(node, 4);
    if (!value.integer() || value.shape() != dsl::Shape{batch})
      importer.fail(node, "sequence_lens must be integers [" + std::to_string(batch) + "], got " +
                              shape_string(value.shape()));
    const bool allFull = value.constant && std::all_of(value.constant->integers.begin(), value.constant->integers.end(),
                                                       [&](int64_t n) { return n == steps; });
    if (!allFull)
      lengths = importer.tensor_input(node, 4);
  }

  dsl::Tensor sequence = importer.tensor_input(node, 0);
  if (batchMajor)
    sequence = dsl::transpose(sequence, {1, 0, 2});
  const dsl::Shape stateShape = batchMajor ? dsl::Shape{batch, directions, hidden} : dsl::Shape{directions, batch, hidden};
  std::vector<dsl::Tensor> ys, hs, cs;
  const std::string layer = importer.layer_name(node);
  for (int64_t d = 0; d < directions; ++d) {
    std::string name = layer;
    if (directions == 2)
      name += d == 0 ? ".forward" : ".backward";
    dsl::RecurrentOptions options;
    options.returns = dsl::Returns::Sequence;
    options.go_backwards = direction == "reverse" || d == 1;
    options.activation = activation;
    if (op == "GRU")
      options.reset_after = importer.int_attribute(node, "linear_before_reset", 0) != 0;

    std::vector<dsl::Tensor> initial;
    std::optional<dsl::Tensor> h0 = initialState(importer, node, 5, d, stateShape, batchMajor);
    std::optional<dsl::Tensor> c0 = op == "LSTM" ? initialState(importer, node, 6, d, stateShape, batchMajor) : std::nullopt;
    if (h0 || c0) {
      dsl::Tensor zeros = importer.model.constant({batch, hidden}, 0.0f);
      initial.push_back(h0.value_or(zeros));
      if (op == "LSTM")
        initial.push_back(c0.value_or(zeros));
    }

    std::unique_ptr<dsl::RecurrentLayer> layer = makeLayer(importer.model, op, name, hidden, options);
    dsl::RecurrentOutputs out = layer->run(sequence, initial, lengths);
    // The layer declared weight_ih, weight_hh, bias_ih, bias_hh in that order.
    importer.add_weight(name + ".weight_ih", {rows, features}, reorderedRows(w, d, cell, hidden, features));
    importer.add_weight(name + ".weight_hh", {rows, hidden}, reorderedRows(r, d, cell, hidden, hidden));
    for (int64_t half = 0; half < 2; ++half)
      importer.add_weight(name + (half == 0 ? ".bias_ih" : ".bias_hh"), {rows},
                          b ? reorderedRows(*b, d, cell, hidden, 1, half * rows) : std::vector<float>(size_t(rows), 0.0f));

    ys.push_back(withAxis(out.sequence, 1));
    hs.push_back(withAxis(out.state[0], 0));
    if (op == "LSTM")
      cs.push_back(withAxis(out.state[1], 0));
  }
  // Y [T, directions, B, H], Y_h and Y_c [directions, B, H]; with layout 1, Y [B, T, directions, H]
  // and the states [B, directions, H].
  auto stacked = [&](const std::vector<dsl::Tensor> &parts, int64_t axis, std::vector<int64_t> batchMajorOrder) {
    dsl::Tensor joined = parts.size() == 1 ? parts[0] : dsl::concat(parts, axis);
    return Value{std::nullopt, batchMajor ? dsl::transpose(joined, batchMajorOrder) : joined};
  };
  auto used = [&](int index) { return index < node.output_size() && !node.output(index).empty(); };
  if (used(0))
    importer.define_output(node, 0, stacked(ys, 1, {2, 0, 1, 3}));
  if (used(1))
    importer.define_output(node, 1, stacked(hs, 0, {1, 0, 2}));
  if (used(2) && op == "LSTM")
    importer.define_output(node, 2, stacked(cs, 0, {1, 0, 2}));
}

} // namespace loom::importer::detail
