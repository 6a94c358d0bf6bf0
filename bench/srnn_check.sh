#!/usr/bin/env bash
# Equivalence check of bench/srnn_reference.py against dynlearn on the same
# parameters: for each variant, a 0-epoch dynlearn run gives the initial
# /model/parameters, a 3-epoch full-batch run gives the epoch losses (epoch 1's
# loss is the loss at the initial parameters; epochs 2-3 follow Adam steps);
# the reference starts from the same parameters and prints its losses. They
# agree to ~1e-15 relative (recorded in bench/RESULTS.md).
#
#   bench/srnn_check.sh        # outputs in out/bench/check/
set -euo pipefail
cd "$(dirname "$0")/.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
PYTHON=${PYTHON:-/usr/bin/python3}
DYNLEARN=${DYNLEARN:-build-bench/bin/dynlearn}
[[ -x $DYNLEARN ]] || DYNLEARN=build/bin/dynlearn
dir=out/bench/check
mkdir -p $dir
# name model hidden integrator window
variants=("hnet_l hnet [32] leapfrog 9" "hnet2_l hnet [16,24] leapfrog 4" "hnet_e hnet [16] euler 2" "onet_e onet [16,16] euler 3")
for v in "${variants[@]}"; do
  read -r name model hidden integrator window <<<"$v"
  for epochs in 0 3; do
    sed -e "s/^name = .*/name = \"${name}_$epochs\"/" -e "s#^output_dir = .*#output_dir = \"$dir\"#" \
        -e "s/^stages = .*/stages = [\"generate\", \"train\"]/" -e "s/^type = \"hnet\"/type = \"$model\"/" \
        -e "s/^hidden = .*/hidden = $hidden/" -e "0,/^integrator = \"leapfrog\"/s//integrator = \"$integrator\"/" \
        -e "s/^window = .*/window = $window/" -e "s/^epochs = .*/epochs = $epochs/" -e "s/^batch_size = .*/batch_size = 0/" \
        bench/decks/srnn_small.toml > $dir/${name}_$epochs.toml
    "$DYNLEARN" -q run $dir/${name}_$epochs.toml
  done
  echo "== $name: $model $hidden $integrator window $window (full batch, 3 epochs)"
  "$PYTHON" bench/srnn_reference.py $dir/${name}_3_data.h5 --init-from $dir/${name}_0_output.h5 --check-init |
    grep -v '^srnn_reference\|ms/epoch' | sed 's/ *[0-9.]* ms$//' | sed 's/^/  pytorch  /'
  "$PYTHON" -c "
import h5py, sys
with h5py.File(sys.argv[1]) as f:
    for e, l in zip(f['history/epoch'][...], f['history/loss'][...]): print(f'  dynlearn epoch {int(e):4d}  loss {l:.16e}')
" $dir/${name}_3_output.h5
done
