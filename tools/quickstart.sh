#!/usr/bin/env bash
# Installs dynlearn's dependencies, builds it, and runs the quickstart deck
# on 2 ranks. Usage: bash tools/quickstart.sh   (from the source tree)
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)" --target dynlearn_exe
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mpirun -np 2 --oversubscribe build/bin/dynlearn run inputs/quickstart.toml
/usr/bin/python3 tools/plot_dataset.py out/quickstart_data.h5
/usr/bin/python3 tools/srnn_figures.py out/quickstart_output.h5:SRNN --figures 3 loss --outdir out
echo "quickstart done: out/quickstart_data.png (data), out/*.png (forecast and training loss),"
echo "and 'build/bin/dynlearn inspect out/quickstart_output.h5' for what the output holds"
