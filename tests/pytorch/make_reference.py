#!/usr/bin/python3
"""The PyTorch side of tests/pytorch: builds the models of models.cpp in PyTorch from fixed seeds,
writes their weights with tools/loom_pytorch.py, and their inputs and float32 outputs as JSON for
pytorch_import_test.cpp to compare with Loom's. Also writes the inputs of the exporter's error tests.

    /usr/bin/python3 make_reference.py OUTPUT_DIR
"""
import json
import pathlib
import sys

import torch
import torch.nn as nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools"))
import loom_pytorch  # noqa: E402


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(11, 6)
        self.lstm = nn.LSTM(6, 8, num_layers=2)
        self.head = nn.Linear(8, 5)

    def forward(self, tokens):
        sequence, _ = self.lstm(self.embedding(tokens))
        return self.head(sequence.reshape(-1, 8))


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(4, 6, bidirectional=True)
        self.head = nn.Linear(12, 3)

    def forward(self, x):
        _, final = self.gru(x)
        return self.head(torch.cat([final[0], final[1]], dim=1))


class Rnn(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(3, 4, bias=False)

    def forward(self, x):
        return self.rnn(x)[0]


def flat(tensor):
    return [float(v) for v in tensor.detach().reshape(-1)]


def main(output):
    output.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(2024)
    cases = {
        "pytorch_tagger": (Tagger(), {"tokens": torch.randint(0, 11, (7, 3))}, "logits"),
        "pytorch_classifier": (Classifier(), {"x": torch.randn(9, 2, 4)}, "logits"),
        "pytorch_rnn": (Rnn(), {"x": torch.randn(5, 2, 3)}, "states"),
    }
    reference = {}
    for name, (model, inputs, output_name) in cases.items():
        model.eval()
        with torch.no_grad():
            result = model(*inputs.values())
        # The module itself for one model, its saved state_dict through the command line for the others.
        if name == "pytorch_tagger":
            loom_pytorch.save(model, str(output / f"{name}.params"), model_name=name)
        else:
            torch.save(model.state_dict(), output / f"{name}.pt")
            status = loom_pytorch.main([str(output / f"{name}.pt"), str(output / f"{name}.params"), "--model-name", name])
            assert status == 0, name
        reference[name] = {
            "inputs": {key: flat(value) for key, value in inputs.items()},
            "output": output_name,
            "expected": flat(result),
        }
    (output / "reference.json").write_text(json.dumps(reference))

    # Inputs of the exporter's error tests.
    torch.save(nn.LSTM(3, 4, num_layers=2, bidirectional=True).state_dict(), output / "stacked_bidirectional.pt")
    torch.save(nn.LSTM(3, 4, proj_size=2).state_dict(), output / "projection.pt")
    torch.save([1, 2, 3], output / "not_a_state_dict.pt")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
