#!/usr/bin/env bash
# Trains one of the models in models/ with one command, from a fresh clone: sets up the machine,
# builds Loom (which compiles every model ahead of time), trains the model with its defaults and
# seed 1, and runs its infer program on the result. Checkpoints and loss curves go to runs/.
#
#   bash scripts/train.sh <model> [options for its train program]
#   bash scripts/train.sh word_translation
#   bash scripts/train.sh text_generation --epochs 2 --steps-per-epoch 200
set -euo pipefail
cd "$(dirname "$0")/.."
models=$(ls models | while read -r m; do [ -f "models/$m/model.cpp" ] && echo "$m"; done | tr '\n' ' ')
if [ $# -lt 1 ] || [ ! -f "models/$1/model.cpp" ]; then
  echo "usage: bash scripts/train.sh <model> [train options]; models: $models" >&2
  exit 2
fi
model=$1
shift
case "$model" in
  fashion_mnist) exec env EPOCHS="${EPOCHS:-5}" bash scripts/quickstart.sh ;;
  text_classification) exec bash models/text_classification/run.sh "$@" ;;
  g2p) exec bash models/g2p/run.sh "$@" ;;
esac
bash scripts/setup.sh
bash scripts/build.sh
mkdir -p runs
bin=build/models/$model
if [ "$model" = hihello ]; then
  "$bin/train_hihello" runs/hihello.params
  "$bin/infer_hihello" runs/hihello.params
  exit 0
fi
"$bin/train_$model" --seed 1 --checkpoint "runs/$model.checkpoint" --loss-curve "runs/${model}_loss.png" "$@"
"$bin/infer_$model" --checkpoint "runs/$model.checkpoint"
