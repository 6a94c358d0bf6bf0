#!/usr/bin/env bash
# Installs dynlearn's dependencies, builds it with its tests, and runs the
# whole CTest suite (unit, MPI on 1-3 ranks, CLI, regression).
# Usage: bash tools/test.sh   (from the source tree; .ci/run calls this)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDYNLEARN_BUILD_TESTS=ON
cmake --build build -j"$(nproc)"
cd build
ctest --output-on-failure -j"$(nproc)" --timeout 600
