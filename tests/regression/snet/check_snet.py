#!/usr/bin/python3
"""SNet regression checks on the CI-size vehicle runs (snet.txt, Table 1a).

    check_snet.py --dir DIR --delta DELTA

1. δ-SNet reached its residual threshold: /train converged = 1 and the
   final residual R (measured by the converging step) is below DELTA.
2. δ-SNet's and α-SNet's test MSE are below BKPR-Euler's on the same budget
   (paper, Table 1a: 0.109 and 0.019 vs 0.476).
Prints one line per check and exits 1 on any failure.
"""
import argparse
import os
import sys

import h5py


def load(directory, name):
    with h5py.File(os.path.join(directory, f"ci_vehicle_{name}_output.h5"), "r") as f:
        return {
            "converged": int(f["train"].attrs["converged"]),
            "residual": float(f["train"].attrs["final_residual"]),
            "iterations": int(f["train"].attrs["iterations"]),
            "mse": float(f["evaluate"].attrs["mse"]),
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--delta", type=float, required=True)
    args = parser.parse_args()
    delta = load(args.dir, "delta_snet")
    alpha = load(args.dir, "alpha_snet")
    euler = load(args.dir, "bkpr_euler")
    checks = [
        ("δ-SNet reached R < delta", delta["converged"] == 1 and delta["residual"] < args.delta,
         f"converged={delta['converged']} after {delta['iterations']} iterations, final R={delta['residual']:.4g}"),
        ("δ-SNet test MSE < BKPR-Euler test MSE", delta["mse"] < euler["mse"],
         f"{delta['mse']:.4g} vs {euler['mse']:.4g} (paper 0.109 vs 0.476)"),
        ("α-SNet test MSE < BKPR-Euler test MSE", alpha["mse"] < euler["mse"],
         f"{alpha['mse']:.4g} vs {euler['mse']:.4g} (paper 0.019 vs 0.476)"),
    ]
    failed = 0
    for name, ok, detail in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")
        failed += not ok
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
