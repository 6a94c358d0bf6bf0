#!/usr/bin/env bash
# SRNN end-to-end timing: dynlearn against the PyTorch reference
# (bench/srnn_reference.py) on the same dataset and settings, per case of
# bench/decks/srnn_*.toml. Prints ms/epoch of both (epoch 1, the warm-up,
# excluded) and their ratio.
#
#   bench/run_srnn.sh                      # every case: spring_chain three_body small
#   bench/run_srnn.sh three_body small     # some of them
#   bench/run_srnn.sh three_body@1         # the same deck with [train] shards = 1
#
# dynlearn splits every batch into [train] shards parts (10 in the decks) and
# rolls each part out separately (fixed shards make results independent of the
# rank count); `CASE@S` reruns a case with shards = S (same batch size and
# batch count; the reference follows the same shards).
#
# Environment: DYNLEARN (binary; default build-bench/bin/dynlearn, else
# build/bin/dynlearn), PYTHON (default /usr/bin/python3, which has torch),
# NP (MPI ranks of dynlearn, default 1: the reference runs on one thread),
# TORCH=0 (reuse the reference's timing from an earlier run's JSON),
# DYNLEARN_RUN=0 (reuse dynlearn's output file from an earlier run),
# TORCH_BLAS (a directory holding a libblas.so.3, put first on the
# reference's LD_LIBRARY_PATH only: Debian's python3-torch does its float64
# matrix products through the system libblas.so.3, which is the unoptimised
# reference BLAS unless an optimised one is installed; see bench/RESULTS.md),
# TAG (suffix of the reference's JSON file, to keep several variants).
# Runs from the repository root; outputs go to out/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
PYTHON=${PYTHON:-/usr/bin/python3}
NP=${NP:-1}
if [[ -z "${DYNLEARN:-}" ]]; then
  DYNLEARN=build-bench/bin/dynlearn
  [[ -x $DYNLEARN ]] || DYNLEARN=build/bin/dynlearn
fi
cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(spring_chain three_body small)
mkdir -p out/bench

rows=()
for c in "${cases[@]}"; do
  base=${c%@*}
  deck=bench/decks/srnn_$base.toml
  [[ -f $deck ]] || { echo "run_srnn: no deck $deck" >&2; exit 2; }
  name=srnn_$base
  if [[ $c == *@* ]]; then
    shards=${c#*@}
    name=srnn_${base}_s$shards
    sed -e "s/^name = .*/name = \"$name\"/" -e "s/^shards = .*/shards = $shards/" "$deck" > "out/bench/$name.toml"
    deck=out/bench/$name.toml
  fi
  echo "== $c: dynlearn ($NP rank(s)) =="
  if [[ ${DYNLEARN_RUN:-1} == 0 && -f out/bench/${name}_output.h5 ]]; then
    echo "(reusing out/bench/${name}_output.h5)"
  elif [[ $NP -gt 1 ]]; then
    mpirun -np "$NP" --oversubscribe "$DYNLEARN" run "$deck"
  else
    "$DYNLEARN" run "$deck"
  fi
  dyn_ms=$("$PYTHON" - "out/bench/${name}_output.h5" <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    s = np.asarray(f["history/seconds"][...]).ravel()
print(f"{1e3 * s[1:].mean():.3f}" if s.size > 1 else "nan")
EOF
)
  json=out/bench/${name}_torch${TAG:-}.json
  if [[ ${TORCH:-1} != 0 || ! -f $json ]]; then
    echo "== $c: PyTorch reference =="
    LD_LIBRARY_PATH=${TORCH_BLAS:+$TORCH_BLAS:}${LD_LIBRARY_PATH:-} \
      "$PYTHON" bench/srnn_reference.py "out/bench/${name}_data.h5" --json "$json"
  fi
  torch_ms=$("$PYTHON" -c "import json,sys; print(f\"{json.load(open(sys.argv[1]))['ms_per_epoch']:.3f}\")" "$json")
  rows+=("$c $dyn_ms $torch_ms")
done

echo
printf '| %-13s | %18s | %18s | %22s |\n' case "dynlearn ms/epoch" "PyTorch ms/epoch" "speed-up (PyTorch/dynlearn)"
printf '|%s|%s|%s|%s|\n' --------------- -------------------- -------------------- ------------------------------
for r in "${rows[@]}"; do
  read -r c d t <<<"$r"
  ratio=$(awk -v d="$d" -v t="$t" 'BEGIN { printf "%.2f", t / d }')
  printf '| %-13s | %18s | %18s | %27sx |\n' "$c" "$d" "$t" "$ratio"
done
