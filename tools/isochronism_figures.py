#!/usr/bin/python3
"""Figures of a dynlearn isochronism run (isochronism.txt, Figure 3 and checks).

    tools/isochronism_figures.py out/isochronism_paper_output.h5 [-o PREFIX]

Writes
  PREFIX_portraits.png   the paper's Figure 3: phase portraits (x, v) of the
                         first training points over [0, T], one panel per
                         snapshot epoch ([isochronism] snapshot_epochs); start
                         points as dots, end points X(T) as crosses;
  PREFIX_force.png       the learned force f(x) against -x, the potential
                         V(x) = -∫_0^x f against x²/2, the loss history, and
                         (after `evaluate`) the measured periods against T.
PREFIX defaults to the output file's name without "_output.h5". Reads the
file with h5py only; the schema is in docs/isochronism.md.
"""
import argparse
import math
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", help="isochronism output file written by dynlearn")
    parser.add_argument("-o", "--prefix", help="prefix of the PNG files")
    args = parser.parse_args(argv)
    prefix = args.prefix or args.output.removesuffix(".h5").removesuffix("_output")

    with h5py.File(args.output, "r") as f:
        kind = f.attrs.get("dynlearn_kind")
        if kind not in ("isochronism_output", b"isochronism_output"):
            sys.exit(f"{args.output}: not a dynlearn isochronism output file")
        epochs = np.asarray(f["/portraits/epochs"])
        states = np.asarray(f["/portraits/states"])
        x, force, potential = (np.asarray(f[n]) for n in ("/force/x", "/force/f", "/force/potential"))
        loss = np.asarray(f["/history/loss"])
        period = float(f["/train"].attrs["period"])
        periods = None
        if "evaluate" in f:
            periods = (np.asarray(f["/evaluate/amplitudes"]), np.asarray(f["/evaluate/periods"]))

    n = len(epochs)
    if n:
        cols = min(n, 4)
        rows = math.ceil(n / cols)
        fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.2 * rows), squeeze=False)
        lim = 1.1 * np.nanmax(np.abs(states)) if states.size else 1.0
        lim = min(lim, 4.0)
        for s in range(rows * cols):
            ax = axes[s // cols][s % cols]
            if s >= n:
                ax.axis("off")
                continue
            for traj in states[s]:
                line, = ax.plot(traj[:, 0], traj[:, 1], lw=0.9)
                ax.plot(traj[0, 0], traj[0, 1], "o", ms=3, color=line.get_color())
                ax.plot(traj[-1, 0], traj[-1, 1], "x", ms=4, color=line.get_color())
            ax.set_title(f"epoch {int(epochs[s])}")
            ax.set_xlim(-lim, lim)
            ax.set_ylim(-lim, lim)
            ax.set_aspect("equal")
            ax.set_xlabel("x")
            if s % cols == 0:
                ax.set_ylabel("dx/dt")
        fig.suptitle(f"Phase portraits over [0, T], T = {period:.4g} (o: X(0), x: X(T))")
        fig.tight_layout()
        fig.savefig(prefix + "_portraits.png", dpi=120)
        plt.close(fig)
        print(f"wrote {prefix}_portraits.png")

    fig, axes = plt.subplots(1, 4 if periods is not None else 3, figsize=(16 if periods is not None else 12, 3.6))
    axes[0].plot(x, force, label="learned f(x)")
    axes[0].plot(x, -x, "k--", lw=0.8, label="-x")
    axes[0].set_xlabel("x")
    axes[0].set_title("force")
    axes[0].legend()
    axes[1].plot(x, potential, label="V(x) = -∫f")
    axes[1].plot(x, 0.5 * x ** 2, "k--", lw=0.8, label="x²/2")
    axes[1].set_xlabel("x")
    axes[1].set_title("potential")
    axes[1].legend()
    axes[2].semilogy(np.arange(1, len(loss) + 1), loss)
    axes[2].set_xlabel("epoch")
    axes[2].set_title("loss: mean ||X(T) - X(0)||²")
    if periods is not None:
        amplitudes, measured = periods
        axes[3].plot(amplitudes, measured, "o-", label="measured")
        axes[3].axhline(period, color="k", ls="--", lw=0.8, label="T")
        axes[3].set_xlabel("amplitude (start at rest)")
        axes[3].set_title("period")
        axes[3].legend()
    fig.tight_layout()
    fig.savefig(prefix + "_force.png", dpi=120)
    plt.close(fig)
    print(f"wrote {prefix}_force.png")


if __name__ == "__main__":
    main()
