#!/usr/bin/python3
"""Figures of the SNet paper from dynlearn's SNet output files
(`[run] method = "snet"`, src/app/snet_method.cpp: <output_dir>/<name>_output.h5).

* learning curves (Figures 3 and 5): training loss vs iteration and vs
  cumulative wall time, one line per run (/history/loss, /history/residual,
  /history/seconds; SNet runs plot their residual R unless --quantity says
  otherwise; the label is /train's `method` attribute, or --labels);
* test trajectories (Figures 2 and 4): the first test trajectory's forecast
  (solid blue) against the truth (dotted red) in the plane, one panel per run
  with its test MSE (/evaluate/forecast, /evaluate/truth, attribute mse).
  Vehicle runs plot (x, y); multi-agent runs plot every agent's (x_i, y_i).

Runs without a /history or /evaluate group (a train-only run, an
interrupted one) are skipped for that figure with a note, never an error.

    /usr/bin/python3 tools/snet_figures.py out/snet/table1a_*_output.h5 --out out/snet/table1a
    # writes out/snet/table1a_curves.png and out/snet/table1a_trajectories.png
"""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

PRETTY = {"delta_snet": "δ-SNet", "alpha_snet": "α-SNet", "bkpr_euler": "BKPR-Euler",
          "bkpr_dopri5": "BKPR-DoPr5", "adj_euler": "ADJ-Euler", "adj_dopri5": "ADJ-DoPr5"}


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def read_run(path, label=None):
    """Everything the figures need from one output file; missing parts are None."""
    run = {"path": path, "label": label, "history": None, "evaluate": None, "type": None}
    try:
        f = h5py.File(path, "r")
    except OSError as error:
        print(f"snet_figures: skipping {path}: {error}", file=sys.stderr)
        return None
    with f:
        if label is None:
            method = text(f["/train"].attrs["method"]) if "/train" in f and "method" in f["/train"].attrs else None
            run["label"] = PRETTY.get(method, method) or os.path.basename(path)
        if "/model" in f and "type" in f["/model"].attrs:
            run["type"] = text(f["/model"].attrs["type"])
        if "/history/loss" in f and "/history/seconds" in f:
            run["history"] = {
                "iteration": np.asarray(f["/history/iteration"]) if "/history/iteration" in f
                else np.arange(1, len(f["/history/loss"]) + 1),
                "loss": np.asarray(f["/history/loss"]),
                "residual": np.asarray(f["/history/residual"]) if "/history/residual" in f
                else None,
                "seconds": np.asarray(f["/history/seconds"]),
            }
        if "/evaluate/forecast" in f and "/evaluate/truth" in f:
            attrs = f["/evaluate"].attrs
            run["evaluate"] = {
                "forecast": np.asarray(f["/evaluate/forecast"]),
                "truth": np.asarray(f["/evaluate/truth"]),
                "mse": float(attrs["mse"]) if "mse" in attrs else float("nan"),
            }
    return run


def curve(run, quantity):
    """The training curve of a run: the baselines' trajectory-matching loss;
    for SNet runs (finite /history/residual) the collocation residual R by
    default ("auto": what δ-SNet descends; its data loss L is fixed by the
    fit), or L + R ("sum")."""
    h = run["history"]
    residual = h["residual"]
    snet = residual is not None and np.isfinite(residual).any()
    if quantity == "loss" or not snet:
        return h["loss"], run["label"]
    if quantity == "sum":
        return h["loss"] + residual, f"{run['label']} (L + R)"
    return residual, f"{run['label']} (R)"


def learning_curves(runs, path, quantity="auto"):
    runs = [r for r in runs if r["history"] is not None and len(r["history"]["loss"])]
    if not runs:
        print("snet_figures: no run has a /history group: no learning curves", file=sys.stderr)
        return False
    fig, (by_iteration, by_time) = plt.subplots(1, 2, figsize=(11, 4))
    for r in runs:
        h = r["history"]
        values, label = curve(r, quantity)
        by_iteration.semilogy(h["iteration"], values, label=label)
        by_time.semilogy(np.cumsum(h["seconds"]), values, label=label)
    by_iteration.set_xlabel("# iterations")
    by_time.set_xlabel("time [s]")
    for ax in (by_iteration, by_time):
        ax.set_ylabel("loss")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"snet_figures: wrote {path}")
    return True


def planar_pairs(run, state_dim):
    """(x, y) column pairs to draw: the vehicle's position, or every agent's."""
    if run["type"] == "multi_agent" or (run["type"] is None and state_dim % 3 == 0 and state_dim > 6):
        return [(3 * i, 3 * i + 1) for i in range(state_dim // 3)]
    return [(0, 1)]


def test_trajectories(runs, path, trajectory=0):
    runs = [r for r in runs if r["evaluate"] is not None]
    if not runs:
        print("snet_figures: no run has an /evaluate group: no test trajectories", file=sys.stderr)
        return False
    fig, axes = plt.subplots(1, len(runs), figsize=(4 * len(runs), 4), squeeze=False)
    for ax, r in zip(axes[0], runs):
        e = r["evaluate"]
        k = min(trajectory, e["truth"].shape[0] - 1)
        for i, j in planar_pairs(r, e["truth"].shape[2]):
            ax.plot(e["truth"][k, :, i], e["truth"][k, :, j], "r:", lw=1.5)
            ax.plot(e["forecast"][k, :, i], e["forecast"][k, :, j], "b-", lw=1)
        ax.set_title(f"{r['label']}\nMSE = {e['mse']:.3g}")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.set_aspect("equal", adjustable="datalim")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"snet_figures: wrote {path}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outputs", nargs="+", help="SNet output files (*_output.h5)")
    parser.add_argument("--out", default="snet", help="prefix of the figure files")
    parser.add_argument("--labels", help="comma-separated labels, one per output file")
    parser.add_argument("--trajectory", type=int, default=0, help="test trajectory to draw")
    parser.add_argument("--quantity", choices=["auto", "loss", "sum"], default="auto",
                        help="SNet curves: residual R (auto), data loss L, or L + R")
    args = parser.parse_args()
    labels = args.labels.split(",") if args.labels else [None] * len(args.outputs)
    if len(labels) != len(args.outputs):
        parser.error(f"--labels has {len(labels)} entries for {len(args.outputs)} files")
    runs = [r for r in (read_run(p, l) for p, l in zip(args.outputs, labels)) if r is not None]
    wrote = learning_curves(runs, f"{args.out}_curves.png", args.quantity)
    wrote |= test_trajectories(runs, f"{args.out}_trajectories.png", args.trajectory)
    return 0 if wrote else 1


if __name__ == "__main__":
    sys.exit(main())
