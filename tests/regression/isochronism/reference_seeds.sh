#!/usr/bin/env bash
# Where PyTorch's training lands, per seed: an epochs = 0 dynlearn run of a
# deck (default the CI deck) gives the seed's initial parameters and points,
# then bench/isochronism_reference.py trains from them and prints the zero c
# of its f and max |f(x) + x| on [-2, 2], to compare with
# tests/regression/isochronism/seeds.sh (docs/isochronism.md, "The equilibrium").
#
#   tests/regression/isochronism/reference_seeds.sh                   # CI deck, seeds 1-4, 600 epochs
#   PIN=on SEEDS=2 tests/regression/isochronism/reference_seeds.sh    # with equilibrium = [0.0]
#   PIN=odd SEEDS=1 tests/regression/isochronism/reference_seeds.sh   # with symmetry = "odd"
#
# Environment: DYNLEARN (default build/bin/dynlearn), DECK, SEEDS, EPOCHS,
# PIN (off, on or odd). Outputs in out/refseeds/.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
DYNLEARN=${DYNLEARN:-build/bin/dynlearn}
DECK=${DECK:-inputs/isochronism/ci.toml}
SEEDS=${SEEDS:-1 2 3 4}
EPOCHS=${EPOCHS:-600}
PIN=${PIN:-off}
mkdir -p out/refseeds
for seed in $SEEDS; do
  name="ref_${PIN}_init_$seed"
  sed -e "s/^name = .*/name = \"$name\"/" -e "s|^output_dir = .*|output_dir = \"out/refseeds\"|" \
      -e "s/^seed = .*/seed = $seed/" -e "s/^stages = .*/stages = [\"train\"]/" \
      -e "s/^epochs = .*/epochs = 0/" -e "s/^snapshot_epochs = .*/snapshot_epochs = [0]/" \
      -e "/^equilibrium = /d" -e "/^symmetry = /d" "$DECK" > "out/refseeds/$name.toml"
  if [[ $PIN == on ]]; then
    sed -i -e "s/^\[isochronism\]$/[isochronism]\nequilibrium = [0.0]/" "out/refseeds/$name.toml"
  elif [[ $PIN == odd ]]; then
    sed -i -e "s/^\[isochronism\]$/[isochronism]\nsymmetry = \"odd\"/" "out/refseeds/$name.toml"
  fi
  "$DYNLEARN" run -q "out/refseeds/$name.toml"
  echo "seed $seed, pin $PIN"
  /usr/bin/python3 bench/isochronism_reference.py "out/refseeds/${name}_output.h5" --epochs "$EPOCHS" \
    --json "out/refseeds/ref_${PIN}_$seed.json"
done
