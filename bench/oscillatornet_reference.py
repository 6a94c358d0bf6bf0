#!/usr/bin/python3
"""PyTorch reference of dynlearn's OscillatorNet training (oscillatornet.txt).

The same model, loss, data, initial weights and optimiser as dynlearn, to
time dynlearn against and to check that both learn the same thing:

* reads a dynlearn OscillatorNet output file (docs/oscillatornet.md): the
  observed positions (/forecast/positions, the dataset's samples) and the
  resolved deck (root attribute `deck`) with the [oscillatornet] settings;
* the central-difference residual step x_{t+1} = x_t + (x_t - x_{t-1})
  - A x_t - diag(c) (x_t - x_{t-1}) with A = dt^2 M^-1 K (chain stiffness),
  c = dt b / m (canonical W = [m.., b.., k..]), the one-filter variant
  (b = 0) or the combined weights U = [a, b, c, d, e] (two masses);
* loss = mean over masses and steps of the squared teacher-forced one-step
  error; frozen parameters get a zero gradient; torch.optim.Adam / SGD with
  the deck's learning rate (PyTorch defaults otherwise);
* then the free forecast: each prediction is appended and the network
  retrained retrain_iterations steps before the next one;
* float64, one thread. Full observation only (observed_masses = []).

Prints a JSON line: seconds, the learned parameters, the loss history
summary; --compare checks them against dynlearn's output.
"""
import argparse
import json
import sys
import time
import tomllib

import h5py
import numpy as np
import torch


def step_matrices(w, n, weights, dt):
    if weights == "combined":
        a, b, c, d, e = w[0], w[1], w[2], w[3], w[4]
        A = torch.stack([torch.stack([a * e, -a]), torch.stack([-b, b])])
        return A, torch.stack([c, d])
    m = w[:n]
    if weights == "one_filter":
        b = torch.zeros(n, dtype=w.dtype)
        k = w[n:2 * n]
    else:
        b = w[n:2 * n]
        k = w[2 * n:3 * n]
    # Chain stiffness: spring l joins mass l-1 (the wall for l = 0) and mass l.
    kn = torch.cat([k[1:], torch.zeros(1, dtype=w.dtype)])
    K = torch.diag(k + kn) - torch.diag(k[1:], 1) - torch.diag(k[1:], -1)
    return dt * dt * K / m[:, None], dt * b / m


def loss_fn(w, X, n, weights, dt):
    A, c = step_matrices(w, n, weights, dt)
    x, xp = X[:, 1:-1], X[:, :-2]
    v = x - xp
    pred = x + v - A @ x - c[:, None] * v
    return torch.mean((pred - X[:, 2:]) ** 2)


def initial_weights(s, n, weights, dt):
    def per_mass(key, default):
        v = list(s.get(key, default))
        return np.array(v * n if len(v) == 1 else v, dtype=np.float64)
    m, b, k = per_mass("initial_m", [1.0]), per_mass("initial_b", [1.0]), per_mass("initial_k", [15.0])
    if weights == "canonical":
        return np.concatenate([m, b, k])
    if weights == "one_filter":
        return np.concatenate([m, k])
    h = dt
    return np.array([h * h * k[1] / m[0], h * h * k[1] / m[1], h * b[0] / m[0], h * b[1] / m[1],
                     (k[0] + k[1]) / k[1]])


def names_of(n, weights):
    if weights == "combined":
        return list("abcde")
    groups = ["m", "k"] if weights == "one_filter" else ["m", "b", "k"]
    return [g + str(i + 1) for g in groups for i in range(n)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("output", help="a dynlearn OscillatorNet output file (its data and deck are used)")
    ap.add_argument("--compare", action="store_true", help="compare with dynlearn's learned weights and losses")
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    with h5py.File(a.output, "r") as f:
        deck = tomllib.loads(f.attrs["deck"].decode() if isinstance(f.attrs["deck"], bytes) else f.attrs["deck"])
        dt = float(f.attrs["dt"])
        positions = f["/forecast/positions"][0]  # samples x masses
        dyn = {"learned": f["/constants/learned"][()], "loss": f["/history/loss"][()],
               "seconds": float(f.attrs["train_seconds"])}
    s = deck.get("oscillatornet", {})
    if s.get("model", "oscillatornet") != "oscillatornet" or s.get("observed_masses", []):
        sys.exit("oscillatornet_reference: only the solver with every mass observed is implemented")
    weights = s.get("weights", "canonical")
    n = positions.shape[1]
    T, F = s.get("observed_points", 60), s.get("forecast_points", 60)
    X = torch.tensor(positions[:T].T.copy())
    w = torch.tensor(initial_weights(s, n, weights, dt), requires_grad=True)
    names = names_of(n, weights)
    mask = torch.ones_like(w)
    for name in s.get("frozen", []):
        mask[names.index(name)] = 0.0
    opt_name = s.get("optimizer", "adam")
    lr = s.get("learning_rate", 0.01)
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "radam": torch.optim.RAdam}[opt_name]([w], lr=lr)
    losses = []

    def train(iterations):
        for _ in range(iterations):
            opt.zero_grad()
            loss = loss_fn(w, X, n, weights, dt)
            loss.backward()
            w.grad.mul_(mask)
            losses.append(loss.item())
            opt.step()

    start = time.perf_counter()
    train(s.get("iterations", 5000))
    for _ in range(F):
        with torch.no_grad():
            A, c = step_matrices(w, n, weights, dt)
            x, xp = X[:, -1], X[:, -2]
            nxt = x + (x - xp) - A @ x - c * (x - xp)
        X = torch.cat([X, nxt[:, None]], dim=1)
        train(s.get("retrain_iterations", 50))
    seconds = time.perf_counter() - start
    learned = w.detach().numpy()
    out = {"seconds": seconds, "iterations": len(losses), "names": names, "learned": learned.tolist(),
           "final_loss": losses[-1] if losses else None}
    if a.compare:
        dl = np.array(dyn["loss"])
        tl = np.array(losses)
        k = min(len(dl), len(tl))
        first = min(k, 100)
        rel = lambda x, y: float(np.max(np.abs(x - y) / np.maximum(np.abs(y), 1e-300)))
        out["dynlearn_seconds"] = dyn["seconds"]
        out["ratio"] = seconds / dyn["seconds"]
        out["loss_rel_diff_first100"] = rel(dl[:first], tl[:first])
        out["learned_rel_diff"] = rel(np.array(dyn["learned"]), learned)
        out["final_loss_dynlearn"] = float(dl[-1]) if len(dl) else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
