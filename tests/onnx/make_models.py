#!/usr/bin/python3
"""The ONNX side of tests/onnx: writes the models that loomc imports and what they must compute.

PyTorch models built from fixed seeds are exported with torch.onnx.export (what users do); models
with what PyTorch never exports (sequence_lens, linear_before_reset=0, batch-major layout) are
built with onnx.helper, and their outputs come from a NumPy transcription of the ONNX operator
specification. Also writes the malformed and unsupported models of the error tests.

    /usr/bin/python3 make_models.py OUTPUT_DIR
"""
import json
import pathlib
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import TensorProto, helper, numpy_helper

OPSET = 14


# ----------------------------------------------------------------------------------------------
# Models exported from PyTorch
# ----------------------------------------------------------------------------------------------

class Tagger(nn.Module):
    """Embedding, a two-layer LSTM and a softmax head over every step; also returns h_n."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(11, 6)
        self.lstm = nn.LSTM(6, 8, num_layers=2)
        self.head = nn.Linear(8, 5)

    def forward(self, ids):
        sequence, (h, _) = self.lstm(self.embedding(ids))
        return torch.softmax(self.head(sequence), dim=-1), h


class Classifier(nn.Module):
    """A batch-first bidirectional GRU whose final states feed a linear layer (Gemm)."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, bidirectional=True, batch_first=True)
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        _, final = self.gru(x)
        return torch.log_softmax(self.head(torch.cat([final[0], final[1]], dim=1)), dim=1)


class Relu(nn.Module):
    """An Elman RNN with ReLU, no biases and a given initial state."""

    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 4, nonlinearity="relu", bias=False)

    def forward(self, x, h0):
        return self.rnn(x, h0)


def export(module, inputs, names, outputs, path, dynamic_axes=None):
    module.eval()
    with torch.no_grad():
        expected = module(*inputs)
    if not isinstance(expected, tuple):
        expected = (expected,)
    torch.onnx.export(module, tuple(inputs), str(path), input_names=names, output_names=outputs,
                      opset_version=OPSET, dynamic_axes=dynamic_axes)
    onnx.checker.check_model(onnx.load(str(path)))
    return {"inputs": {n: flat(t) for n, t in zip(names, inputs)},
            "outputs": {n: flat(t) for n, t in zip(outputs, expected)}}


def flat(values):
    return [float(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)]


# ----------------------------------------------------------------------------------------------
# The ONNX specification's RNN, LSTM and GRU, in NumPy (float64)
# ----------------------------------------------------------------------------------------------

def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def onnx_recurrent(op, x, w, r, b, lengths=None, h0=None, c0=None, direction="forward",
                   linear_before_reset=0, layout=0):
    """Y, Y_h, Y_c of an ONNX RNN/LSTM/GRU node with default activations, as the operator
    specification defines them: gates LSTM i,o,f,c and GRU z,r,h; outputs past an example's
    length are zero, and Y_h/Y_c hold its state after its last valid step."""
    if layout:
        x = x.transpose(1, 0, 2)
        h0 = None if h0 is None else h0.transpose(1, 0, 2)
        c0 = None if c0 is None else c0.transpose(1, 0, 2)
    steps, batch, _ = x.shape
    directions, hidden = w.shape[0], r.shape[2]
    y = np.zeros((steps, directions, batch, hidden))
    y_h = np.zeros((directions, batch, hidden))
    y_c = np.zeros((directions, batch, hidden))
    for d in range(directions):
        reverse = direction == "reverse" or d == 1
        wb, rb = np.split(b[d], 2) if b is not None else (np.zeros(w.shape[1]), np.zeros(w.shape[1]))
        for n in range(batch):
            length = steps if lengths is None else int(lengths[n])
            h = np.zeros(hidden) if h0 is None else h0[d, n].astype(np.float64)
            c = np.zeros(hidden) if c0 is None else c0[d, n].astype(np.float64)
            for t in (range(length - 1, -1, -1) if reverse else range(length)):
                xt = x[t, n]
                if op == "LSTM":
                    i, o, f, g = np.split(w[d] @ xt + wb + r[d] @ h + rb, 4)
                    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
                    h = sigmoid(o) * np.tanh(c)
                elif op == "GRU":
                    wz, wr, wh = np.split(w[d], 3)
                    rz, rr, rh = np.split(r[d], 3)
                    wbz, wbr, wbh = np.split(wb, 3)
                    rbz, rbr, rbh = np.split(rb, 3)
                    z = sigmoid(wz @ xt + wbz + rz @ h + rbz)
                    reset = sigmoid(wr @ xt + wbr + rr @ h + rbr)
                    if linear_before_reset:
                        candidate = np.tanh(wh @ xt + wbh + reset * (rh @ h + rbh))
                    else:
                        candidate = np.tanh(wh @ xt + wbh + rh @ (reset * h) + rbh)
                    h = (1 - z) * candidate + z * h
                else:
                    h = np.tanh(w[d] @ xt + wb + r[d] @ h + rb)
                y[t, d, n] = h
            y_h[d, n], y_c[d, n] = h, c
    if layout:
        return y.transpose(2, 0, 1, 3), y_h.transpose(1, 0, 2), y_c.transpose(1, 0, 2)
    return y, y_h, y_c


def value_info(name, element, shape):
    return helper.make_tensor_value_info(name, element, shape)


def save(graph, path, check=True):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    if check:
        onnx.checker.check_model(model)
    onnx.save(model, str(path))


def hand_built(path, op, rng, steps, batch, features, hidden, direction, lengths, layout=0,
               linear_before_reset=None, with_h0=False):
    """One recurrent node with its weights as initializers and X, sequence_lens (int32) and
    optionally initial_h as graph inputs; returns the reference entry."""
    gates = {"LSTM": 4, "GRU": 3, "RNN": 1}[op]
    directions = 2 if direction == "bidirectional" else 1
    w = rng.uniform(-0.5, 0.5, (directions, gates * hidden, features)).astype(np.float32)
    r = rng.uniform(-0.5, 0.5, (directions, gates * hidden, hidden)).astype(np.float32)
    b = rng.uniform(-0.5, 0.5, (directions, 2 * gates * hidden)).astype(np.float32)
    x_shape = [batch, steps, features] if layout else [steps, batch, features]
    state_shape = [batch, directions, hidden] if layout else [directions, batch, hidden]
    x = rng.uniform(-1, 1, x_shape).astype(np.float32)
    h0 = rng.uniform(-1, 1, state_shape).astype(np.float32) if with_h0 else None
    lens = np.array(lengths, dtype=np.int32)

    attributes = {"hidden_size": hidden, "direction": direction, "layout": layout}
    if linear_before_reset is not None:
        attributes["linear_before_reset"] = linear_before_reset
    outputs = ["Y", "Y_h"] + (["Y_c"] if op == "LSTM" else [])
    node = helper.make_node(op, ["X", "W", "R", "B", "lengths", "h0" if with_h0 else ""], outputs,
                            name=f"{op.lower()}_node", **attributes)
    inputs = [value_info("X", TensorProto.FLOAT, x_shape), value_info("lengths", TensorProto.INT32, [batch])]
    if with_h0:
        inputs.append(value_info("h0", TensorProto.FLOAT, state_shape))
    expected = onnx_recurrent(op, x.astype(np.float64), w.astype(np.float64), r.astype(np.float64),
                              b.astype(np.float64), lens, None if h0 is None else h0.astype(np.float64),
                              direction=direction, linear_before_reset=linear_before_reset or 0, layout=layout)
    graph = helper.make_graph(
        [node], f"{op.lower()}_graph", inputs,
        [value_info(name, TensorProto.FLOAT, list(value.shape)) for name, value in zip(outputs, expected)],
        initializer=[numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"), numpy_helper.from_array(b, "B")])
    save(graph, path)
    feeds = {"X": flat(x), "lengths": flat(lens)}
    if with_h0:
        feeds["h0"] = flat(h0)
    return {"inputs": feeds, "outputs": {name: flat(value) for name, value in zip(outputs, expected)}}


# ----------------------------------------------------------------------------------------------
# What the importer must refuse
# ----------------------------------------------------------------------------------------------

def error_models(directory):
    directory.mkdir(parents=True, exist_ok=True)
    x = value_info("x", TensorProto.FLOAT, [2, 3])
    y = value_info("y", TensorProto.FLOAT, [1])

    save(helper.make_graph([helper.make_node("Erf", ["x"], ["y"], name="erf1")], "g", [x], [y]),
         directory / "unsupported.onnx", check=False)
    save(helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="relu1")], "g",
                           [value_info("x", TensorProto.FLOAT, ["batch", 3])], [y]),
         directory / "dynamic.onnx", check=False)
    save(helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["y"], name="bmm")], "g",
                           [value_info("a", TensorProto.FLOAT, [2, 3, 4]), value_info("b", TensorProto.FLOAT, [2, 4, 5])],
                           [y]),
         directory / "batched_matmul.onnx", check=False)
    save(helper.make_graph([helper.make_node("Softmax", ["x"], ["y"], name="softmax0", axis=0)], "g", [x], [y]),
         directory / "softmax_axis.onnx", check=False)

    rng = np.random.default_rng(3)
    w = numpy_helper.from_array(rng.uniform(-1, 1, (1, 8, 3)).astype(np.float32), "W")
    r = numpy_helper.from_array(rng.uniform(-1, 1, (1, 8, 2)).astype(np.float32), "R")
    sequence = value_info("s", TensorProto.FLOAT, [4, 1, 3])
    save(helper.make_graph([helper.make_node("LSTM", ["s", "W", "R"], ["y"], name="clipped", hidden_size=2, clip=3.0)],
                           "g", [sequence], [y], initializer=[w, r]),
         directory / "clip.onnx", check=False)
    peepholes = numpy_helper.from_array(np.ones((1, 6), dtype=np.float32), "P")
    save(helper.make_graph([helper.make_node("LSTM", ["s", "W", "R", "", "", "", "", "P"], ["y"], name="peephole",
                                             hidden_size=2)],
                           "g", [sequence], [y], initializer=[w, r, peepholes]),
         directory / "peephole.onnx", check=False)
    save(helper.make_graph([helper.make_node("LSTM", ["s", "W", "R"], ["y"], name="wrong_width", hidden_size=3)],
                           "g", [sequence], [y], initializer=[w, r]),
         directory / "wrong_width.onnx", check=False)

    def refused(name, nodes, inputs=(x,), initializers=()):
        save(helper.make_graph(nodes, "g", list(inputs), [y], initializer=list(initializers)), directory / f"{name}.onnx",
             check=False)

    def constant(name, values, element=np.int64):
        return numpy_helper.from_array(np.array(values, dtype=element), name)

    lstm_input = [sequence]
    refused("rnn_sigmoid", [helper.make_node("RNN", ["s", "Wr", "Rr"], ["y"], name="rnn1", hidden_size=2,
                                             activations=["Sigmoid"])], lstm_input,
            [numpy_helper.from_array(np.zeros((1, 2, 3), np.float32), "Wr"),
             numpy_helper.from_array(np.zeros((1, 2, 2), np.float32), "Rr")])
    refused("input_forget", [helper.make_node("LSTM", ["s", "W", "R"], ["y"], name="coupled", hidden_size=2,
                                              input_forget=1)], lstm_input, [w, r])
    refused("direction", [helper.make_node("LSTM", ["s", "W", "R"], ["y"], name="sideways", hidden_size=2,
                                           direction="sideways")], lstm_input, [w, r])
    refused("no_hidden_size", [helper.make_node("LSTM", ["s", "W", "R"], ["y"], name="unsized")], lstm_input, [w, r])
    refused("computed_weights", [helper.make_node("LSTM", ["s", "w_in", "R"], ["y"], name="fed", hidden_size=2)],
            [sequence, value_info("w_in", TensorProto.FLOAT, [1, 8, 3])], [r])
    refused("integer_weights", [helper.make_node("LSTM", ["s", "Wi", "R"], ["y"], name="counted", hidden_size=2)],
            lstm_input, [constant("Wi", np.zeros((1, 8, 3))), r])
    refused("float_shape", [helper.make_node("Reshape", ["x", "to"], ["y"], name="fractional")],
            initializers=[constant("to", [3.0, 2.0], np.float32)])
    refused("lengths_shape", [helper.make_node("LSTM", ["s", "W", "R", "", "lens"], ["y"], name="lengths", hidden_size=2)],
            [sequence, value_info("lens", TensorProto.INT32, [3])], [w, r])
    refused("reshape_size", [helper.make_node("Reshape", ["x", "to"], ["y"], name="resize")], initializers=[constant("to", [4, 2])])
    refused("reshape_two_unknown", [helper.make_node("Reshape", ["x", "to"], ["y"], name="unknowns")],
            initializers=[constant("to", [-1, -1])])
    refused("squeeze_size", [helper.make_node("Squeeze", ["x", "axes"], ["y"], name="squeeze0")],
            initializers=[constant("axes", [0])])
    refused("concat_ranks", [helper.make_node("Concat", ["x", "v"], ["y"], name="join", axis=0)],
            initializers=[constant("v", [1.0, 2.0, 3.0], np.float32)])
    refused("cast_to_integers", [helper.make_node("Cast", ["x"], ["y"], name="to_int", to=TensorProto.INT64)])
    refused("gather_axis", [helper.make_node("Gather", ["x", "ids"], ["y"], name="columns", axis=1)],
            [x, value_info("ids", TensorProto.INT64, [2])])
    refused("transpose_perm", [helper.make_node("Transpose", ["x"], ["y"], name="flip", perm=[0, 0])])
    refused("broadcast", [helper.make_node("Add", ["x", "v"], ["y"], name="plus")],
            initializers=[numpy_helper.from_array(np.ones(4, np.float32), "v")])
    refused("slice_step", [helper.make_node("Slice", ["x", "starts", "ends", "axes", "steps"], ["y"], name="still")],
            initializers=[constant("starts", [0]), constant("ends", [2]), constant("axes", [1]), constant("steps", [0])])
    refused("bool_input", [helper.make_node("Identity", ["flags"], ["y"], name="same")],
            [value_info("flags", TensorProto.BOOL, [2])])
    refused("integer_arithmetic", [helper.make_node("Add", ["i", "j"], ["y"], name="sum")],
            [value_info("i", TensorProto.INT64, [2]), value_info("j", TensorProto.INT64, [2])])
    refused("other_domain", [helper.make_node("FusedGemm", ["x"], ["y"], name="fused", domain="com.microsoft")])
    refused("undefined_output", [helper.make_node("Relu", ["x"], ["z"], name="relu1")])
    refused("matmul_sizes", [helper.make_node("MatMul", ["x", "m"], ["y"], name="product")],
            initializers=[numpy_helper.from_array(np.ones((4, 5), np.float32), "m")])
    refused("fold_too_large", [helper.make_node("ConstantOfShape", ["size"], ["y"], name="huge")],
            initializers=[constant("size", [1 << 20, 1 << 10])])

    external = numpy_helper.from_array(np.ones((2, 3), dtype=np.float32), "k")
    external.ClearField("raw_data")
    external.data_location = TensorProto.EXTERNAL
    external.external_data.add(key="location", value="weights.bin")
    onnx.save(helper.make_model(helper.make_graph([helper.make_node("Add", ["x", "k"], ["y"], name="add")], "g", [x], [y],
                                                  initializer=[external]),
                                opset_imports=[helper.make_opsetid("", OPSET)]),
              str(directory / "external.onnx"))
    (directory / "garbage.onnx").write_bytes(b"this is not a protobuf message \xff\xff\xff")


def main(output):
    warnings.filterwarnings("ignore")  # torch.onnx.export's notes on its own internals
    output.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(2025)
    rng = np.random.default_rng(2025)
    reference = {
        "onnx_tagger": export(Tagger(), [torch.randint(0, 11, (7, 3))], ["ids"], ["probs", "h_n"],
                              output / "onnx_tagger.onnx"),
        # Exported with a dynamic batch axis; the build fixes it with SHAPES.
        "onnx_classifier": export(Classifier(), [torch.randn(2, 9, 4)], ["x"], ["log_probs"],
                                  output / "onnx_classifier.onnx", dynamic_axes={"x": {0: "batch"}}),
        "onnx_relu": export(Relu(), [torch.randn(5, 2, 3), torch.randn(1, 2, 4)], ["x", "h0"], ["y", "h_n"],
                            output / "onnx_relu.onnx"),
        "onnx_gru_lengths": hand_built(output / "onnx_gru_lengths.onnx", "GRU", rng, steps=6, batch=4, features=3,
                                       hidden=5, direction="reverse", lengths=[6, 1, 3, 4],
                                       linear_before_reset=0, with_h0=True),
        "onnx_lstm_layout": hand_built(output / "onnx_lstm_layout.onnx", "LSTM", rng, steps=5, batch=3, features=3,
                                       hidden=4, direction="bidirectional", lengths=[5, 2, 4], layout=1),
    }
    (output / "reference.json").write_text(json.dumps(reference))
    error_models(output / "errors")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
