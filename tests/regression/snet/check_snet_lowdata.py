#!/usr/bin/python3
"""SNet low-data regression checks (snet.txt, Table 1b) at CI size.

    check_snet_lowdata.py --dir DIR

Two α-SNet runs on a random 25 % of the CI vehicle samples (13 of 51 per
trajectory): one element with the ridge fit (fit_ridge = 1e-2, the low-data
decks' earlier fix) and two elements with the curvature-penalised fit
(fit_smoothing = 1e-7, the current decks). The penalised fit must
1. give a model Dormand-Prince integrates over the 10x test horizon (finite
   test MSE) that matches the training data (matching loss < 0.05),
2. beat the ridge fit's matching loss at least 10x (a NaN counts as worse),
3. end with a residual R at least 5x below the ridge fit's.
Measured on seeds 1, 2, 3: matching 0.014 / 0.0037 / 0.0078 against 1.3 /
2.4e3 / 2.2 and R 0.087 / 0.082 / 0.086 against 2.8 / 1.3 / 1.4; the ridge
run's test forecast is NaN on all three.
Prints one line per check and exits 1 on any failure.
"""
import argparse
import math
import os
import sys

import h5py


def load(directory, name):
    with h5py.File(os.path.join(directory, f"ci_vehicle_alpha_snet_25_{name}_output.h5"), "r") as f:
        return {
            "residual": float(f["train"].attrs["final_residual"]),
            "matching": float(f["train"].attrs["final_matching_loss"]),
            "mse": float(f["evaluate"].attrs["mse"]),
        }


def worse_or_nan(value, bound):
    return math.isnan(value) or value > bound


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    ridge = load(args.dir, "ridge")
    smooth = load(args.dir, "smooth")
    checks = [
        ("smoothed fit: finite test MSE, matching loss < 0.05",
         math.isfinite(smooth["mse"]) and smooth["matching"] < 0.05,
         f"test MSE {smooth['mse']:.4g}, matching {smooth['matching']:.4g}"),
        ("smoothed matching loss 10x below the ridge fit's", worse_or_nan(ridge["matching"], 10.0 * smooth["matching"]),
         f"{smooth['matching']:.4g} vs {ridge['matching']:.4g}"),
        ("smoothed residual 5x below the ridge fit's", worse_or_nan(ridge["residual"], 5.0 * smooth["residual"]),
         f"{smooth['residual']:.4g} vs {ridge['residual']:.4g}"),
    ]
    failed = 0
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        failed += 0 if ok else 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
