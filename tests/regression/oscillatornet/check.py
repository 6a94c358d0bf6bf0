#!/usr/bin/env python3
"""Checks an OscillatorNet output file (docs/oscillatornet.md, schema 1).

  check.py OUTPUT.h5 --within NAME=PERCENT ... [--rmse-below X] [--conserves-energy TOL]

--within: |learned - truth| / truth of parameter NAME below PERCENT %.
--rmse-below: the free-forecast RMSE of every trajectory below X.
--conserves-energy: the one-filter forecast's discrete energy
  E_t = m (x_{t+1} - x_t)^2 / (2 dt^2) + k x_{t+1} x_t / 2 (learned m, k; no
  retraining) varies by less than TOL relative, and the data's own energy
  falls by more than 10 % over the same span.
"""
import argparse
import sys

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("output")
    ap.add_argument("--within", nargs="*", default=[])
    ap.add_argument("--rmse-below", type=float)
    ap.add_argument("--conserves-energy", type=float)
    a = ap.parse_args()
    ok = True
    with h5py.File(a.output, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["/constants"].attrs["names"]]
        truth, learned = f["/constants/truth"][()], f["/constants/learned"][()]
        for spec in a.within:
            name, pct = spec.split("=")
            i = names.index(name)
            err = 100 * abs(learned[i] - truth[i]) / abs(truth[i])
            good = err < float(pct)
            ok &= good
            print(f"{name}: truth {truth[i]:.6g} learned {learned[i]:.6g} error {err:.2f} % "
                  f"(limit {pct} %) {'ok' if good else 'FAIL'}")
        if a.rmse_below is not None:
            rmse = f["/forecast/rmse"][()]
            good = bool(np.all(rmse < a.rmse_below))
            ok &= good
            print(f"forecast RMSE {rmse} (limit {a.rmse_below}) {'ok' if good else 'FAIL'}")
        if a.conserves_energy is not None:
            dt = float(f.attrs["dt"])
            m, k = learned[names.index("m1")], learned[names.index("k1")]
            pred = f["/forecast/predicted"][0, :, 0]
            pos = f["/forecast/positions"][0, :, 0]
            n_obs = pos.shape[0] - pred.shape[0]
            x = np.concatenate([pos[n_obs - 2:n_obs], pred])
            def energy(x):
                return m * (x[1:] - x[:-1]) ** 2 / (2 * dt * dt) + k * x[1:] * x[:-1] / 2
            e = energy(x)
            drift = np.max(np.abs(e - e[0])) / e[0]
            e_true = energy(pos[n_obs - 2:])
            fall = 1 - np.mean(e_true[-10:]) / np.mean(e_true[:10])
            good = drift < a.conserves_energy and fall > 0.1
            ok &= good
            print(f"one-filter forecast energy drift {drift:.2e} (limit {a.conserves_energy}); "
                  f"data energy falls {100 * fall:.1f} % {'ok' if good else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
