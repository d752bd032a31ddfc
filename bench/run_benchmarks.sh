#!/usr/bin/env bash
# Runs Loom's benchmark suites side by side and prints GFLOP/s with ratios: the generated model
# libraries (whole pipeline, generic Halide lowering) against the hand-scheduled fused LSTM kernels
# and the naive reference. JSON results go to bench/results/<cpu>-<suite>.json.
# Usage: bash bench/run_benchmarks.sh [build-dir]   (build first: bash scripts/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
cpu=$(grep -m1 "model name" /proc/cpuinfo | sed 's/.*: //; s/[^A-Za-z0-9]\+/-/g; s/-$//')
mkdir -p bench/results
for suite in loom_kernel_bench:kernels loom_model_bench:models; do
  binary="${suite%%:*}"; dir="${suite##*:}"
  path=$(find "$build/bench/$dir" -maxdepth 1 -name "$binary" -type f | head -n 1)
  [ -x "$path" ] || { echo "run_benchmarks: $build/bench/$dir/$binary is missing; build first" >&2; exit 1; }
  "$path" --benchmark_format=json --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    > "bench/results/$cpu-$binary.json"
done
/usr/bin/python3 - "$cpu" <<'PY'
import json, sys
cpu = sys.argv[1]
rows = {}
for binary in ("loom_kernel_bench", "loom_model_bench"):
    for b in json.load(open(f"bench/results/{cpu}-{binary}.json"))["benchmarks"]:
        if b.get("aggregate_name") == "median":
            rows[b["run_name"]] = b
def gflops(name):
    for key, b in rows.items():
        if key.startswith(name):
            return b.get("GFLOP/s", 0) / 1e9 if b.get("GFLOP/s", 0) > 1e6 else b.get("GFLOP/s", 0)
    return None
print(f"{'case':44} {'GFLOP/s':>9}")
for key, b in sorted(rows.items()):
    value = b.get("GFLOP/s")
    print(f"{key:44} {value / 1e9 if value and value > 1e6 else value or 0:9.1f}")
for shape in ("T28_B128_I28_H128", "T50_B64_I512_H512"):
    for model, kernel in (("model_forward", "compiled_forward"), ("model_train_step", "compiled_forward_backward")):
        m, k = gflops(f"{model}/{shape}"), gflops(f"{kernel}/{shape}")
        if m and k:
            print(f"ratio {model}/{kernel} at {shape}: {m / k:.2f}")
PY
