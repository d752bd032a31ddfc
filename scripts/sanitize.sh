#!/usr/bin/env bash
# The sanitizer suite: builds everything (compiler, runtime, the models' generated code and their AOT
# compilation, tests) with AddressSanitizer and UndefinedBehaviorSanitizer in build-asan/
# (-DLOOM_SANITIZE=ON) and runs the default test set there. Any report fails the run: UBSan aborts on
# the first finding (-fno-sanitize-recover), ASan on the first error, LeakSanitizer at exit.
#
#   bash scripts/sanitize.sh [CTEST ARGUMENTS ...]      # e.g. -R runtime.
#
# A cold build takes over an hour on two cores; ccache (shared by every clone, see scripts/build.sh)
# makes later ones a matter of minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Release -DLOOM_SANITIZE=ON -DLOOM_BENCH=OFF >/dev/null
cmake --build build-asan -j "${LOOM_JOBS:-2}"

# Leaks inside Debian's libMLIR on malformed input are MLIR 14's (see the file); Loom's still count.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:detect_stack_use_after_return=0"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir build-asan --output-on-failure -j 2 -LE slow "$@"
