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
* partial observation (observed_masses = [1], section 4): the mapping net
  with backward stencils (from a Vandermonde solve, independently of
  dynlearn's Fornberg recursion) as fixed conv1d kernels, the projection of
  size 1 sharing alpha, beta, gamma with the solver or a wider causal
  conv1d with its own weights and bias, causal or valid padding, and the
  forecast with or without the inner feedback loop;
* float64, one thread.

Prints a JSON line: seconds, the learned parameters, the loss history
summary; --compare checks them against dynlearn's output.
"""
import argparse
import json
import math
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


def backward_stencil(derivative, accuracy):
    """Weights on nodes -(n-1)..0 exact for polynomials of degree < n."""
    n = accuracy + derivative
    z = np.arange(n, dtype=np.float64) - (n - 1)
    V = np.vander(z, n, increasing=True).T  # V[q, j] = z_j^q
    rhs = np.zeros(n)
    rhs[derivative] = math.factorial(derivative)
    return np.linalg.solve(V, rhs)


class Mapping:
    def __init__(self, s, weights, dt, n_solver):
        self.weights, self.dt, self.nw = weights, dt, n_solver
        order = s.get("stencil_order", 5)
        self.d1 = torch.tensor(backward_stencil(1, order))
        self.d2 = torch.tensor(backward_stencil(2, order))
        self.K = s.get("mapping_kernel", 1)
        self.valid = s.get("padding", "valid") == "valid"
        self.first = (len(self.d2) - 1 + self.K - 1) if self.valid else 0

    def coefficients(self, w):
        if self.weights == "combined":
            return 1 / w[0], w[2] / w[0], w[4]
        m1, k1, k2 = w[0], w[2 * 2 if self.weights == "canonical" else 2], w[5 if self.weights == "canonical" else 3]
        b1 = w[2] if self.weights == "canonical" else torch.zeros((), dtype=w.dtype)
        return m1 / (k2 * self.dt ** 2), b1 / (k2 * self.dt), (k1 + k2) / k2

    def features(self, x1):
        def conv(x, k):
            xp = torch.nn.functional.pad(x[None, None], (len(k) - 1, 0))
            return torch.nn.functional.conv1d(xp, k[None, None])[0, 0]
        return torch.stack([conv(x1, self.d2), conv(x1, self.d1), x1])

    def map(self, theta, x1):
        F = self.features(x1)
        if self.K == 1:
            al, be, ga = self.coefficients(theta[:self.nw])
            x2 = al * F[0] + be * F[1] + ga * F[2]
        else:
            u = theta[self.nw:self.nw + 3 * self.K].reshape(self.K, 3)  # lag-major
            kernel = torch.flip(u, [0]).T[None]  # (1, 3, K): tap k is lag K-1-k
            Fp = torch.nn.functional.pad(F[None], (self.K - 1, 0))
            x2 = torch.nn.functional.conv1d(Fp, kernel)[0, 0] + theta[self.nw + 3 * self.K]
        return x2

    def initial(self, w0):
        if self.K == 1:
            return w0
        al, be, ga = self.coefficients(torch.tensor(w0))
        extra = np.zeros(3 * self.K + 1)
        extra[:3] = [float(al), float(be), float(ga)]
        return np.concatenate([w0, extra])


def partial_loss(theta, x1, mapping, weights, dt):
    A, c = step_matrices(theta[:mapping.nw], 2, weights, dt)
    x2 = mapping.map(theta, x1)
    lo, T = max(mapping.first, 1), x1.shape[0]
    x, xp, x2t = x1[lo:T - 1], x1[lo - 1:T - 2], x2[lo:T - 1]
    v = x - xp
    pred = x + v - A[0, 0] * x - A[0, 1] * x2t - c[0] * v
    return torch.mean((pred - x1[lo + 1:T]) ** 2)


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
    if s.get("model", "oscillatornet") != "oscillatornet":
        sys.exit("oscillatornet_reference: the ResNet baseline is not implemented here")
    partial = bool(s.get("observed_masses", []))
    weights = s.get("weights", "canonical")
    n = positions.shape[1]
    T, F = s.get("observed_points", 60), s.get("forecast_points", 60)
    X = torch.tensor(positions[:T].T.copy())
    w0 = initial_weights(s, n, weights, dt)
    names = names_of(n, weights)
    mapping = None
    if partial:
        n_solver = len(w0)
        mapping = Mapping(s, weights, dt, n_solver)
        w0 = mapping.initial(w0)
        names = names + [f"u{i}" for i in range(len(w0) - n_solver)]
        X = X[:1]
    w = torch.tensor(w0, requires_grad=True)
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
            loss = partial_loss(w, X[0], mapping, weights, dt) if partial else loss_fn(w, X, n, weights, dt)
            loss.backward()
            w.grad.mul_(mask)
            losses.append(loss.item())
            opt.step()

    start = time.perf_counter()
    train(s.get("iterations", 5000))
    ifl = s.get("inner_feedback", False)
    x2_state = None
    if partial and not ifl:
        with torch.no_grad():
            x2 = mapping.map(w, X[0])
            x2_state = [x2[-1].item(), x2[-2].item()]
    for _ in range(F):
        with torch.no_grad():
            if partial:
                A, c = step_matrices(w[:mapping.nw], 2, weights, dt)
                if ifl:
                    x2 = mapping.map(w, X[0])
                    x2_state = [x2[-1].item(), x2[-2].item()]
                x = torch.stack([X[0, -1], torch.tensor(x2_state[0])])
                xp = torch.stack([X[0, -2], torch.tensor(x2_state[1])])
                full = x + (x - xp) - A @ x - c * (x - xp)
                x2_state = [full[1].item(), x2_state[0]]
                nxt = full[:1]
            else:
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
        # Normwise: the wide mapping kernel has weights near zero.
        dl_w = np.array(dyn["learned"])
        out["learned_rel_diff"] = float(np.max(np.abs(dl_w - learned)) / np.max(np.abs(learned)))
        out["final_loss_dynlearn"] = float(dl[-1]) if len(dl) else None
    print(json.dumps(out))


if __name__ == "__main__":
    main()
