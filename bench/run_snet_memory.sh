#!/usr/bin/env bash
# Peak memory (max RSS) of δ-SNet and BKPR-DoPr5 training on the Table 1a
# vehicle problem as the samples per trajectory grow (100 trajectories over
# 10 s; 100, 1000, 10000 uniform samples), against the size of the training
# data itself. The issue's target: δ-SNet's memory independent of the
# number of samples (the paper's section 4: the state is p + 1 coefficients
# per element, where backprop through a solver stores every step).
#
#   bench/run_snet_memory.sh
#
# Environment: DYNLEARN (default build/bin/dynlearn), SAMPLES (default
# "100 1000 10000"), PYTHON (default python3). Decks and outputs go to
# out/bench/snet_mem/. Runs from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
DYNLEARN=${DYNLEARN:-build/bin/dynlearn}
PYTHON=${PYTHON:-python3}
DIR=out/bench/snet_mem
mkdir -p "$DIR"
for s in ${SAMPLES:-100 1000 10000}; do
  # The [data] table of vehicle_data.toml with s samples over the same 10 s
  # (test: one short trajectory, not timed).
  data_table=$(printf '[data]\nfile = "%s/data_%s.h5"\nn_train = 100\nn_test = 1\ndt = %s\ntrain_steps = %s\ntest_steps = 10\ngrid = "uniform"\nkeep_fraction = 1.0\nobserve = "state"\n' \
    "$DIR" "$s" "$("$PYTHON" -c "print(repr(10.0 / ($s - 1)))")" "$((s - 1))")
  sed -e '/^\[data\]/,$d' -e "s|^name = .*|name = \"data_$s\"|" -e "s|^output_dir = .*|output_dir = \"$DIR\"|" \
    inputs/snet/vehicle_data.toml > "$DIR/data_$s.toml"
  echo "$data_table" >> "$DIR/data_$s.toml"
  [[ -f $DIR/data_$s.h5 ]] || "$DYNLEARN" run "$DIR/data_$s.toml" > /dev/null
  for m in delta_snet bkpr_dopri5; do
    iterations=$([[ $m == delta_snet ]] && echo 50 || echo 2)
    awk -v data="$data_table" '
      /^\[data\]/ {print data; skip = 1; next}
      /^\[/ {skip = 0}
      !skip' "inputs/snet/table1a_$m.toml" |
      sed -e "s|^name = .*|name = \"${m}_$s\"|" -e "s|^output_dir = .*|output_dir = \"$DIR\"|" \
        -e 's|^stages = .*|stages = ["train"]|' -e "s|^iterations = .*|iterations = $iterations|" \
        -e 's|^delta = .*|delta = 0.0|' -e 's|^log_every = .*|log_every = 0|' > "$DIR/${m}_$s.toml"
  done
done
"$PYTHON" - "$DYNLEARN" "$DIR" ${SAMPLES:-100 1000 10000} <<'PY'
import os, subprocess, sys
dynlearn, folder, samples = sys.argv[1], sys.argv[2], [int(s) for s in sys.argv[3:]]
def peak_mib(deck):
    child = subprocess.Popen([dynlearn, "run", deck], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"{deck} failed")
    return usage.ru_maxrss / 1024.0
print(f"{'samples':>8} {'data MiB':>9} {'δ-SNet MiB':>11} {'BKPR-DoPr5 MiB':>15}")
for s in samples:
    data_mib = 100 * s * (1 + 6) * 8 / 2**20  # times and states, float64
    delta = peak_mib(f"{folder}/delta_snet_{s}.toml")
    dopri = peak_mib(f"{folder}/bkpr_dopri5_{s}.toml")
    print(f"{s:>8} {data_mib:>9.1f} {delta:>11.1f} {dopri:>15.1f}")
PY
