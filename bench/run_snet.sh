#!/usr/bin/env bash
# SNet per-iteration timings: dynlearn's six methods (bench/snet_iteration.cpp,
# Google Benchmark) against the PyTorch reference of δ-SNet and BKPR-Euler
# (bench/snet_reference.py) on the same dataset, float64, one thread each.
# Prints ms/iteration (CPU time, the median of REPEATS repetitions that
# Google Benchmark interleaves at random: the machine may be shared) and the ratios
# the issue targets: PyTorch δ-SNet / dynlearn δ-SNet (>= 20x), dynlearn
# BKPR-DoPr5 / dynlearn δ-SNet (>= 200x; paper 22x), and the same for
# BKPR-Euler. Then δ-SNet alone at equal thread counts, wall time, REPEATS
# alternating rounds (medians; a shared machine drifts by 20 % within
# minutes): dynlearn on 1 and 2 ranks (a 2 x 1 trajectory grid; the paper's
# problem has one element) against PyTorch with 1 and 2 threads.
#
#   bench/run_snet.sh
#
# Environment: BUILD (build directory configured with
# -DDYNLEARN_BUILD_BENCH=ON; default build-snetb), PYTHON (default
# /usr/bin/python3, which has torch), MIN_TIME (Google Benchmark
# --benchmark_min_time, default 2), ITERATIONS (reference iterations,
# default 50), REPEATS (rounds of the equal-threads δ-SNet comparison,
# default 3), RUN=0 (only print the summary of the last run's JSON files).
# Runs from the repository root; the dataset is
# out/snet/vehicle_data.h5 (generated from inputs/snet/vehicle_data.toml if
# missing) and the results go to out/bench/snet_*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
BUILD=${BUILD:-build-snetb}
PYTHON=${PYTHON:-/usr/bin/python3}
MIN_TIME=${MIN_TIME:-2}
ITERATIONS=${ITERATIONS:-50}
DATA=out/snet/vehicle_data.h5
mkdir -p out/bench
if [[ ${RUN:-1} != 0 ]]; then
  [[ -f $DATA ]] || "$BUILD/bin/dynlearn" run inputs/snet/vehicle_data.toml
  SNET_DATASET=$DATA "$BUILD/bench/bench_snet_iteration" --benchmark_min_time="$MIN_TIME" \
    --benchmark_repetitions="${REPEATS:-3}" --benchmark_enable_random_interleaving=true \
    --benchmark_report_aggregates_only=true --benchmark_format=json --benchmark_out=out/bench/snet_dynlearn.json \
    --benchmark_out_format=json > /dev/null
  "$PYTHON" bench/snet_reference.py "$DATA" --iterations "$ITERATIONS" > out/bench/snet_torch.json
  : > out/bench/snet_threads.jsonl
  for ((round = 0; round < ${REPEATS:-3}; ++round)); do
    for n in 1 2; do
      mpiexec -n "$n" "$BUILD/bench/bench_snet_iteration" --ranks-timing >> out/bench/snet_threads.jsonl
      "$PYTHON" bench/snet_reference.py "$DATA" --methods delta_snet --iterations 200 \
        --threads "$n" >> out/bench/snet_threads.jsonl
    done
  done
fi
"$PYTHON" - <<'PY'
import json
# Medians over the repetitions, which Google Benchmark interleaves at random.
dyn = {b["run_name"]: b for b in json.load(open("out/bench/snet_dynlearn.json"))["benchmarks"]
       if b.get("aggregate_name") == "median"}
ref = json.load(open("out/bench/snet_torch.json"))
names = {"BM_DeltaSnet": "delta_snet", "BM_AlphaSnet": "alpha_snet",
         "BM_Matching/bkpr_euler": "bkpr_euler", "BM_Matching/bkpr_dopri5": "bkpr_dopri5",
         "BM_Matching/adj_euler": "adj_euler", "BM_Matching/adj_dopri5": "adj_dopri5"}
cpu = {names[k]: v["cpu_time"] for k, v in dyn.items() if k in names}
wall = {names[k]: v["real_time"] for k, v in dyn.items() if k in names}
fmt = lambda v: "-" if v is None else f"{v:.3f}"
print(f"{'method':<12} {'dynlearn cpu ms':>16} {'wall ms':>10} {'torch cpu ms':>13} {'torch wall':>11}")
for m in ["delta_snet", "alpha_snet", "bkpr_euler", "bkpr_dopri5", "adj_euler", "adj_dopri5"]:
    print(f"{m:<12} {cpu[m]:>16.3f} {wall[m]:>10.3f} {fmt(ref.get(f'{m}_cpu_ms')):>13} "
          f"{fmt(ref.get(f'{m}_ms')):>11}")
d = cpu["delta_snet"]
print(f"torch δ-SNet / dynlearn δ-SNet (cpu):       {ref['delta_snet_cpu_ms'] / d:8.1f}x  (target >= 20x)")
print(f"torch BKPR-Euler / dynlearn BKPR-Euler (cpu): {ref['bkpr_euler_cpu_ms'] / cpu['bkpr_euler']:8.1f}x")
print(f"dynlearn BKPR-DoPr5 / δ-SNet (cpu):           {cpu['bkpr_dopri5'] / d:8.1f}x  (target >= 200x; paper 22x)")
print(f"dynlearn BKPR-Euler / δ-SNet (cpu):           {cpu['bkpr_euler'] / d:8.1f}x  (paper 12x)")
print(f"dynlearn ADJ-DoPr5 / δ-SNet (cpu):            {cpu['adj_dopri5'] / d:8.1f}x  (paper 424x)")
from statistics import median
rounds = [json.loads(line) for line in open("out/bench/snet_threads.jsonl")]
dyn_ms = {n: median(r["delta_snet_ms"] for r in rounds if r.get("ranks") == n) for n in (1, 2)}
torch_ms = {n: median(r["delta_snet_ms"] for r in rounds if r.get("threads") == n) for n in (1, 2)}
print(f"δ-SNet wall ms/iteration, median of {len(rounds) // 4} alternating rounds:")
for n in (1, 2):
    print(f"  {n} thread(s): dynlearn {dyn_ms[n]:.4f} ({n} rank(s))  torch {torch_ms[n]:.3f}  "
          f"torch / dynlearn {torch_ms[n] / dyn_ms[n]:6.1f}x  (target >= 20x)")
best = min(torch_ms.values())
print(f"  torch at its fastest thread count / dynlearn on 2 ranks: {best / dyn_ms[2]:6.1f}x")
print(f"  dynlearn 1 -> 2 ranks: speed-up {dyn_ms[1] / dyn_ms[2]:.2f} "
      f"(efficiency {dyn_ms[1] / dyn_ms[2] / 2:.0%})")
PY
