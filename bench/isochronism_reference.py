#!/usr/bin/python3
"""PyTorch reference of dynlearn's isochronism training (isochronism.txt, section 3).

The same model, data, integrator and loss as `dynlearn run` on a deck with
[run] method = "isochronism", to time dynlearn against and to check its
losses:

* reads a dynlearn isochronism output file (docs/isochronism.md) with h5py:
  the resolved deck (root attribute `deck`) for the settings, the phase-space
  points /train/points, and the initial parameters /model/parameters of a run
  with epochs = 0 (`--init-from`, default: the file itself), whose layout is
  torch.nn.utils.parameters_to_vector of the nn.Sequential below;
* f = nn.Sequential(Linear(1, h1), act, ..., Linear(hk, 1)), float64;
* the field [x; v] -> [v; f(x)] integrated over [0, T] by classical RK4 with
  [isochronism] steps fixed steps, in the same order of operations as
  dynlearn's RungeKutta (stage y_i = x + Σ_j (h a_ij) k_j; x' = x + Σ (h b_i) k_i);
* loss = mean over points of ||X(T) - X(0)||², backprop through the steps
  (autograd), torch.optim.Adam (or SGD / RAdam) with the deck's learning rate;
* one thread (torch.set_num_threads(1)); dynlearn runs one thread per rank;
* [isochronism] equilibrium = [c] (if the deck sets it) pins the force's zero:
  f(x) = g(x) - g(c) with g the network, as dynlearn does; symmetry = "odd"
  makes f(x) = (g(x) - g(-x)) / 2, one network call on [x; -x] as in dynlearn.

After training it reports where the learned force vanishes (the zero of f
nearest 0 on [-3, 3], by bisection) and max |f(x) + x| on [-2, 2], so that
the equilibria PyTorch lands on can be compared with dynlearn's.

Prints ms/epoch over epochs 2.. (the first is warm-up) and, with --json, writes
the timing and the loss of every epoch.

    /usr/bin/python3 bench/isochronism_reference.py out/bench/iso_init_output.h5 --epochs 50
"""
import argparse
import json
import time
import tomllib

import h5py
import numpy as np
import torch


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def force_net(hidden, activation):
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "softplus": torch.nn.Softplus,
           "sigmoid": torch.nn.Sigmoid, "identity": torch.nn.Identity}[activation]
    sizes = [1] + list(hidden) + [1]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 1 < len(sizes) - 1:
            layers.append(act())
    return torch.nn.Sequential(*layers).double()


def pinned(net, equilibrium, symmetry="none"):
    """f(x) = g(x) - g(c) for equilibrium = [c]; f(x) = (g(x) - g(-x)) / 2 for
    symmetry = "odd"; otherwise f = g, the paper's net as it is."""
    if symmetry == "odd":
        def odd_force(x):
            # One network call on [x; -x], as dynlearn mirrors the batch.
            n = x.shape[0]
            y = net(torch.cat((x, -x)))
            return 0.5 * (y[:n] - y[n:])

        return odd_force
    if not equilibrium:
        return net
    anchor = torch.tensor([[float(equilibrium[0])]], dtype=torch.float64)

    def force(x):
        # One network call on [x; c], as dynlearn appends c to the batch.
        y = net(torch.cat((x, anchor)))
        return y[:-1] - y[-1:]

    return force


def force_summary(force):
    """(zero of f nearest 0 on [-3, 3] or nan, max |f(x) + x| on [-2, 2])."""
    with torch.no_grad():
        grid = torch.linspace(-3.0, 3.0, 601, dtype=torch.float64).reshape(-1, 1)
        f = force(grid).reshape(-1)
        best = float("nan")
        for i in range(600):
            if (f[i] > 0) == (f[i + 1] > 0):
                continue
            lo, hi = float(grid[i]), float(grid[i + 1])
            rising = bool(f[i] <= 0)
            for _ in range(100):
                mid = 0.5 * (lo + hi)
                value = float(force(torch.tensor([[mid]], dtype=torch.float64)))
                if (value <= 0) == rising:
                    lo = mid
                else:
                    hi = mid
            root = 0.5 * (lo + hi)
            if not abs(root) >= abs(best):
                best = root
        check = torch.linspace(-2.0, 2.0, 2001, dtype=torch.float64).reshape(-1, 1)
        error = float((force(check) + check).abs().max())
    return best, error


def rk4_period(net, x0, period, steps):
    """X(T) from X(0) (points x 2) by `steps` RK4 steps, dynlearn's operation order."""
    h = period / steps

    def rate(s):
        return torch.cat((s[:, 1:2], net(s[:, 0:1])), dim=1)

    x = x0
    for _ in range(steps):
        k1 = rate(x)
        k2 = rate(x + (h * 0.5) * k1)
        k3 = rate(x + (h * 0.5) * k2)
        k4 = rate(x + h * k3)
        x = x + (h / 6.0) * k1 + (h / 3.0) * k2 + (h / 3.0) * k3 + (h / 6.0) * k4
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("output", help="dynlearn isochronism output (deck and points)")
    ap.add_argument("--init-from", help="output of an epochs = 0 run whose /model/parameters start training")
    ap.add_argument("--epochs", type=int, help="epochs to run (default: the deck's)")
    ap.add_argument("--json", help="write timing and losses here")
    args = ap.parse_args()

    torch.set_num_threads(1)
    with h5py.File(args.output, "r") as f:
        deck = tomllib.loads(text(f.attrs["deck"]))
        points = torch.tensor(np.asarray(f["/train/points"]), dtype=torch.float64)
    with h5py.File(args.init_from or args.output, "r") as f:
        theta = torch.tensor(np.asarray(f["/model/parameters"]), dtype=torch.float64)
    cfg = deck["isochronism"]
    if cfg.get("stepper", "rk4") != "rk4":
        raise SystemExit("isochronism_reference: only stepper = \"rk4\" is implemented")
    net = force_net(cfg["hidden"], cfg["activation"])
    torch.nn.utils.vector_to_parameters(theta, net.parameters())
    force = pinned(net, cfg.get("equilibrium"), cfg.get("symmetry", "none"))
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "radam": torch.optim.RAdam}[cfg["optimizer"]](
        net.parameters(), lr=cfg["learning_rate"])
    epochs = args.epochs if args.epochs is not None else cfg["epochs"]
    period, steps = cfg["period"], cfg["steps"]

    losses, seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        opt.zero_grad()
        xt = rk4_period(force, points, period, steps)
        loss = ((xt - points) ** 2).sum() / points.shape[0]
        loss.backward()
        opt.step()
        seconds.append(time.perf_counter() - start)
        losses.append(loss.item())
    timed = seconds[1:] if len(seconds) > 1 else seconds
    ms = 1e3 * sum(timed) / max(len(timed), 1)
    equilibrium, force_error = force_summary(force)
    print(f"torch reference: {epochs} epochs, {ms:.3f} ms/epoch (epochs 2..), "
          f"loss {losses[0]:.10e} -> {losses[-1]:.10e}")
    print(f"torch reference: f(c) = 0 at c = {equilibrium:.4f}; max |f(x) + x| on [-2, 2] = {force_error:.4f}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"ms_per_epoch": ms, "loss": losses, "seconds": seconds, "epochs": epochs,
                       "points": int(points.shape[0]), "steps": steps, "hidden": cfg["hidden"],
                       "equilibrium": equilibrium, "max_force_error": force_error,
                       "parameters": torch.nn.utils.parameters_to_vector(net.parameters()).tolist()}, out)


if __name__ == "__main__":
    main()
