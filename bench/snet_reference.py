#!/usr/bin/python3
"""PyTorch reference of one iteration of δ-SNet and of BKPR-Euler on SNet's
vehicle problem (snet.txt section 5, Table 1a), to time dynlearn against.

The same method on the same data as bench/snet_iteration.cpp:

* reads a dynlearn dataset (HDF5: /train/t [trajectory, sample],
  /train/y [trajectory, sample, state], /train/u_coeffs [trajectory, input,
  coefficient]) with h5py; inputs u(t) are the Fourier series of the
  coefficients with period --period (10 s), evaluated exactly;
* the section 5 surrogate: f_J (sin φ, cos φ) -> 9 (J row-major, biases),
  f_C v -> 9 and f_d v -> 3 (no bias), each Linear + tanh + Linear of width
  --hidden; M = diag(1, 1, 1); x' = (J v, u - d(v) - C(v) v);
* δ-SNet (Algorithm 1), as dynlearn's train/snet_residual: one element of
  order p on the training horizon with Gauss-Lobatto-Legendre nodes, nodal
  values fitted once to the samples by least squares (Lagrange
  interpolation rows), then each iteration is one Adam step on θ for
  R = mean over trajectories, nodes and components of (D x - f(x, u; θ))²
  with D the GLL differentiation matrix scaled to the horizon;
* BKPR-Euler: x_{k+1} = x_k + (t_{k+1} - t_k) f(x_k, u(t_k)) from the first
  sample, loss = mean over trajectories of the mean over samples k >= 1 and
  components of (x_k - y_k)² (dynlearn's TrajectoryMatching / 100), one batch
  of all trajectories, backprop by autograd, one Adam step;
* float64, one thread (torch.set_num_threads(1)); Adam lr 1e-2.

Prints ms/iteration (mean over --iterations after --warmup) as JSON.

    /usr/bin/python3 bench/snet_reference.py out/snet/vehicle_data.h5 --iterations 50
"""
import argparse
import json
import math
import time

import h5py
import numpy as np
import torch


def gll_nodes(p):
    """Gauss-Lobatto-Legendre nodes on [-1, 1] and the differentiation matrix."""
    leg = np.polynomial.legendre
    interior = leg.legroots(leg.legder([0] * p + [1]))
    x = np.concatenate(([-1.0], np.sort(interior), [1.0]))
    lp = leg.legval(x, [0] * p + [1])
    d = np.zeros((p + 1, p + 1))
    for i in range(p + 1):
        for j in range(p + 1):
            if i != j:
                d[i, j] = lp[i] / (lp[j] * (x[i] - x[j]))
    d[0, 0] = -p * (p + 1) / 4.0
    d[p, p] = p * (p + 1) / 4.0
    return x, d


def lagrange_rows(nodes, points):
    """Rows of the Lagrange interpolation matrix: value at `points` of the
    polynomial through the nodal values."""
    rows = np.ones((len(points), len(nodes)))
    for j, xj in enumerate(nodes):
        for m, xm in enumerate(nodes):
            if m != j:
                rows[:, j] *= (points - xm) / (xj - xm)
    return rows


def fourier(coeffs, t, period):
    """u(t) for coeffs [trajectory, channel, 1 + 2K] at times t [trajectory, n]."""
    harmonics = (coeffs.shape[2] - 1) // 2
    w = 2 * math.pi * t / period
    u = np.repeat(coeffs[:, :, :1], t.shape[1], axis=2)
    for k in range(1, harmonics + 1):
        u = u + coeffs[:, :, 2 * k - 1:2 * k] * np.cos(k * w)[:, None, :]
        u = u + coeffs[:, :, 2 * k:2 * k + 1] * np.sin(k * w)[:, None, :]
    return u  # [trajectory, channel, n]


class VehicleSurrogate(torch.nn.Module):
    def __init__(self, hidden):
        super().__init__()
        self.fj = torch.nn.Sequential(torch.nn.Linear(2, hidden), torch.nn.Tanh(),
                                      torch.nn.Linear(hidden, 9))
        self.fc = torch.nn.Sequential(torch.nn.Linear(3, hidden, bias=False), torch.nn.Tanh(),
                                      torch.nn.Linear(hidden, 9, bias=False))
        self.fd = torch.nn.Sequential(torch.nn.Linear(3, hidden, bias=False), torch.nn.Tanh(),
                                      torch.nn.Linear(hidden, 3, bias=False))
        # dynlearn starts f_C's and f_d's output layers at 0.1x nn.Linear's scale
        # (VehicleSurrogate::kOutputScale: the default scale grows like e^20 over 10 s).
        with torch.no_grad():
            self.fc[2].weight.mul_(0.1)
            self.fd[2].weight.mul_(0.1)

    def forward(self, x, u):
        """x [batch, 6], u [batch, 3] -> x' [batch, 6]."""
        phi, v = x[:, 2], x[:, 3:]
        j = self.fj(torch.stack((torch.sin(phi), torch.cos(phi)), dim=1)).view(-1, 3, 3)
        c = self.fc(v).view(-1, 3, 3)
        d = self.fd(v)
        eta_dot = torch.bmm(j, v.unsqueeze(2)).squeeze(2)
        v_dot = u - d - torch.bmm(c, v.unsqueeze(2)).squeeze(2)
        return torch.cat((eta_dot, v_dot), dim=1)


def time_iterations(step, warmup, iterations):
    """Wall and process CPU ms per iteration (CPU time is the fair figure on
    a loaded machine; Google Benchmark reports both too)."""
    for _ in range(warmup):
        step()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(iterations):
        value = step()
    wall = 1e3 * (time.perf_counter() - start) / iterations
    return wall, 1e3 * (time.process_time() - cpu) / iterations, value


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--hidden", type=int, default=16)
    parser.add_argument("--p", type=int, default=14)
    parser.add_argument("--period", type=float, default=10.0)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--iterations", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--methods", default="delta_snet,bkpr_euler")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)

    with h5py.File(args.dataset, "r") as f:
        t = np.asarray(f["/train/t"], dtype=np.float64)
        y = np.asarray(f["/train/y"], dtype=np.float64)
        coeffs = np.asarray(f["/train/u_coeffs"], dtype=np.float64)
    n_traj, n_samples, n_state = y.shape
    result = {"trajectories": n_traj, "samples": n_samples, "hidden": args.hidden, "p": args.p,
              "threads": args.threads, "torch": torch.__version__}

    if "delta_snet" in args.methods:
        model = VehicleSurrogate(args.hidden).double()
        t0, t1 = t[0, 0], t[0, -1]
        ref, dref = gll_nodes(args.p)
        nodes = t0 + (ref + 1) * (t1 - t0) / 2
        d = torch.tensor(dref * 2 / (t1 - t0))
        # Least-squares fit of the nodal values, per trajectory (own times).
        x_nodes = np.empty((n_traj, args.p + 1, n_state))
        for b in range(n_traj):
            rows = lagrange_rows(ref, 2 * (t[b] - t0) / (t1 - t0) - 1)
            x_nodes[b] = np.linalg.lstsq(rows, y[b], rcond=None)[0]
        x = torch.tensor(x_nodes)  # [trajectory, node, state]
        u = torch.tensor(fourier(coeffs, np.repeat(nodes[None, :], n_traj, axis=0),
                                 args.period)).transpose(1, 2)  # [trajectory, node, input]
        dx = torch.einsum("ij,bjs->bis", d, x)
        xf, uf = x.reshape(-1, n_state), u.reshape(-1, u.shape[2])
        adam = torch.optim.Adam(model.parameters(), lr=args.lr)

        def delta_step():
            adam.zero_grad()
            r = ((dx.reshape(-1, n_state) - model(xf, uf)) ** 2).mean()
            r.backward()
            adam.step()
            return r.item()

        ms, cpu, r = time_iterations(delta_step, args.warmup, args.iterations)
        result["delta_snet_ms"] = ms
        result["delta_snet_cpu_ms"] = cpu
        result["delta_snet_residual"] = r

    if "bkpr_euler" in args.methods:
        model = VehicleSurrogate(args.hidden).double()
        yt = torch.tensor(y)
        u = torch.tensor(fourier(coeffs, t, args.period)).transpose(1, 2)  # [traj, sample, input]
        h = torch.tensor(np.diff(t, axis=1))  # [traj, sample - 1]
        adam = torch.optim.Adam(model.parameters(), lr=args.lr)

        def euler_step():
            adam.zero_grad()
            xk = yt[:, 0]
            loss = 0.0
            for k in range(n_samples - 1):
                xk = xk + h[:, k:k + 1] * model(xk, u[:, k])
                loss = loss + ((xk - yt[:, k + 1]) ** 2).sum()
            loss = loss / (n_traj * (n_samples - 1) * n_state)
            loss.backward()
            adam.step()
            return loss.item()

        ms, cpu, loss = time_iterations(euler_step, args.warmup, args.iterations)
        result["bkpr_euler_ms"] = ms
        result["bkpr_euler_cpu_ms"] = cpu
        result["bkpr_euler_loss"] = loss

    print(json.dumps(result))


if __name__ == "__main__":
    main()
