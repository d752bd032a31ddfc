// ONNX operators other than the recurrent ones. Each converter folds what it can at import time
// (exporters compute shapes with Shape, Gather, Unsqueeze and Concat nodes, which Loom's static
// shapes make constant) and records Loom ops for the rest.
#include "OnnxGraph.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace loom::importer::detail {
namespace {

using Node = onnx::NodeProto;
using Index = std::vector<int64_t>;

/// The largest constant the importer computes (shape arithmetic and small tables are far smaller).
constexpr int64_t kMaxFoldedElements = int64_t(1) << 24;

//===----------------------------------------------------------------------===//
// Folding helpers
//===----------------------------------------------------------------------===//

Index stridesOf(const dsl::Shape &shape) {
  Index strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// A constant of `shape` whose element at each index is `source`'s element at offset
/// `sourceOffset(index)`: the one loop behind every data-movement fold.
Constant remap(const Constant &source, const dsl::Shape &shape, const std::function<int64_t(const Index &)> &sourceOffset) {
  Constant out;
  out.shape = shape;
  out.integer = source.integer;
  const int64_t count = element_count(shape);
  if (count > kMaxFoldedElements)
    throw OnnxError("folding a constant of shape " + shape_string(shape) + " (" + std::to_string(count) +
                    " elements) at import time is more than Loom does (at most " + std::to_string(kMaxFoldedElements) + ")");
  Index index(shape.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t from = sourceOffset(index);
    if (source.integer)
      out.integers.push_back(source.integers[size_t(from)]);
    else
      out.floats.push_back(source.floats[size_t(from)]);
    for (size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

Constant reshaped(Constant c, dsl::Shape shape) {
  c.shape = std::move(shape);
  c.initializer.clear();
  return c;
}

/// numpy broadcasting of two shapes; fails the node when they do not broadcast.
dsl::Shape broadcastShape(Importer &importer, const Node &node, const dsl::Shape &a, const dsl::Shape &b) {
  dsl::Shape out(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < out.size(); ++i) {
    const int64_t da = i < out.size() - a.size() ? 1 : a[i - (out.size() - a.size())];
    const int64_t db = i < out.size() - b.size() ? 1 : b[i - (out.size() - b.size())];
    if (da != db && da != 1 && db != 1)
      importer.fail(node, "shapes " + shape_string(a) + " and " + shape_string(b) + " do not broadcast");
    out[i] = std::max(da, db);
  }
  return out;
}

/// The offset in a tensor of `shape` of the element that broadcasting maps to `index` of the
/// (larger or equal) broadcast shape.
int64_t broadcastOffset(const dsl::Shape &shape, const Index &index) {
  const size_t lead = index.size() - shape.size();
  int64_t offset = 0;
  for (size_t d = 0; d < shape.size(); ++d)
    offset = offset * shape[d] + (shape[d] == 1 ? 0 : index[lead + d]);
  return offset;
}

Constant broadcastConstant(const Constant &c, const dsl::Shape &shape) {
  return remap(c, shape, [&](const Index &index) { return broadcastOffset(c.shape, index); });
}

/// A tensor of the model broadcast to `shape` (numpy rules): size-1 and missing leading axes
/// are repeated.
dsl::Tensor broadcastTensor(const dsl::Tensor &x, const dsl::Shape &shape) {
  if (x.shape() == shape)
    return x;
  const size_t lead = shape.size() - x.shape().size();
  dsl::Shape kept;
  std::vector<int64_t> newAxes;
  for (size_t d = 0; d < shape.size(); ++d) {
    const bool repeated = d < lead || (x.shape()[d - lead] == 1 && shape[d] != 1);
    if (repeated)
      newAxes.push_back(int64_t(d));
    else
      kept.push_back(shape[d]);
  }
  dsl::Tensor core = kept == x.shape() ? x : dsl::reshape(x, kept);
  return newAxes.empty() ? core : dsl::broadcast(core, newAxes, shape);
}

/// The axes a node takes from its `axes` attribute (before `sinceOpset`) or its input `index`.
std::vector<int64_t> axesOf(Importer &importer, const Node &node, int64_t sinceOpset, int index) {
  if (importer.opset < sinceOpset)
    return importer.ints_attribute(node, "axes");
  if (!importer.has_input(node, index))
    return {};
  return importer.integer_input(node, index, "axes");
}

/// Defines output 0 as `shape`'s reshape of input 0: folded for a constant, a reshape otherwise.
void defineReshaped(Importer &importer, const Node &node, const dsl::Shape &shape) {
  const Value &x = importer.input(node, 0);
  if (element_count(shape) != element_count(x.shape()))
    importer.fail(node, "cannot reshape " + shape_string(x.shape()) + " to " + shape_string(shape));
  if (x.constant)
    importer.define_output(node, 0, {reshaped(*x.constant, shape), std::nullopt});
  else
    importer.define_output(node, 0, {std::nullopt, shape == x.shape() ? *x.tensor : dsl::reshape(*x.tensor, shape)});
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

void constant(Importer &importer, const Node &node) {
  Constant c;
  if (const onnx::AttributeProto *value = importer.attribute(node, "value"))
    c = read_tensor(value->t(), "node '" + node.name() + "' (Constant)");
  else if (const onnx::AttributeProto *f = importer.attribute(node, "value_float"))
    c = Constant::of_floats({}, {f->f()});
  else if (const onnx::AttributeProto *fs = importer.attribute(node, "value_floats"))
    c = Constant::of_floats({int64_t(fs->floats_size())}, {fs->floats().begin(), fs->floats().end()});
  else if (const onnx::AttributeProto *i = importer.attribute(node, "value_int"))
    c = Constant::of_integers({}, {i->i()});
  else if (const onnx::AttributeProto *is = importer.attribute(node, "value_ints"))
    c = Constant::of_integers({int64_t(is->ints_size())}, {is->ints().begin(), is->ints().end()});
  else
    importer.fail(node, "has no value Loom reads (value, value_float(s) or value_int(s))");
  importer.define_output(node, 0, {std::move(c), std::nullopt});
}

void identity(Importer &importer, const Node &node) { importer.define_output(node, 0, importer.input(node, 0)); }

void shape(Importer &importer, const Node &node) {
  const dsl::Shape &s = importer.input(node, 0).shape();
  const int64_t rank = int64_t(s.size());
  int64_t start = importer.int_attribute(node, "start", 0), end = importer.int_attribute(node, "end", rank);
  start = std::clamp(start < 0 ? start + rank : start, int64_t(0), rank);
  end = std::clamp(end < 0 ? end + rank : end, int64_t(0), rank);
  Index sizes(s.begin() + start, s.begin() + std::max(start, end));
  importer.define_output(node, 0, {Constant::of_integers({int64_t(sizes.size())}, sizes), std::nullopt});
}

void constantOfShape(Importer &importer, const Node &node) {
  const std::vector<int64_t> &shape = importer.integer_input(node, 0, "shape");
  Constant fill = Constant::of_floats({1}, {0.0f});
  if (const onnx::AttributeProto *value = importer.attribute(node, "value"))
    fill = read_tensor(value->t(), "node '" + node.name() + "' (ConstantOfShape)");
  if (fill.size() != 1)
    importer.fail(node, "its value must be one element, got " + shape_string(fill.shape));
  importer.define_output(node, 0, {broadcastConstant(reshaped(fill, {}), shape), std::nullopt});
}

void cast(Importer &importer, const Node &node) {
  const Value &x = importer.input(node, 0);
  const int64_t to = importer.int_attribute(node, "to", onnx::TensorProto::FLOAT);
  const bool toInteger = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE;
  if (x.constant) {
    Constant c = *x.constant;
    c.initializer.clear();
    if (toInteger && !c.integer) {
      Index values;
      for (float v : c.floats) {
        if (!(std::abs(v) < 0x1p62f))
          importer.fail(node, "casts " + std::to_string(v) + " to an integer");
        values.push_back(int64_t(v));
      }
      c = Constant::of_integers(c.shape, values);
    }
    else if (!toInteger && c.integer)
      c = Constant::of_floats(c.shape, std::vector<float>(c.integers.begin(), c.integers.end()));
    importer.define_output(node, 0, {std::move(c), std::nullopt});
    return;
  }
  if (toInteger != x.integer())
    importer.fail(node, std::string("casts a tensor of the model from ") + (x.integer() ? "integers to floats" : "floats to integers") +
                            ", which Loom does not import");
  importer.define_output(node, 0, x);
}

void reshape(Importer &importer, const Node &node) {
  const dsl::Shape &in = importer.input(node, 0).shape();
  const std::vector<int64_t> &requested = importer.integer_input(node, 1, "shape");
  const bool allowZero = importer.int_attribute(node, "allowzero", 0) != 0;
  dsl::Shape out;
  int64_t inferred = -1;
  for (size_t d = 0; d < requested.size(); ++d) {
    int64_t size = requested[d];
    if (size == 0 && !allowZero) {
      if (d >= in.size())
        importer.fail(node, "shape " + shape_string(requested) + " copies axis " + std::to_string(d) +
                                " of " + shape_string(in) + ", which has no such axis");
      size = in[d];
    } else if (size == -1) {
      if (inferred >= 0)
        importer.fail(node, "shape " + shape_string(requested) + " has more than one -1");
      inferred = int64_t(d);
      size = 1;
    }
    out.push_back(size);
  }
  if (inferred >= 0) {
    const int64_t rest = element_count(out);
    if (rest == 0 || element_count(in) % rest != 0)
      importer.fail(node, "cannot reshape " + shape_string(in) + " to " + shape_string(requested));
    out[size_t(inferred)] = element_count(in) / rest;
  }
  defineReshaped(importer, node, out);
}

void flatten(Importer &importer, const Node &node) {
  const dsl::Shape &in = importer.input(node, 0).shape();
  const int64_t axis = normalize_axis(importer.int_attribute(node, "axis", 1), int64_t(in.size()) + 1, "Flatten axis");
  const int64_t outer = element_count(dsl::Shape(in.begin(), in.begin() + axis));
  defineReshaped(importer, node, {outer, element_count(in) / std::max<int64_t>(outer, 1)});
}

void unsqueeze(Importer &importer, const Node &node) {
  dsl::Shape out = importer.input(node, 0).shape();
  std::vector<int64_t> axes = axesOf(importer, node, 13, 1);
  const int64_t rank = int64_t(out.size() + axes.size());
  for (int64_t &axis : axes)
    axis = normalize_axis(axis, rank, "Unsqueeze axis");
  std::sort(axes.begin(), axes.end());
  for (int64_t axis : axes)
    out.insert(out.begin() + axis, 1);
  defineReshaped(importer, node, out);
}

void squeeze(Importer &importer, const Node &node) {
  const dsl::Shape &in = importer.input(node, 0).shape();
  std::vector<int64_t> axes = axesOf(importer, node, 13, 1);
  for (int64_t &axis : axes) {
    axis = normalize_axis(axis, int64_t(in.size()), "Squeeze axis");
    if (in[size_t(axis)] != 1)
      importer.fail(node, "cannot squeeze axis " + std::to_string(axis) + " of " + shape_string(in) + ": its size is not 1");
  }
  dsl::Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    const bool removed = axes.empty() ? in[d] == 1 : std::count(axes.begin(), axes.end(), int64_t(d)) > 0;
    if (!removed)
      out.push_back(in[d]);
  }
  defineReshaped(importer, node, out);
}

void expand(Importer &importer, const Node &node) {
  const Value &x = importer.input(node, 0);
  const dsl::Shape shape = broadcastShape(importer, node, x.shape(), importer.integer_input(node, 1, "shape"));
  if (x.constant)
    importer.define_output(node, 0, {broadcastConstant(*x.constant, shape), std::nullopt});
  else
    importer.define_output(node, 0, {std::nullopt, broadcastTensor(*x.tensor, shape)});
}

void concat(Importer &importer, const Node &node) {
  if (node.input_size() == 0)
    importer.fail(node, "has no inputs");
  const dsl::Shape &first = importer.input(node, 0).shape();
  const int64_t axis = normalize_axis(importer.int_attribute(node, "axis", 0), int64_t(first.size()), "Concat axis");
  std::vector<const Value *> parts;
  bool allConstant = true;
  dsl::Shape shape = first;
  shape[size_t(axis)] = 0;
  for (int i = 0; i < node.input_size(); ++i) {
    const Value &part = importer.input(node, i);
    if (part.integer() != importer.input(node, 0).integer())
      importer.fail(node, "joins integer and float tensors");
    dsl::Shape expected = part.shape();
    if (expected.size() != first.size())
      importer.fail(node, "joins " + shape_string(first) + " and " + shape_string(part.shape()) + " of different ranks");
    expected[size_t(axis)] = first[size_t(axis)];
    if (expected != first)
      importer.fail(node, "joins " + shape_string(first) + " and " + shape_string(part.shape()) + " along axis " +
                              std::to_string(axis) + ", which differ elsewhere");
    if (part.shape()[size_t(axis)] == 0)
      continue; // exporters concatenate empty shape lists
    parts.push_back(&part);
    allConstant &= bool(part.constant);
    shape[size_t(axis)] += part.shape()[size_t(axis)];
  }
  if (allConstant) {
    // Each output index reads the part its position along `axis` falls in.
    Constant joined;
    joined.shape = shape;
    joined.integer = parts.empty() ? true : parts.front()->constant->integer;
    std::vector<Constant> pieces;
    for (const Value *part : parts)
      pieces.push_back(*part->constant);
    const int64_t outer = element_count(dsl::Shape(shape.begin(), shape.begin() + axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const Constant &piece : pieces) {
        const int64_t block = piece.size() / std::max<int64_t>(outer, 1);
        for (int64_t k = 0; k < block; ++k) {
          if (joined.integer)
            joined.integers.push_back(piece.integers[size_t(o * block + k)]);
          else
            joined.floats.push_back(piece.floats[size_t(o * block + k)]);
        }
      }
    importer.define_output(node, 0, {std::move(joined), std::nullopt});
    return;
  }
  std::vector<dsl::Tensor> tensors;
  for (const Value *part : parts)
    tensors.push_back(part->tensor ? *part->tensor : importer.tensor_of(*part->constant, node));
  importer.define_output(node, 0, {std::nullopt, tensors.size() == 1 ? tensors[0] : dsl::concat(tensors, axis)});
}

void transpose(Importer &importer, const Node &node) {
  const Value &x = importer.input(node, 0);
  const dsl::Shape &in = x.shape();
  std::vector<int64_t> perm = importer.ints_attribute(node, "perm");
  if (perm.empty())
    for (size_t d = in.size(); d-- > 0;)
      perm.push_back(int64_t(d));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  Index identity(in.size());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    importer.fail(node, "perm " + shape_string(perm) + " is not a permutation of the axes of " + shape_string(in));
  dsl::Shape out;
  for (int64_t axis : perm)
    out.push_back(in[size_t(axis)]);
  if (x.constant) {
    const Index strides = stridesOf(in);
    importer.define_output(node, 0, {remap(*x.constant, out, [&](const Index &index) {
                                       int64_t offset = 0;
                                       for (size_t d = 0; d < index.size(); ++d)
                                         offset += index[d] * strides[size_t(perm[d])];
                                       return offset;
                                     }),
                                     std::nullopt});
  } else if (perm == identity) {
    importer.define_output(node, 0, x);
  } else {
    importer.define_output(node, 0, {std::nullopt, dsl::transpose(*x.tensor, perm)});
  }
}

void slice(Importer &importer, const Node &node) {
  const Value &x = importer.input(node, 0);
  const dsl::Shape &in = x.shape();
  std::vector<int64_t> starts, ends, axes, steps;
  if (importer.opset < 10) {
    starts = importer.ints_attribute(node, "starts");
    ends = importer.ints_attribute(node, "ends");
    axes = importer.ints_attribute(node, "axes");
  } else {
    starts = importer.integer_input(node, 1, "starts");
    ends = importer.integer_input(node, 2, "ends");
    if (importer.has_input(node, 3))
      axes = importer.integer_input(node, 3, "axes");
    if (importer.has_input(node, 4))
      steps = importer.integer_input(node, 4, "steps");
  }
  if (axes.empty())
    for (size_t d = 0; d < starts.size(); ++d)
      axes.push_back(int64_t(d));
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    importer.fail(node, "starts, ends, axes and steps differ in length");

  // Per axis: the first element and the step, and the result's size.
  Index first(in.size(), 0), step(in.size(), 1);
  dsl::Shape out = in;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t d = size_t(normalize_axis(axes[i], int64_t(in.size()), "Slice axis"));
    const int64_t size = in[d];
    if (steps[i] == 0)
      importer.fail(node, "has step 0");
    // A step longer than the axis selects one element, as the longest one does: no overflow below.
    const int64_t s = std::clamp(steps[i], -size - 1, size + 1);
    const auto clampedStart = std::clamp(starts[i], -size - 1, size + 1), clampedEnd = std::clamp(ends[i], -size - 1, size + 1);
    int64_t begin = clampedStart < 0 ? clampedStart + size : clampedStart;
    int64_t end = clampedEnd < 0 ? clampedEnd + size : clampedEnd;
    if (s > 0) {
      begin = std::clamp(begin, int64_t(0), size);
      end = std::clamp(end, int64_t(0), size);
    } else {
      begin = std::clamp(begin, int64_t(0), size - 1);
      end = std::clamp(end, int64_t(-1), size - 1);
    }
    first[d] = begin;
    step[d] = s;
    out[d] = std::max<int64_t>(0, s > 0 ? (end - begin + s - 1) / s : (begin - end - s - 1) / -s);
    if (out[d] == 0)
      importer.fail(node, "selects nothing along axis " + std::to_string(d) + " of " + shape_string(in));
  }
  if (x.constant) {
    const Index strides = stridesOf(in);
    importer.define_output(node, 0, {remap(*x.constant, out, [&](const Index &index) {
                                       int64_t offset = 0;
                                       for (size_t d = 0; d < index.size(); ++d)
                                         offset += (first[d] + index[d] * step[d]) * strides[d];
                                       return offset;
                                     }),
                                     std::nullopt});
    return;
  }
  dsl::Tensor y = *x.tensor;
  for (size_t d = 0; d < in.size(); ++d) {
    if (out[d] == in[d])
      continue;
    if (step[d] != 1)
      importer.fail(node, "slices a tensor of the model with step " + std::to_string(step[d]) + "; Loom slices with step 1");
    y = dsl::slice(y, int64_t(d), first[d], out[d]);
  }
  importer.define_output(node, 0, {std::nullopt, y});
}

void gather(Importer &importer, const Node &node) {
  const Value &data = importer.input(node, 0), &indices = importer.input(node, 1);
  const dsl::Shape &in = data.shape();
  const int64_t axis = normalize_axis(importer.int_attribute(node, "axis", 0), int64_t(in.size()), "Gather axis");
  if (!indices.integer())
    importer.fail(node, "indices must be integers");
  if (!indices.constant) {
    // An embedding lookup: rows of a table at token ids.
    if (axis != 0 || in.size() != 2 || data.integer())
      importer.fail(node, "gathers with indices computed from the model's inputs only rows of a float table [V, E] "
                          "(axis 0), got data " + shape_string(in) + " along axis " + std::to_string(axis));
    importer.define_output(node, 0, {std::nullopt, dsl::gather(importer.tensor_input(node, 0), *indices.tensor)});
    return;
  }
  const Constant &picked = *indices.constant;
  const int64_t size = in[size_t(axis)];
  Index rows;
  for (int64_t i : picked.integers) {
    if (i < -size || i >= size)
      importer.fail(node, "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) +
                              " of " + shape_string(in));
    rows.push_back(i < 0 ? i + size : i);
  }
  dsl::Shape out(in.begin(), in.begin() + axis);
  out.insert(out.end(), picked.shape.begin(), picked.shape.end());
  out.insert(out.end(), in.begin() + axis + 1, in.end());
  if (data.constant) {
    const Index strides = stridesOf(in);
    const size_t pickedRank = picked.shape.size();
    importer.define_output(node, 0, {remap(*data.constant, out, [&](const Index &index) {
                                       int64_t offset = 0, flat = 0;
                                       for (size_t d = 0; d < pickedRank; ++d)
                                         flat = flat * picked.shape[d] + index[size_t(axis) + d];
                                       for (size_t d = 0; d < in.size(); ++d) {
                                         const int64_t at = int64_t(d) < axis    ? index[d]
                                                            : int64_t(d) == axis ? rows[size_t(flat)]
                                                                                 : index[d + pickedRank - 1];
                                         offset += at * strides[d];
                                       }
                                       return offset;
                                     }),
                                     std::nullopt});
    return;
  }
  if (picked.shape.size() > 1)
    importer.fail(node, "gathers from a tensor of the model with indices of shape " + shape_string(picked.shape) +
                            "; Loom takes one index or a list of them there");
  std::vector<dsl::Tensor> slices;
  for (int64_t row : rows)
    slices.push_back(dsl::slice(*data.tensor, axis, row, 1));
  dsl::Tensor joined = slices.size() == 1 ? slices[0] : dsl::concat(slices, axis);
  importer.define_output(node, 0, {std::nullopt, joined.shape() == out ? joined : dsl::reshape(joined, out)});
}

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

template <dsl::Tensor (*Op)(const dsl::Tensor &, const dsl::Tensor &, dsl::Where)> struct Binary {
  static double fold(const std::string &op, double a, double b, bool integer) {
    if (op == "Add")
      return a + b;
    if (op == "Sub")
      return a - b;
    if (op == "Mul")
      return a * b;
    return integer ? std::trunc(a / b) : a / b;
  }

  static void convert(Importer &importer, const Node &node) {
    const Value &a = importer.input(node, 0), &b = importer.input(node, 1);
    const dsl::Shape shape = broadcastShape(importer, node, a.shape(), b.shape());
    if (a.constant && b.constant) {
      Constant x = broadcastConstant(*a.constant, shape), y = broadcastConstant(*b.constant, shape);
      const bool integer = x.integer && y.integer;
      if (integer && node.op_type() == "Div" && std::count(y.integers.begin(), y.integers.end(), 0))
        importer.fail(node, "divides by an integer zero");
      Constant out;
      out.shape = shape;
      out.integer = integer;
      for (int64_t i = 0; i < x.size(); ++i) {
        const double v = fold(node.op_type(), x.at(i), y.at(i), integer);
        if (integer && !(std::abs(v) < 0x1p62))
          importer.fail(node, "computes an integer constant out of range");
        if (integer)
          out.integers.push_back(int64_t(v));
        else
          out.floats.push_back(float(v));
      }
      importer.define_output(node, 0, {std::move(out), std::nullopt});
      return;
    }
    if (a.integer() || b.integer())
      importer.fail(node, "computes on integer tensors of the model; Loom's arithmetic is on floats");
    // x + b with b [N] along the last axis: a bias, which Loom fuses into the op before it.
    for (int side = 0; side < 2 && node.op_type() == "Add"; ++side) {
      const Value &x = side == 0 ? a : b, &bias = side == 0 ? b : a;
      const dsl::Shape &bs = bias.shape();
      const bool vector = !bs.empty() && element_count(bs) == bs.back() && bs.back() == shape.back();
      if (x.shape() == shape && shape.size() >= 2 && vector) {
        dsl::Tensor values = importer.tensor_input(node, side == 0 ? 1 : 0);
        if (values.rank() != 1)
          values = dsl::reshape(values, {bs.back()});
        importer.define_output(node, 0, {std::nullopt, dsl::bias_add(importer.tensor_input(node, side), values)});
        return;
      }
    }
    auto operand = [&](const Value &v, int index) {
      if (v.constant && v.constant->initializer.empty() && v.constant->size() == 1)
        return importer.model.constant(shape, v.constant->floats.front());
      return broadcastTensor(importer.tensor_input(node, index), shape);
    };
    importer.define_output(node, 0, {std::nullopt, Op(operand(a, 0), operand(b, 1), dsl::Where::current())});
  }
};

template <dsl::Tensor (*Op)(const dsl::Tensor &, dsl::Where)> void unary(Importer &importer, const Node &node) {
  const Value &x = importer.input(node, 0);
  if (!x.constant || x.integer()) {
    importer.define_output(node, 0, {std::nullopt, Op(importer.tensor_input(node, 0), dsl::Where::current())});
    return;
  }
  const std::string &op = node.op_type();
  Constant out = Constant::of_floats(x.shape(), {});
  for (float v : x.constant->floats)
    out.floats.push_back(op == "Relu"    ? std::max(v, 0.0f)
                         : op == "Tanh"  ? std::tanh(v)
                         : op == "Sigmoid" ? 1.0f / (1.0f + std::exp(-v))
                         : op == "Exp"   ? std::exp(v)
                         : op == "Log"   ? std::log(v)
                                         : std::sqrt(v));
  importer.define_output(node, 0, {std::move(out), std::nullopt});
}

void matmul(Importer &importer, const Node &node) {
  const dsl::Shape a = importer.input(node, 0).shape(), b = importer.input(node, 1).shape();
  if (a.size() < 2 || b.size() != 2)
    importer.fail(node, "multiplies " + shape_string(a) + " by " + shape_string(b) +
                            "; Loom imports [..., M, K] times a matrix [K, N]");
  if (a.back() != b[0])
    importer.fail(node, "cannot multiply " + shape_string(a) + " by " + shape_string(b) + ": " +
                            std::to_string(a.back()) + " != " + std::to_string(b[0]));
  dsl::Tensor lhs = importer.tensor_input(node, 0);
  const int64_t rows = element_count(a) / a.back();
  if (a.size() > 2)
    lhs = dsl::reshape(lhs, {rows, a.back()});
  dsl::Tensor y = dsl::matmul(lhs, importer.tensor_input(node, 1));
  if (a.size() > 2) {
    dsl::Shape out = a;
    out.back() = b[1];
    y = dsl::reshape(y, out);
  }
  importer.define_output(node, 0, {std::nullopt, y});
}

void gemm(Importer &importer, const Node &node) {
  const bool transA = importer.int_attribute(node, "transA", 0) != 0, transB = importer.int_attribute(node, "transB", 0) != 0;
  const float alpha = importer.float_attribute(node, "alpha", 1.0f), beta = importer.float_attribute(node, "beta", 1.0f);
  const dsl::Shape a = importer.input(node, 0).shape(), b = importer.input(node, 1).shape();
  if (a.size() != 2 || b.size() != 2)
    importer.fail(node, "multiplies " + shape_string(a) + " by " + shape_string(b) + "; Gemm takes matrices");
  const int64_t k = transA ? a[0] : a[1], kb = transB ? b[1] : b[0], n = transB ? b[0] : b[1];
  if (k != kb)
    importer.fail(node, "cannot multiply " + shape_string(a) + (transA ? "^T" : "") + " by " + shape_string(b) +
                            (transB ? "^T" : ""));
  dsl::Tensor y = dsl::matmul(importer.tensor_input(node, 0), importer.tensor_input(node, 1), transA, transB);
  if (alpha != 1.0f)
    y = dsl::scale(y, alpha);
  if (importer.has_input(node, 2) && beta != 0.0f) {
    const Value &c = importer.input(node, 2);
    dsl::Tensor bias = importer.tensor_input(node, 2);
    if (beta != 1.0f)
      bias = dsl::scale(bias, beta);
    if (element_count(c.shape()) == n && !c.shape().empty() && c.shape().back() == n)
      y = dsl::bias_add(y, bias.rank() == 1 ? bias : dsl::reshape(bias, {n}));
    else
      y = dsl::add(y, broadcastTensor(bias, broadcastShape(importer, node, y.shape(), c.shape())));
  }
  importer.define_output(node, 0, {std::nullopt, y});
}

template <dsl::Tensor (*Op)(const dsl::Tensor &, dsl::Where)> void softmax(Importer &importer, const Node &node) {
  const dsl::Shape in = importer.input(node, 0).shape();
  const int64_t rank = int64_t(in.size());
  const int64_t axis = normalize_axis(importer.int_attribute(node, "axis", importer.opset < 13 ? 1 : -1), rank,
                                      node.op_type() + " axis");
  dsl::Tensor x = importer.tensor_input(node, 0);
  if (axis == rank - 1) {
    importer.define_output(node, 0, {std::nullopt, Op(x, dsl::Where::current())});
  } else if (importer.opset < 13) {
    // Before opset 13 the axis splits the shape into [rows, columns], normalized along columns.
    const int64_t rows = std::max<int64_t>(element_count(dsl::Shape(in.begin(), in.begin() + axis)), 1);
    dsl::Tensor y = Op(dsl::reshape(x, {rows, element_count(in) / rows}), dsl::Where::current());
    importer.define_output(node, 0, {std::nullopt, dsl::reshape(y, in)});
  } else {
    importer.fail(node, "normalizes axis " + std::to_string(axis) + " of " + shape_string(in) +
                            "; Loom's " + node.op_type() + " is over the last axis");
  }
}

} // namespace

const std::map<std::string, Converter> &converters() {
  static const std::map<std::string, Converter> table{
      {"RNN", import_recurrent},
      {"LSTM", import_recurrent},
      {"GRU", import_recurrent},
      {"Gemm", gemm},
      {"MatMul", matmul},
      {"Add", Binary<dsl::add>::convert},
      {"Sub", Binary<dsl::sub>::convert},
      {"Mul", Binary<dsl::mul>::convert},
      {"Div", Binary<dsl::div>::convert},
      {"Relu", unary<dsl::relu>},
      {"Tanh", unary<dsl::tanh>},
      {"Sigmoid", unary<dsl::sigmoid>},
      {"Exp", unary<dsl::exp>},
      {"Log", unary<dsl::log>},
      {"Sqrt", unary<dsl::sqrt>},
      {"Softmax", softmax<dsl::softmax>},
      {"LogSoftmax", softmax<dsl::log_softmax>},
      {"Gather", gather},
      {"Reshape", reshape},
      {"Flatten", flatten},
      {"Squeeze", squeeze},
      {"Unsqueeze", unsqueeze},
      {"Concat", concat},
      {"Slice", slice},
      {"Transpose", transpose},
      {"Expand", expand},
      {"Shape", shape},
      {"Constant", constant},
      {"ConstantOfShape", constantOfShape},
      {"Cast", cast},
      {"Identity", identity},
      {"Dropout", identity},
  };
  return table;
}

} // namespace loom::importer::detail
