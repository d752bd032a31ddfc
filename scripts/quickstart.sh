#!/usr/bin/env bash
# README's first command: sets up the machine, builds Loom, and runs the main job on the default
# model (Fashion-MNIST LSTM classifier). Today that job compiles the model definition through the
# pass pipeline and prints its loom IR; training joins it as issue #2's remaining steps land.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
echo "== loom IR of models/fashion_mnist/model.cpp after the pass pipeline =="
./build/models/fashion_mnist/loomc-fashion_mnist
