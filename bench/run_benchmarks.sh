#!/usr/bin/env bash
# Loom's performance regression benchmarks: runs the suites side by side in one go and compares Loom with
# oneDNN as ratios, which stay meaningful on a shared, noisy machine where absolute times do not.
#
#   bash bench/run_benchmarks.sh [--build DIR] [--filter REGEX] [--threshold FRACTION] [--update]
#
# Suites (Google Benchmark, medians of ROUNDS paired rounds, default 3): loom_model_bench (generated LSTM, GRU and tanh RNN layers,
# forward and train_step, at the five shapes of bench/common/bench_shapes.h), loom_onednn_bench (oneDNN's RNN
# primitives on the same shapes; Debian's libdnnl-dev is installed when missing), loom_kernel_bench (the
# hand-scheduled fused LSTM kernels), and the machine's FMA peak. It also times the AOT compilation of every
# model under build/models and bench/models.
#
# Results go to bench/results/<cpu>.json. When that file holds an earlier run, every Loom/oneDNN ratio is compared
# with the stored one and the script exits with status 1 when any fell by more than --threshold (default 0.15,
# i.e. 15%); --update (or the first run) stores this run as the new reference. THREADS sets the thread count of
# both Loom (HL_NUM_THREADS) and oneDNN (OMP_NUM_THREADS); default: every core. ROUNDS sets the number of paired
# rounds (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build filter="" threshold=0.15 update=0
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --threshold) threshold=$2; shift 2 ;;
    --update) update=1; shift ;;
    *) echo "usage: bash bench/run_benchmarks.sh [--build DIR] [--filter REGEX] [--threshold FRACTION] [--update]" >&2
       exit 2 ;;
  esac
done
cpu=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //; s/[^A-Za-z0-9]\+/-/g; s/-$//')
threads=${THREADS:-$(nproc)}
export HL_NUM_THREADS=$threads OMP_NUM_THREADS=$threads

if [ ! -f /usr/include/oneapi/dnnl/dnnl.hpp ]; then
  echo "run_benchmarks: installing oneDNN (libdnnl-dev), the baseline" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get install -y -qq --no-install-recommends libdnnl-dev >&2 ||
    echo "run_benchmarks: could not install libdnnl-dev; running without the oneDNN baseline" >&2
  cmake "$build" >/dev/null
fi
cmake --build "$build" -j2 --target loom_model_bench loom_kernel_bench $(
  [ -f /usr/include/oneapi/dnnl/dnnl.hpp ] && echo loom_onednn_bench) >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Paired rounds: in each round every shape runs in oneDNN and then in Loom, one after the other, so that each
# Loom/oneDNN ratio compares runs seconds apart rather than whole suites minutes apart (the load of a shared
# machine drifts over minutes). The report takes medians over the rounds, of times and of per-round ratios.
binaries=""
for binary in loom_onednn_bench loom_model_bench loom_kernel_bench; do
  path=$(find "$build/bench" -name "$binary" -type f -perm -u+x | head -n 1)
  [ -n "$path" ] || { echo "run_benchmarks: $binary is not built; skipping it" >&2; continue; }
  "$path" --benchmark_list_tests ${filter:+--benchmark_filter="$filter"} > "$work/$binary.list"
  binaries="$binaries $path"
done
groups=$(cat "$work"/*.list | sed -n 's|.*/\(T[0-9]*_B[0-9]*_I[0-9]*_H[0-9]*\)\(/.*\)\{0,1\}$|\1|p' | sort -u)
rounds=${ROUNDS:-3}
for round in $(seq "$rounds"); do
  for group in $groups other; do
    for path in $binaries; do
      binary=$(basename "$path")
      if [ "$group" = other ]; then
        names=$(grep -v -E '/T[0-9]+_B[0-9]+_I[0-9]+_H[0-9]+(/|$)' "$work/$binary.list" || true)
      else
        names=$(grep -E "/$group(/|\$)" "$work/$binary.list" || true)
      fi
      [ -n "$names" ] || continue
      echo "run_benchmarks: round $round/$rounds, $group, $binary ($threads threads)" >&2
      "$path" --benchmark_filter="^($(echo $names | tr ' ' '|'))\$" \
        --benchmark_out="$work/round$round.$group.$binary.json" --benchmark_out_format=json >&2
    done
  done
done
suites=$(ls "$work"/round*.json)

# AOT compile time of every model: its loomc again, into a scratch directory.
: > "$work/compile.tsv"
mkdir -p "$work/compiled"
for generated in $(find "$build/models" "$build/bench/models" -maxdepth 2 -type d -name '*_generated' | sort); do
  model=$(basename "$generated" _generated)
  timed=0
  # The model's compiler is one of the loomc-* beside it: the one that knows the model (others fail at once).
  for compiler in $(find "$(dirname "$generated")" -maxdepth 1 -name 'loomc-*' -type f -perm -u+x); do
    start=$EPOCHREALTIME
    if "$compiler" --model="$model" --emit=library -o "$work/compiled" >/dev/null 2>&1; then
      awk -v model="$model" -v start="$start" -v end="$EPOCHREALTIME" 'BEGIN { printf "%s\t%.2f\n", model, end - start }' \
        >> "$work/compile.tsv"
      timed=1
      break
    fi
  done
  [ "$timed" = 1 ] || echo "run_benchmarks: no compiler beside $generated compiles $model" >&2
done

/usr/bin/python3 bench/compare_results.py --cpu "$cpu" --threads "$threads" --threshold "$threshold" \
  --update "$update" --compile-times "$work/compile.tsv" --stored "bench/results/$cpu.json" $suites
