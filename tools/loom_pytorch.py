#!/usr/bin/python3
"""Writes a PyTorch model's weights as a Loom parameter file.

A Loom model declared with the same layers (see docs/conventions.md: Loom's layouts and gate orders
are PyTorch's) then loads the file with load_parameters() and computes what the PyTorch model
computes. As a module:

    import loom_pytorch
    loom_pytorch.save(model, "tagger.params", model_name="tagger")   # model: an nn.Module or a state_dict

From the command line, with a state_dict saved by torch.save(model.state_dict(), "tagger.pt"):

    /usr/bin/python3 tools/loom_pytorch.py tagger.pt tagger.params --model-name tagger

Names map as Loom's layers name their parameters:
    nn.Linear / nn.Embedding    <name>.weight, <name>.bias            unchanged
    nn.LSTM / nn.GRU / nn.RNN   <name>.weight_ih_l0                   -> <name>.weight_ih
      num_layers = L > 1        <name>.weight_ih_l<k>                 -> <name>.<k>.weight_ih  (Stacked)
      bidirectional             <name>.weight_ih_l0, ..._l0_reverse   -> <name>.forward.weight_ih,
                                                                         <name>.backward.weight_ih  (Bidirectional)
A recurrent layer built with bias=False gets zero biases (Loom's layers always have them). Refused,
with a message naming the parameter: LSTM projections (proj_size), stacked bidirectional layers,
non-float tensors. --rename OLD=NEW renames a layer prefix first (PyTorch's "rnn" to Loom's "lstm");
--prefix NAME names a layer saved on its own (its keys have no layer name).
"""
import argparse
import os
import re
import struct
import sys
import zlib

MAGIC = b"LOOMPRM\0"
FORMAT_VERSION = 1
F32 = 1
_RECURRENT = re.compile(r"^(?:(?P<layer>.*)\.)?(?P<kind>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(?P<index>\d+)(?P<reverse>_reverse)?$")


class ExportError(Exception):
    """What cannot be written, with the parameter's name."""


def _state_dict(model_or_state):
    if hasattr(model_or_state, "state_dict"):
        return model_or_state.state_dict()
    return dict(model_or_state)


def loom_tensors(model_or_state, renames=None, prefix=None):
    """The model's parameters as [(loom_name, float32 tensor)], in the state_dict's order."""
    import torch

    state = _state_dict(model_or_state)
    if prefix:
        state = {f"{prefix}.{name}": value for name, value in state.items()}
    if renames:
        renamed = {}
        for name, value in state.items():
            for old, new in renames.items():
                if name == old or name.startswith(old + "."):
                    name = new + name[len(old):]
                    break
            renamed[name] = value
        state = renamed

    # Each recurrent layer's shape: how many stacked layers, whether bidirectional, and its weights.
    layers = {}
    for name in state:
        match = _RECURRENT.match(name)
        if match:
            layer = layers.setdefault(match["layer"] or "", {"count": 0, "bidirectional": False})
            layer["count"] = max(layer["count"], int(match["index"]) + 1)
            layer["bidirectional"] |= bool(match["reverse"])
    for layer, shape in layers.items():
        if shape["count"] > 1 and shape["bidirectional"]:
            raise ExportError(f"'{layer or '(the module itself)'}' is a stacked bidirectional layer ({shape['count']} layers): Loom "
                              "stacks one direction (Stacked) or has one bidirectional layer (Bidirectional)")

    out = []
    for name, value in state.items():
        match = _RECURRENT.match(name)
        if match:
            if match["kind"] == "weight_hr":
                raise ExportError(f"'{name}': LSTM projections (proj_size) have no Loom equivalent")
            layer = match["layer"] or ""
            shape = layers[layer]
            parts = [layer] if layer else []
            if shape["bidirectional"]:
                parts.append("backward" if match["reverse"] else "forward")
            elif shape["count"] > 1:
                parts.append(match["index"])
            name = ".".join(parts + [match["kind"]])
        if not torch.is_tensor(value) or not value.is_floating_point():
            raise ExportError(f"'{name}' is not a floating-point tensor ({getattr(value, 'dtype', type(value))})")
        out.append((name, value.detach().to(torch.float32).contiguous().cpu()))

    # bias=False: zero biases of the weights' height, as Loom's layers expect a bias for each.
    names = {name for name, _ in out}
    for name, value in list(out):
        for weight, bias in (("weight_ih", "bias_ih"), ("weight_hh", "bias_hh")):
            if name.endswith("." + weight):
                bias_name = name[: -len(weight)] + bias
                if bias_name not in names:
                    out.append((bias_name, torch.zeros(value.shape[0], dtype=torch.float32)))
                    names.add(bias_name)
    return out


def encode(model_name, tensors):
    """The bytes of a Loom parameter file (format version 1, runtime/include/loom/runtime/parameter_file.h)."""
    body = bytearray()
    encoded_name = model_name.encode("utf-8")
    body += struct.pack("<I", len(encoded_name)) + encoded_name
    body += struct.pack("<I", len(tensors))
    for name, tensor in tensors:
        encoded = name.encode("utf-8")
        body += struct.pack("<I", len(encoded)) + encoded
        body += struct.pack("<II", F32, tensor.dim())
        body += struct.pack(f"<{tensor.dim()}q", *tensor.shape)
        body += tensor.numpy().astype("<f4").tobytes()
    total = len(MAGIC) + 4 + 8 + len(body) + 4
    data = MAGIC + struct.pack("<IQ", FORMAT_VERSION, total) + bytes(body)
    return data + struct.pack("<I", zlib.crc32(data) & 0xFFFFFFFF)


def write_atomically(path, data):
    """As Loom writes its files: a temporary file, fsync, rename over `path`, fsync of the directory."""
    temporary = f"{path}.tmp.{os.getpid()}"
    try:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    directory = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def save(model_or_state, path, model_name, renames=None, prefix=None):
    """Writes `model_or_state` (an nn.Module or a state_dict) as the Loom parameter file `path` of the
    Loom model `model_name` (its generated class's kParameterFamily). Returns the tensors' Loom names."""
    if not model_name:
        raise ExportError("the Loom model's name is needed: the file is refused by any other model")
    tensors = loom_tensors(model_or_state, renames, prefix)
    write_atomically(path, encode(model_name, tensors))
    return [name for name, _ in tensors]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Writes a PyTorch state_dict (torch.save) as a Loom parameter file.")
    parser.add_argument("state_dict", help="a file written by torch.save(model.state_dict(), ...)")
    parser.add_argument("output", help="the Loom parameter file to write")
    parser.add_argument("--model-name", required=True, help="the Loom model that will load it")
    parser.add_argument("--rename", action="append", default=[], metavar="OLD=NEW",
                        help="rename a layer prefix before mapping (repeatable)")
    parser.add_argument("--prefix", help="put NAME. before every name (the state_dict of one nn.LSTM "
                        "saved alone has no layer name)", metavar="NAME")
    args = parser.parse_args(argv)
    import torch

    renames = {}
    for rename in args.rename:
        old, separator, new = rename.partition("=")
        if not separator or not old or not new:
            parser.error(f"--rename takes OLD=NEW, got '{rename}'")
        renames[old] = new
    try:
        state = torch.load(args.state_dict, map_location="cpu")
    except (OSError, RuntimeError) as error:
        print(f"loom_pytorch: error: cannot read '{args.state_dict}': {error}", file=sys.stderr)
        return 1
    if not isinstance(state, dict):
        print(f"loom_pytorch: error: '{args.state_dict}' holds a {type(state).__name__}, not a state_dict; "
              "save one with torch.save(model.state_dict(), path)", file=sys.stderr)
        return 1
    try:
        names = save(state, args.output, args.model_name, renames, args.prefix)
    except (ExportError, OSError) as error:
        print(f"loom_pytorch: error: {error}", file=sys.stderr)
        return 1
    print(f"loom_pytorch: wrote {len(names)} tensors of model '{args.model_name}' to {args.output}: {', '.join(names)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
