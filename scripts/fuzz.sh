#!/usr/bin/env bash
# Loom's fuzzers: builds them in build-fuzz/ (clang 14, libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer) and runs each for SECONDS (default 30) from its seed corpus.
#
#   bash scripts/fuzz.sh [SECONDS] [NAME ...]      # NAME: parameter_file idx text cmudict spam_assassin ir onnx
#
# Inputs that find new coverage go to build-fuzz/corpus/<name> (the seeds in fuzz/corpus are not
# touched); a crash, a sanitizer report, a hang over 10 s or an exception other than loom::Error is
# saved in build-fuzz/findings/<name>/ and makes the script exit 1. It prints each fuzzer's
# executions. Reproduce a finding with build-fuzz/fuzz/<name>_fuzzer <file>.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
names=${*:-parameter_file idx text cmudict spam_assassin ir onnx}
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

bash scripts/setup.sh >&2  # clang-14 and libclang-rt-14-dev (libFuzzer, the sanitizer runtimes) among the rest
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-14 \
  -DCMAKE_CXX_COMPILER=clang++-14 -DLOOM_FUZZ=ON >/dev/null
targets=""
for name in $names; do targets="$targets ${name}_fuzzer"; done
cmake --build build-fuzz -j "${LOOM_JOBS:-2}" --target $targets

# Leaks inside Debian's libMLIR on malformed input are MLIR 14's (see the file); Loom's still count.
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
failed=0
for name in $names; do
  corpus=build-fuzz/corpus/$name findings=build-fuzz/findings/$name
  mkdir -p "$corpus" "$findings"
  log=build-fuzz/findings/$name.log
  # One process, one job: the machine may be shared. Leaks are reported too (LeakSanitizer).
  if build-fuzz/fuzz/${name}_fuzzer -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" "fuzz/corpus/$name" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $name: $runs executions in ${seconds} s, no crash ($(ls "$corpus" | wc -l) inputs in its corpus)"
  else
    failed=1
    echo "fuzz: $name FAILED; the input is in $findings/, the report in $log:" >&2
    grep -m 12 -E "ERROR|SUMMARY|fuzzer: |runtime error|Test unit written" "$log" >&2 || tail -20 "$log" >&2
  fi
done
exit $failed
