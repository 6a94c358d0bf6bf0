#!/usr/bin/python3
"""PyTorch reference of dynlearn's SRNN training (srnn.txt sections 3-5).

The same method on the same data, to time dynlearn against:

* reads a dynlearn dataset (HDF5, docs/file-formats.md) with h5py and takes
  the model and training settings from the resolved deck stored in it (the
  `deck` root attribute; `--deck` reads a resolved deck from elsewhere, e.g.
  `dynlearn check DECK > resolved.toml`); command-line options override it;
* windows exactly as dynlearn builds them (src/train/windows.cpp): window w of
  trajectory i is samples start .. start + T, for every start; the windows
  are split into the same shards as dynlearn's ShardLayout ([train] shards,
  contiguous blocks of trajectories), each shard is shuffled every epoch and
  batch b takes slice [b c, (b + 1) c) of every shard, c = batch_size /
  shards, so the batch sizes and the number of batches per epoch are
  dynlearn's (the permutation itself differs: numpy's, not dynlearn's RNG);
* H-NET H(q, p) = K(p) + V(q), two MLPs {n, hidden..., 1} (nn.Linear + tanh),
  the field (dK/dp, -dV/dq) by torch.autograd.grad(create_graph=True); or an
  O-NET MLP {2n, hidden..., 2n};
* leapfrog kick-drift-kick (for a separable H-NET the closing kick's force is
  reused as the next opening kick, 1 + 2T network evaluations per window, as
  dynlearn does and as the SRNN reference code does), or explicit Euler;
* loss = sum of squared errors over windows, steps and components divided by
  (windows * T * dim) (dynlearn's MSE); Adam with PyTorch defaults;
* float64, one thread (dynlearn runs one thread per rank).

It times every epoch and prints ms/epoch over epochs 2.. (the first is
warm-up). `--init-from OUTPUT.h5` starts from dynlearn's /model/parameters
(layout: per layer W row-major then b, K's net then V's; exactly
torch.nn.utils.parameters_to_vector of these nn.Sequential), and
`--check-init` prints the full-batch loss at the initial parameters.

    /usr/bin/python3 bench/srnn_reference.py out/bench/srnn_three_body_data.h5 --epochs 5
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


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def mlp(sizes, activation):
    act = {"tanh": torch.nn.Tanh, "relu": torch.nn.ReLU, "softplus": torch.nn.Softplus}[activation]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i + 1 < len(sizes) - 1:
            layers.append(act())
    return torch.nn.Sequential(*layers).double()


class HNet(torch.nn.Module):
    """H = K(p) + V(q); state x = [q; p] (dynlearn's order)."""

    separable = True

    def __init__(self, half, hidden, activation):
        super().__init__()
        self.half = half
        self.K = mlp([half, *hidden, 1], activation)
        self.V = mlp([half, *hidden, 1], activation)

    def dq(self, q, p):  # dq/dt = dK/dp
        if not p.requires_grad:
            p.requires_grad_(True)
        return torch.autograd.grad(self.K(p).sum(), p, create_graph=True)[0]

    def dp(self, q, p):  # dp/dt = -dV/dq
        if not q.requires_grad:
            q.requires_grad_(True)
        return -torch.autograd.grad(self.V(q).sum(), q, create_graph=True)[0]


class ONet(torch.nn.Module):
    separable = False

    def __init__(self, half, hidden, activation):
        super().__init__()
        self.half = half
        self.net = mlp([2 * half, *hidden, 2 * half], activation)

    def field(self, q, p):
        f = self.net(torch.cat([q, p], dim=1))
        return f[:, : self.half], f[:, self.half:]

    def dq(self, q, p):
        return self.field(q, p)[0]

    def dp(self, q, p):
        return self.field(q, p)[1]


def rollout(model, x0, dt, steps, integrator, substeps):
    """States after 1..steps steps (each of `substeps` substeps), batch-major (B x d)."""
    n = model.half
    q, p = x0[:, :n], x0[:, n:]
    h = dt / substeps
    out = []
    if integrator == "leapfrog":
        force = model.dp(q, p) if model.separable else None
        for s in range(steps * substeps):
            if not model.separable:
                force = model.dp(q, p)
            p = p + 0.5 * h * force
            q = q + h * model.dq(q, p)
            force = model.dp(q, p)
            p = p + 0.5 * h * force
            if (s + 1) % substeps == 0:
                out.append(torch.cat([q, p], dim=1))
    elif integrator == "euler":
        for s in range(steps * substeps):
            if isinstance(model, ONet):
                dq, dp = model.field(q, p)
            else:
                dq, dp = model.dq(q, p), model.dp(q, p)
            q, p = q + h * dq, p + h * dp
            if (s + 1) % substeps == 0:
                out.append(torch.cat([q, p], dim=1))
    else:
        raise SystemExit(f"srnn_reference: integrator '{integrator}' is not implemented here (leapfrog, euler)")
    return torch.stack(out)  # steps x B x d


def block_range(n, r, p):
    base, extra = divmod(n, p)
    begin = r * base + min(r, extra)
    return begin, begin + base + (1 if r < extra else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", help="dynlearn dataset file (HDF5)")
    ap.add_argument("--deck", help="resolved deck (TOML) to take settings from; default: the dataset's deck attribute")
    ap.add_argument("--model", choices=["hnet", "onet"])
    ap.add_argument("--hidden", help="hidden widths, comma separated (e.g. 512,512,512)")
    ap.add_argument("--activation")
    ap.add_argument("--integrator", choices=["leapfrog", "euler"])
    ap.add_argument("--window", type=int)
    ap.add_argument("--substeps", type=int)
    ap.add_argument("--epochs", type=int)
    ap.add_argument("--batch-size", type=int, help="0: all windows in one batch")
    ap.add_argument("--shards", type=int)
    ap.add_argument("--lr", type=float)
    ap.add_argument("--n-train", type=int, help="use only the first N training trajectories")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--init-from", help="dynlearn output file whose /model/parameters start the training")
    ap.add_argument("--check-init", action="store_true", help="print the full-batch loss at the initial parameters")
    ap.add_argument("--json", help="write the timings and losses to this JSON file")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(args.seed)

    with h5py.File(args.dataset, "r") as f:
        deck_text = open(args.deck).read() if args.deck else text(f.attrs["deck"])
        y = np.asarray(f["train/y"][...], dtype=np.float64)  # N x n x d (observations, as dynlearn trains on)
        t = np.asarray(f["train/t"][...], dtype=np.float64)
    # The resolved deck starts with a comment line; tomllib reads it as is.
    deck = tomllib.loads(deck_text)
    mcfg, tcfg = deck.get("model", {}), deck.get("train", {})
    model_type = args.model or mcfg.get("type", "hnet")
    hidden = [int(h) for h in args.hidden.split(",")] if args.hidden else list(mcfg.get("hidden", [2048]))
    activation = args.activation or mcfg.get("activation", "tanh")
    integrator = args.integrator or tcfg.get("integrator", "leapfrog")
    window = args.window if args.window is not None else int(tcfg.get("window", 1))
    substeps = args.substeps if args.substeps is not None else int(tcfg.get("substeps", 1))
    epochs = args.epochs if args.epochs is not None else int(tcfg.get("epochs", 1))
    batch_size = args.batch_size if args.batch_size is not None else int(tcfg.get("batch_size", 0))
    shards = args.shards if args.shards is not None else int(tcfg.get("shards", 1))
    lr = args.lr if args.lr is not None else float(tcfg.get("learning_rate", 1e-3))
    if args.n_train:
        y, t = y[: args.n_train], t[: args.n_train]

    dts = np.diff(t, axis=1)
    dt = float(dts.flat[0])
    if not np.allclose(dts, dt, rtol=1e-9, atol=0):
        raise SystemExit("srnn_reference: training data not uniformly sampled")
    N, n, d = y.shape
    if d % 2:
        raise SystemExit("srnn_reference: needs the full state [q; p]")
    half = d // 2
    per_traj = max(0, n - window)
    if per_traj == 0:
        raise SystemExit(f"srnn_reference: window {window} needs {window + 1} samples, have {n}")

    # Windows of each shard, in trajectory then start order (src/train/windows.cpp).
    shard_windows = []
    for s in range(shards):
        lo, hi = block_range(N, s, shards)
        shard_windows.append(np.array([(i, k) for i in range(lo, hi) for k in range(per_traj)], dtype=np.int64).reshape(-1, 2))
    max_shard = max(len(w) for w in shard_windows)
    chunk = max_shard if batch_size == 0 else max(1, batch_size // shards)
    batches = (max_shard + chunk - 1) // chunk

    Y = torch.from_numpy(y)  # N x n x d
    offsets = torch.arange(window + 1)

    def gather(w):
        traj = torch.from_numpy(w[:, 0])
        idx = torch.from_numpy(w[:, 1])[:, None] + offsets[None, :]  # B x (T+1)
        seq = Y[traj[:, None], idx]  # B x (T+1) x d
        return seq[:, 0, :].clone(), seq[:, 1:, :].transpose(0, 1).contiguous()  # x0 (B x d), targets (T x B x d)

    Model = HNet if model_type == "hnet" else ONet
    model = Model(half, hidden, activation)
    if args.init_from:
        with h5py.File(args.init_from, "r") as f:
            theta = torch.from_numpy(np.asarray(f["model/parameters"][...], dtype=np.float64).ravel())
        nparam = sum(p.numel() for p in model.parameters())
        if theta.numel() != nparam:
            raise SystemExit(f"srnn_reference: {args.init_from} has {theta.numel()} parameters, model has {nparam}")
        torch.nn.utils.vector_to_parameters(theta, model.parameters())
    params = list(model.parameters())

    def batch_loss(w):
        x0, targets = gather(w)
        x0.requires_grad_(model_type == "hnet")
        pred = rollout(model, x0, dt, window, integrator, substeps)
        return ((pred - targets) ** 2).sum() / (len(w) * window * d)

    print(f"srnn_reference: {model_type} hidden {hidden} {activation}, {sum(p.numel() for p in params)} parameters; "
          f"{N} trajectories x {n} samples, dim {d}, dt {dt:g}; {integrator} window {window} substeps {substeps}; "
          f"{shards} shard(s), batch {chunk * shards if batch_size else 'all'}, {batches} batches/epoch; "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s)", flush=True)

    all_windows = np.concatenate(shard_windows)
    if args.check_init:
        loss = batch_loss(all_windows)
        print(f"initial full-batch loss {loss.item():.17g}", flush=True)

    opt = torch.optim.Adam(params, lr=lr)
    rng = np.random.default_rng(args.seed)
    history = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        orders = [rng.permutation(len(w)) if batch_size else np.arange(len(w)) for w in shard_windows]
        total = 0.0
        for b in range(batches):
            parts = [w[o[b * chunk:(b + 1) * chunk]] for w, o in zip(shard_windows, orders)]
            sel = np.concatenate([p for p in parts if len(p)])
            opt.zero_grad(set_to_none=True)
            loss = batch_loss(sel)
            # The output biases of K and V do not enter the field: no gradient.
            grads = torch.autograd.grad(loss, params, allow_unused=True)
            for p, g in zip(params, grads):
                p.grad = torch.zeros_like(p) if g is None else g
            opt.step()
            total += loss.item()
        seconds = time.perf_counter() - t0
        history.append((epoch + 1, total / batches, seconds))
        print(f"epoch {epoch + 1:4d}  loss {total / batches:.16e}  {1e3 * seconds:9.2f} ms", flush=True)

    timed = [h[2] for h in history[1:]]
    ms = 1e3 * sum(timed) / len(timed) if timed else float("nan")
    print(f"pytorch ms/epoch {ms:.3f} (mean of epochs 2..{epochs})", flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ms_per_epoch": ms, "history": history, "batches": batches,
                       "batch": chunk * shards, "parameters": sum(p.numel() for p in params)}, f)


if __name__ == "__main__":
    sys.exit(main())
