#!/usr/bin/env bash
# README's first command: sets up the machine, builds Loom, compiles the default model (the
# Fashion-MNIST LSTM classifier) ahead of time, trains it for 5 epochs on the real data set with
# per-epoch test accuracy, then classifies a few test images with the trained checkpoint.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p runs
./build/models/fashion_mnist/train_fashion_mnist --epochs "${EPOCHS:-5}" --seed 1 \
  --checkpoint runs/fashion_mnist.checkpoint --loss-curve runs/fashion_mnist_loss.png
./build/models/fashion_mnist/infer_fashion_mnist --checkpoint runs/fashion_mnist.checkpoint --count 4
