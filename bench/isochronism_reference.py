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
* one thread (torch.set_num_threads(1)); dynlearn runs one thread per rank.

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
    opt = {"adam": torch.optim.Adam, "sgd": torch.optim.SGD, "radam": torch.optim.RAdam}[cfg["optimizer"]](
        net.parameters(), lr=cfg["learning_rate"])
    epochs = args.epochs if args.epochs is not None else cfg["epochs"]
    period, steps = cfg["period"], cfg["steps"]

    losses, seconds = [], []
    for _ in range(epochs):
        start = time.perf_counter()
        opt.zero_grad()
        xt = rk4_period(net, points, period, steps)
        loss = ((xt - points) ** 2).sum() / points.shape[0]
        loss.backward()
        opt.step()
        seconds.append(time.perf_counter() - start)
        losses.append(loss.item())
    timed = seconds[1:] if len(seconds) > 1 else seconds
    ms = 1e3 * sum(timed) / max(len(timed), 1)
    print(f"torch reference: {epochs} epochs, {ms:.3f} ms/epoch (epochs 2..), "
          f"loss {losses[0]:.10e} -> {losses[-1]:.10e}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"ms_per_epoch": ms, "loss": losses, "seconds": seconds, "epochs": epochs,
                       "points": int(points.shape[0]), "steps": steps, "hidden": cfg["hidden"]}, out)


if __name__ == "__main__":
    main()
