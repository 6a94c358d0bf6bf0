#!/usr/bin/env bash
# Isochronism end-to-end timing: dynlearn against the PyTorch reference
# (bench/isochronism_reference.py) on the same model, initial parameters,
# points, RK4 steps and loss (inputs/isochronism/paper.toml: 100 points,
# f 1-16-1 tanh, 100 RK4 steps over T = 2π, Adam). Prints ms/epoch of both
# (epoch 1, the warm-up, excluded), their ratio, and how far the two loss
# histories are apart over the first epochs (same computation in float64: they
# agree to rounding until chaos in the optimisation amplifies it).
#
#   bench/run_isochronism.sh              # 200 epochs
#   EPOCHS=50 STEPS=40 bench/run_isochronism.sh
#
# Environment: DYNLEARN (binary; default build-iso/bin/dynlearn, else
# build/bin/dynlearn), PYTHON (default /usr/bin/python3, which has torch), NP
# (MPI ranks of dynlearn, default 1: the reference runs on one thread), EPOCHS,
# STEPS (RK4 steps over [0, T], default the deck's 100), POINTS (default 100),
# CHECK (epochs whose losses are compared, default 5), EQUILIBRIUM (pin the
# force's zero there, [isochronism] equilibrium = [EQUILIBRIUM]; default: no
# pin, the paper's model), SYMMETRY (odd: [isochronism] symmetry = "odd",
# f(x) = (g(x) - g(-x)) / 2; default none).
# Runs from the repository root; outputs go to out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
PYTHON=${PYTHON:-/usr/bin/python3}
NP=${NP:-1}
EPOCHS=${EPOCHS:-200}
STEPS=${STEPS:-100}
POINTS=${POINTS:-100}
CHECK=${CHECK:-5}
EQUILIBRIUM=${EQUILIBRIUM:-}
SYMMETRY=${SYMMETRY:-none}
if [[ -z "${DYNLEARN:-}" ]]; then
  DYNLEARN=build-iso/bin/dynlearn
  [[ -x $DYNLEARN ]] || DYNLEARN=build/bin/dynlearn
fi
mkdir -p out/bench
deck() {  # deck NAME EPOCHS
  sed -e "s/^name = .*/name = \"$1\"/" -e "s|^output_dir = .*|output_dir = \"out/bench\"|" \
      -e "s/^stages = .*/stages = [\"train\"]/" -e "s/^epochs = .*/epochs = $2/" \
      -e "s/^steps = .*/steps = $STEPS/" -e "s/^points = .*/points = $POINTS/" \
      -e "s/^snapshot_epochs = .*/snapshot_epochs = [0]/" inputs/isochronism/paper.toml > "out/bench/$1.toml"
  if [[ -n $EQUILIBRIUM ]]; then
    sed -i -e "s/^\[isochronism\]$/[isochronism]\nequilibrium = [$EQUILIBRIUM]/" "out/bench/$1.toml"
  fi
  sed -i -e "s/^\[isochronism\]$/[isochronism]\nsymmetry = \"$SYMMETRY\"/" "out/bench/$1.toml"
}
deck iso_bench_init 0
deck iso_bench "$EPOCHS"
launch=()
[[ $NP -gt 1 ]] && launch=(mpiexec -n "$NP" --oversubscribe)
"${launch[@]}" "$DYNLEARN" run -q out/bench/iso_bench_init.toml
"${launch[@]}" "$DYNLEARN" run -q out/bench/iso_bench.toml
"$PYTHON" bench/isochronism_reference.py out/bench/iso_bench_init_output.h5 --epochs "$EPOCHS" \
  --json out/bench/iso_bench_torch.json
"$PYTHON" - "$CHECK" "$NP" <<'PY'
import json, sys
import h5py
import numpy as np
check, np_ranks = int(sys.argv[1]), int(sys.argv[2])
with h5py.File("out/bench/iso_bench_output.h5", "r") as f:
    seconds = np.asarray(f["/history/seconds"])
    loss = np.asarray(f["/history/loss"])
torch = json.load(open("out/bench/iso_bench_torch.json"))
ms = 1e3 * seconds[1:].mean()
ref = np.asarray(torch["loss"])
n = min(check, len(loss))
rel = np.abs(loss[:n] - ref[:n]) / np.abs(ref[:n])
print(f"dynlearn ({np_ranks} rank(s)): {len(loss)} epochs, {ms:.3f} ms/epoch (epochs 2..)")
print(f"torch    (1 thread):  {torch['epochs']} epochs, {torch['ms_per_epoch']:.3f} ms/epoch (epochs 2..)")
print(f"speed-up: {torch['ms_per_epoch'] / ms:.1f}x  ({torch['points']} points, {torch['steps']} RK4 steps, "
      f"hidden {torch['hidden']})")
print(f"loss, epochs 1..{n}: dynlearn {' '.join(f'{v:.12e}' for v in loss[:n])}")
print(f"                  torch    {' '.join(f'{v:.12e}' for v in ref[:n])}")
print(f"max relative difference over epochs 1..{n}: {rel.max():.2e}; at the last epoch: "
      f"{abs(loss[-1] - ref[-1]) / abs(ref[-1]):.2e}")
PY
