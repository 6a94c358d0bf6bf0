#!/usr/bin/python3
"""Checks the orderings of test errors that a paper's table shows.

    check_errors.py EXPECTED.toml [--dir DIR]

EXPECTED.toml holds [[check]] tables: `better` and `worse` name output files
(dynlearn run ... writes <name>_output.h5); the check passes when
error(better) <= max_ratio * error(worse), with error the /evaluate error_mean.
`static:FILE` stands for a model that predicts no motion, scored like FILE's
forecasts (positions = first half of the state [q; p]).
Each check also quotes the paper's figures. Prints one line per check and
'N passed, N failed'; exits 1 on any failure.
"""
import argparse
import os
import sys
import tomllib

import h5py
import numpy as np


def error_of(path):
    static = path.startswith("static:")
    with h5py.File(path.removeprefix("static:"), "r") as f:
        if not static:
            return float(f["evaluate"].attrs["error_mean"])
        truth = f["evaluate/truth"][...]
        q = truth[:, :, : truth.shape[2] // 2]
        return float(np.linalg.norm(q[:, 1:] - q[:, :1], axis=2).mean(axis=1).mean())


def resolve(directory, name):
    prefix = "static:" if name.startswith("static:") else ""
    return prefix + os.path.join(directory, name.removeprefix("static:"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("expected")
    parser.add_argument("--dir", default=".")
    args = parser.parse_args()
    with open(args.expected, "rb") as f:
        checks = tomllib.load(f)["check"]
    passed = failed = 0
    for c in checks:
        better = error_of(resolve(args.dir, c["better"]))
        worse = error_of(resolve(args.dir, c["worse"]))
        ok = better <= c["max_ratio"] * worse
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {c['name']}: {better:.3f} vs {worse:.3f} "
              f"(ratio {better / worse:.2f}, must be <= {c['max_ratio']}; paper: {c['paper']})")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
