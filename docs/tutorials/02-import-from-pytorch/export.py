#!/usr/bin/python3
"""Lesson 2's PyTorch side: trains a GRU on lesson 1's task (is the running sum of +1/-1 moves
positive after each move?), exports it with torch.onnx.export, and saves a test batch with
PyTorch's answers for infer.cpp to compare with. Writes sign.onnx and pytorch_outputs.txt into the
current directory:

    /usr/bin/python3 export.py
"""
import warnings

import torch
import torch.nn as nn

STEPS = 12


class Sign(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(1, 16)      # time-major, as Loom's layers
        self.head = nn.Linear(16, 2)

    def forward(self, moves):         # moves [T, B, 1]
        states, _ = self.gru(moves)   # [T, B, 16]
        return self.head(states)      # [T, B, 2] logits: is the sum positive after each move?


def batch(generator, size):
    moves = torch.randint(0, 2, (STEPS, size, 1), generator=generator).float() * 2 - 1
    positive = (moves.cumsum(0) > 0).long().reshape(-1)
    return moves, positive


def main():
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    model = Sign()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(300):
        moves, positive = batch(generator, 32)
        loss = nn.functional.cross_entropy(model(moves).reshape(-1, 2), positive)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()

    # The batch axis is left dynamic, as exports usually are; Loom fixes it when it compiles.
    warnings.filterwarnings("ignore", category=UserWarning)  # the exporter's notes on its internals
    torch.onnx.export(model, (torch.zeros(STEPS, 1, 1),), "sign.onnx", input_names=["moves"],
                      output_names=["logits"], dynamic_axes={"moves": {1: "batch"}, "logits": {1: "batch"}},
                      opset_version=14)
    moves, _ = batch(generator, 64)
    with torch.no_grad():
        logits = model(moves)
    with open("pytorch_outputs.txt", "w") as saved:
        saved.write(" ".join(f"{v:.9g}" for v in moves.reshape(-1).tolist()) + "\n")
        saved.write(" ".join(f"{v:.9g}" for v in logits.reshape(-1).tolist()) + "\n")
    print(f"trained in PyTorch (last loss {loss.item():.4f}); wrote sign.onnx and pytorch_outputs.txt")


if __name__ == "__main__":
    main()
