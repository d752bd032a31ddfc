#!/usr/bin/env bash
# Sets up the machine, builds Loom and runs the whole default test suite (README's second command):
# ctest without the slow training runs, then every fuzzer for 30 seconds (scripts/fuzz.sh), then the
# same ctest in the AddressSanitizer + UndefinedBehaviorSanitizer build (scripts/sanitize.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j 2 -LE slow
bash scripts/fuzz.sh 30
bash scripts/sanitize.sh
