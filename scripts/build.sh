#!/usr/bin/env bash
# Configures and builds Loom in build/ (Release, ccache, at most two jobs: this is a 2-core machine
# and MLIR translation units are large). Extra arguments go to the CMake configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${LOOM_JOBS:-2}"
# Paths under the checkout are hashed relative to it, so every clone shares one ccache.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
cmake --build build -j "$jobs"
