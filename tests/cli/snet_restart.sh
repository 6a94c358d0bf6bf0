#!/usr/bin/env bash
# snet_restart.sh DYNLEARN MPIEXEC METHOD CUT RESTART...
# An SNet run stopped by a signal writes a checkpoint and exits with code 5;
# continued with --restart, on any rank count and grid shape, it ends with
# exactly the results of a run never stopped (history, θ and test forecast,
# bit for bit). Each CUT / RESTART is RANKSxBLOCKS (MPI ranks x [snet]
# time_blocks); one reference run on 1 rank is compared with a cut-and-restart
# run for CUT and every RESTART in turn. A run on 1 rank gets SIGTERM, one
# under mpiexec SIGUSR1 (what SLURM sends; mpiexec forwards it).
set -u
dynlearn=$1; mpiexec=$2; method=$3; cut=$4; shift 4
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

# A tiny vehicle problem: 6 trajectories in 3 shards, 3 elements of order 6
# (so up to 3 time blocks), a never-reached stopping threshold so the run
# lasts its iterations, and a checkpoint every 50 iterations.
data_keys() {
  cat <<DECK
[system]
type = "vehicle"
[data]
file = "$work/data.h5"
n_train = 6
n_test = 2
dt = 0.1
train_steps = 30
test_steps = 60
DECK
}
{ printf '[run]\nname = "data"\noutput_dir = "."\nseed = 4\nstages = ["generate"]\n'; data_keys; } > data.toml
deck() {  # deck BLOCKS
  printf '[run]\nname = "run"\noutput_dir = "."\nseed = 4\nmethod = "snet"\nstages = ["train", "evaluate"]\n'
  data_keys
  cat <<DECK
[snet]
method = "$method"
hidden = [8]
p = 6
elements = 3
time_blocks = $1
trajectory_shards = 3
iterations = ${SNET_RESTART_ITERATIONS:-4000}
delta = 0.0
x_steps = 2
theta_steps = 2
log_every = 0
checkpoint_every = 50
DECK
}
launch() {  # launch RANKS ARGS...: dynlearn directly on 1 rank, else under mpiexec
  # exec: in the background the subshell becomes the process that gets the signal.
  local ranks=$1; shift
  if [[ $ranks -eq 1 ]]; then exec "$dynlearn" "$@"; else exec "$mpiexec" -n "$ranks" --oversubscribe "$dynlearn" "$@"; fi
}
"$dynlearn" run -q data.toml || { echo "FAIL: dataset"; exit 1; }
mkdir ref && (cd ref && deck 1 > deck.toml && "$dynlearn" run -q deck.toml) ||
  { echo "FAIL: reference run failed"; exit 1; }

for restart in "$@"; do
  dir="cut_${cut}_restart_${restart}"
  mkdir "$dir" && cd "$dir" || exit 1
  deck "${cut#*x}" > deck.toml
  launch "${cut%x*}" run deck.toml > cut.log 2>&1 &
  pid=$!
  # Stop it once it is training (its first checkpoint exists), well before the end.
  for _ in $(seq 1 1200); do
    # compgen, not ls: the run deletes all but its last two checkpoints, and
    # ls fails on a name the glob listed just before its deletion.
    compgen -G "run_checkpoint_*.h5" >/dev/null && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  if [[ ${cut%x*} -eq 1 ]]; then kill -TERM $pid; else kill -USR1 $pid; fi
  wait $pid; code=$?
  cat cut.log
  [[ $code -eq 5 ]] || { echo "FAIL: $dir: interrupted run exited with $code, expected 5"; exit 1; }
  grep -q "continue with: dynlearn run DECK --restart" cut.log || { echo "FAIL: no restart hint"; exit 1; }
  deck "${restart#*x}" > deck.toml
  (launch "${restart%x*}" run -q --restart deck.toml) || { echo "FAIL: $dir: restart failed"; exit 1; }
  for object in /history/iteration /history/loss /history/residual /model/parameters /train/summary \
                /evaluate/forecast /evaluate/mse; do
    if [[ $object == /train/summary ]]; then
      # [iterations, final loss, final residual, ms per iteration, matching loss]: all but the timing.
      /usr/bin/python3 - ../ref/run_output.h5 run_output.h5 <<'PY' || { echo "FAIL: $dir: /train/summary differs"; exit 1; }
import sys, h5py, numpy as np
a, b = (h5py.File(p, "r")["/train/summary"][()] for p in sys.argv[1:3])
sys.exit(0 if np.array_equal(np.delete(a, 3), np.delete(b, 3), equal_nan=True) else 1)
PY
      continue
    fi
    h5diff ../ref/run_output.h5 run_output.h5 $object || { echo "FAIL: $dir: $object differs after restart"; exit 1; }
  done
  echo "ok: $dir: $(grep -o 'stopped at iteration [0-9]*' cut.log), restarted, identical results"
  cd ..
done
