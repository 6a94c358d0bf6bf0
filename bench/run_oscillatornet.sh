#!/usr/bin/env bash
# OscillatorNet end-to-end timing: dynlearn against the PyTorch reference
# (bench/oscillatornet_reference.py, same model, loss, data, initial weights
# and Adam, float64, one thread) on the paper decks: the training on the 60
# observed points plus the 60-point free forecast with retraining (8000
# gradient steps at the paper's settings). Prints both times (best of
# REPEAT runs for dynlearn, whose runs take milliseconds), their ratio, and
# how closely the two agree (losses of the first 100 steps, learned weights).
#
#   bench/run_oscillatornet.sh                 # table01 table03 chain3 table05 table06 table10
#   bench/run_oscillatornet.sh table03         # some of them
#
# Environment: DYNLEARN (binary; default build/bin/dynlearn), PYTHON
# (default /usr/bin/python3, which has torch), REPEAT (default 5).
# Runs from the repository root; outputs go to out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
PYTHON=${PYTHON:-/usr/bin/python3}
DYNLEARN=${DYNLEARN:-build/bin/dynlearn}
REPEAT=${REPEAT:-5}
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(table01 table03 chain3 table05 table06 table10)
mkdir -p out/bench
printf "%-10s %8s %12s %12s %9s %14s %14s\n" case steps "dynlearn [s]" "torch [s]" ratio "loss rel diff" "weights diff"
for c in "${cases[@]}"; do
  deck=inputs/oscillatornet/$c.toml
  [[ -f $deck ]] || { echo "run_oscillatornet: no deck $deck" >&2; exit 2; }
  name=bench_oscillatornet_$c
  sed -e "s/^name = .*/name = \"$name\"/" -e "s|^output_dir = .*|output_dir = \"out/bench\"|" \
      -e 's/^stages = .*/stages = ["generate", "train"]/' "$deck" > "out/bench/$name.toml"
  best=""
  for ((r = 0; r < REPEAT; r++)); do
    "$DYNLEARN" run -q "out/bench/$name.toml"
    s=$("$PYTHON" -c "import h5py,sys; print(h5py.File(sys.argv[1])['/'].attrs['train_seconds'])" \
        "out/bench/${name}_output.h5")
    if [[ -z $best ]] || "$PYTHON" -c "import sys; sys.exit(0 if $s < $best else 1)"; then
      best=$s
      cp "out/bench/${name}_output.h5" "out/bench/${name}_best.h5"
    fi
  done
  "$PYTHON" bench/oscillatornet_reference.py "out/bench/${name}_best.h5" --compare > "out/bench/${name}_torch.json"
  "$PYTHON" - "$c" "out/bench/${name}_torch.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[2]))
print(f"{sys.argv[1]:<10s} {r['iterations']:8d} {r['dynlearn_seconds']:12.4f} {r['seconds']:12.3f} "
      f"{r['ratio']:8.0f}x {r['loss_rel_diff_first100']:14.2e} {r['learned_rel_diff']:14.2e}")
PY
done
