#!/usr/bin/python3
"""Chooses SNet's `[snet] fit_smoothing` (and the element count) by k-fold
cross-validation on a dataset's kept training samples only.

    tools/snet_fit_cv.py out/snet/vehicle_data_25.h5 --elements 1 2 --horizon 0 10

For every element count and penalty weight λ, each training trajectory's
samples are split into k folds; the curvature-penalised least-squares fit
(the same problem as src/spectral/least_squares_fit: Gauss-Lobatto-Legendre
nodal values of order p, penalty λ Σ_e ∫ |x''|² dt, exact with GLL
quadrature) is made on k - 1 folds and scored on the held-out one. Prints the
RMS held-out error per (elements, λ); pick the smallest. No test data and no
full-grid data are read, so the choice is one a user could make in the field.
"""
import argparse

import h5py
import numpy as np
from numpy.polynomial import legendre


def gll(p):
    """Nodes on [-1, 1], weights, barycentric weights and differentiation matrix of order p."""
    c = np.zeros(p + 1)
    c[p] = 1
    xi = np.concatenate([[-1], np.sort(np.real(legendre.legroots(legendre.legder(c)))), [1]])
    w = 2 / (p * (p + 1) * legendre.legval(xi, c) ** 2)
    bw = np.array([1 / np.prod([xi[i] - xi[j] for j in range(p + 1) if j != i]) for i in range(p + 1)])
    d = np.zeros((p + 1, p + 1))
    for i in range(p + 1):
        for j in range(p + 1):
            if i != j:
                d[i, j] = bw[j] / bw[i] / (xi[i] - xi[j])
        d[i, i] = -d[i].sum()
    return xi, w, bw, d


def chain_matrices(elements, p, t0, t1):
    """Curvature penalty matrix K and the sample-interpolation operator of a continuous element chain."""
    xi, w, bw, d = gll(p)
    h = (t1 - t0) / elements
    n = elements * p + 1
    dt = d * 2 / h
    d2 = dt @ dt
    k_element = d2.T @ np.diag(w * h / 2) @ d2
    k = np.zeros((n, n))
    for e in range(elements):
        k[e * p : e * p + p + 1, e * p : e * p + p + 1] += k_element

    def interpolation(times):
        m = np.zeros((len(times), n))
        for row, s in enumerate(times):
            e = min(int((s - t0) // h), elements - 1)
            x = np.clip(2 * (s - t0 - e * h) / h - 1, -1, 1)
            diff = x - xi
            if np.any(np.abs(diff) < 1e-14):
                weights = (np.abs(diff) < 1e-14).astype(float)
            else:
                weights = bw / diff
                weights /= weights.sum()
            m[row, e * p : e * p + p + 1] = weights
        return m

    return k, interpolation


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", help="a dynlearn dataset (train/t, train/y)")
    parser.add_argument("--elements", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--order", type=int, default=14)
    parser.add_argument("--horizon", type=float, nargs=2, default=[0.0, 10.0], metavar=("T0", "T1"))
    parser.add_argument("--lambdas", type=float, nargs="+", default=[1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    with h5py.File(args.dataset, "r") as f:
        times, states = f["train/t"][()], f["train/y"][()]
    print("| elements | lambda | held-out RMS | singular folds |")
    print("|---|---|---|---|")
    for elements in args.elements:
        penalty, interpolation = chain_matrices(elements, args.order, *args.horizon)
        for lam in args.lambdas:
            rng = np.random.default_rng(0)
            squares, count, singular = 0.0, 0, 0
            for t, y in zip(times, states):
                folds = rng.permutation(len(t)) % args.folds
                a = interpolation(t)
                for fold in range(args.folds):
                    fit, held = folds != fold, folds == fold
                    try:
                        x = np.linalg.solve(a[fit].T @ a[fit] + lam * penalty, a[fit].T @ y[fit])
                    except np.linalg.LinAlgError:
                        singular += 1
                        continue
                    r = a[held] @ x - y[held]
                    squares += (r**2).sum()
                    count += r.size
            rms = np.sqrt(squares / count) if count else float("nan")
            print(f"| {elements} | {lam:g} | {rms:.4g} | {singular} |")


if __name__ == "__main__":
    main()
