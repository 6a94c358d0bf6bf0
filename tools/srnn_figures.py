#!/usr/bin/python3
"""Draw analogues of the SRNN paper's Figures 1-3 from dynlearn output files.

srnn.txt Figure 1: left, the prediction error of each model over time (L2
distance between the true and predicted positions of all masses); right, the
position of one mass (number 5) over time on one test trajectory, true and as
predicted by each model. Figure 2: the prediction error of every model over
time, in two panels (the paper puts single-step and recurrent models left,
recurrent and ISO models right). Figure 3: one panel per model with that
mass's predicted position, the noiseless truth and the noisy observations.

Each OUTPUT is a dynlearn output file (<output_dir>/<name>_output.h5, with
/evaluate written by the `evaluate` stage), optionally followed by a label and
a Figure 2 panel: `out/srnn_output.h5:SRNN:2`. The noisy observations of
Figure 3 come from the run's dataset (found through the deck stored in the
output file, or given with --dataset). A fourth figure shows the training
loss histories.

    tools/srnn_figures.py out/hnn_output.h5:HNN out/srnn_output.h5:SRNN \\
        out/srnn_iso_output.h5:SRNN-ISO:2 --outdir out/figures
"""
import argparse
import os
import sys
import tomllib

import matplotlib

matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


class Run:
    """What the figures need from one output file (and its dataset)."""

    def __init__(self, spec, dataset=None):
        parts = spec.split(":")
        self.path = parts[0]
        self.panel = int(parts[2]) if len(parts) > 2 and parts[2] else 1
        with h5py.File(self.path, "r") as f:
            if "evaluate" not in f:
                raise SystemExit(f"srnn_figures: {self.path} has no /evaluate: run the deck's evaluate stage")
            self.deck_text = text(f.attrs.get("deck", ""))
            self.forecast = np.asarray(f["evaluate/forecast"][...])  # trajectory, step, component
            self.truth = np.asarray(f["evaluate/truth"][...])
            self.error = np.asarray(f["evaluate/error"][...])
            ev = f["evaluate"].attrs
            self.error_mean = float(ev.get("error_mean", np.nan))
            self.error_std = float(ev.get("error_std", np.nan))
            self.test_integrator = text(ev.get("integrator", "?"))
            self.iso = bool(ev.get("iso", 0))
            self.loss = np.asarray(f["history/loss"][...]).ravel() if "history/loss" in f else np.zeros(0)
            self.epoch = np.asarray(f["history/epoch"][...]).ravel() if "history/epoch" in f else np.zeros(0)
        try:
            self.deck = tomllib.loads(self.deck_text)
        except tomllib.TOMLDecodeError:
            self.deck = {}
        self.label = parts[1] if len(parts) > 1 and parts[1] else self.default_label()
        self.dataset_path = dataset or self.find_dataset()
        self.positions = None
        self.state_names = None
        self.observed = None  # noisy test observations, trajectory x step x component
        self.dt = float(self.deck.get("data", {}).get("dt", 1.0))
        if self.dataset_path:
            with h5py.File(self.dataset_path, "r") as f:
                sysattrs = f["system"].attrs
                self.positions = [int(i) for i in np.asarray(sysattrs["position_indices"]).ravel()]
                self.state_names = [text(s) for s in np.asarray(sysattrs["state_names"]).ravel()]
                obs_idx = [int(i) for i in np.asarray(sysattrs["observed_indices"]).ravel()]
                y = np.asarray(f["test/y"][...])
                t = np.asarray(f["test/t"][...])
                if t.shape[1] > 1:
                    self.dt = float(t[0, 1] - t[0, 0])
            # Observations in full-state layout (NaN where not observed).
            obs = np.full(y.shape[:2] + (self.truth.shape[2],), np.nan)
            obs[:, :, obs_idx] = y
            self.observed = obs
        if self.positions is None:
            self.positions = list(range(self.truth.shape[2] // 2))  # [q; p] layout

    def default_label(self):
        model = self.deck.get("model", {}).get("type", "model")
        train = self.deck.get("train", {})
        letter = {"euler": "E", "leapfrog": "L", "rk4": "R", "dopri5": "D"}
        tr = letter.get(train.get("integrator", ""), "?")
        te = letter.get(self.test_integrator, "?")
        kind = "single-step" if int(train.get("window", 1)) == 1 else "recurrent"
        iso = "-ISO" if train.get("iso") or self.iso else ""
        return f"{kind} {tr}-{te} {model.upper().replace('NET', '-NET')}{iso}"

    def find_dataset(self):
        data = self.deck.get("data", {})
        run = self.deck.get("run", {})
        path = data.get("file") or os.path.join(run.get("output_dir", "."), run.get("name", "") + "_data.h5")
        candidates = [path, os.path.join(os.path.dirname(self.path), os.path.basename(path))]
        for c in candidates:
            if c and os.path.isfile(c):
                return c
        return None

    def step_errors(self):
        """L2 distance of predicted to true positions, trajectory x step."""
        d = self.forecast[:, :, self.positions] - self.truth[:, :, self.positions]
        return np.sqrt((d ** 2).sum(axis=2))


def component_for(run, mass):
    """State component of position `mass` (1-based), clipped to the positions."""
    k = min(max(mass, 1), len(run.positions)) - 1
    comp = run.positions[k]
    name = run.state_names[comp] if run.state_names else f"position {k + 1}"
    return comp, name


def draw_error(ax, runs, band=True):
    for r in runs:
        e = r.step_errors()
        steps = np.arange(e.shape[1])
        ax.plot(steps, e.mean(axis=0), color=r.color, label=f"{r.label} ({r.error_mean:.2f} ± {r.error_std:.2f})")
        if band:  # interquartile range over the test trajectories
            lo, hi = np.percentile(e, [25, 75], axis=0)
            ax.fill_between(steps, lo, hi, color=r.color, alpha=0.15)
    ax.set_xlabel("time step")
    ax.set_ylabel("L2 error of the positions")
    ax.legend(fontsize=7)


def figure1(runs, args):
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    draw_error(left, runs, band=False)
    left.set_title("prediction error (mean over test trajectories)")
    comp, name = component_for(runs[0], args.mass)
    j = args.trajectory
    truth = runs[0].truth[j, :, comp]
    right.plot(np.arange(truth.size), truth, "k-", lw=2, label="truth")
    for r in runs:
        right.plot(np.arange(r.forecast.shape[1]), r.forecast[j, :, comp], color=r.color, label=r.label)
    right.set_xlabel("time step")
    right.set_ylabel(name)
    right.set_title(f"{name}, test trajectory {j}")
    right.legend(fontsize=7)
    fig.suptitle("Figure 1 analogue (SRNN section 4.1)")
    fig.tight_layout()
    return fig


def figure2(runs, args):
    panels = sorted({r.panel for r in runs})
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, p in zip(axes[0], panels):
        draw_error(ax, [r for r in runs if r.panel == p])
        ax.set_title(f"prediction error: mean, interquartile band (panel {p})", fontsize=10)
    fig.suptitle("Figure 2 analogue (SRNN section 4.2-4.3); legend: error mean ± std over the scored steps")
    fig.tight_layout()
    return fig


def figure3(runs, args):
    fig, axes = plt.subplots(1, len(runs), figsize=(4.5 * len(runs), 4), squeeze=False, sharey=True)
    j = args.trajectory
    for ax, r in zip(axes[0], runs):
        comp, name = component_for(r, args.mass)
        steps = np.arange(r.forecast.shape[1])
        ax.plot(steps, r.forecast[j, :, comp], "-", color=r.color, label=r.label)
        ax.plot(steps, r.truth[j, :, comp], "k--", label="noiseless dynamic")
        if r.observed is not None and not np.all(np.isnan(r.observed[j, :, comp])):
            n = min(r.observed.shape[1], steps.size)
            ax.plot(steps[:n], r.observed[j, :n, comp], "r.", ms=3, label="noisy observations")
        ax.set_title(r.label)
        ax.set_xlabel("time step")
        ax.legend(fontsize=7)
    axes[0][0].set_ylabel(component_for(runs[0], args.mass)[1])
    fig.suptitle(f"Figure 3 analogue (SRNN section 4.3): test trajectory {j}")
    fig.tight_layout()
    return fig


def figure_loss(runs, args):
    fig, ax = plt.subplots(figsize=(6, 4))
    for r in runs:
        if r.loss.size:
            ax.semilogy(r.epoch, r.loss, color=r.color, label=r.label)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss (MSE)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def figure_billiard(runs, args):
    """Figure 4/5 analogue (SRNN section 6): the heavy billiard's path in the box,
    true and predicted, on four test trajectories from --trajectory on."""
    n = min(r.forecast.shape[0] for r in runs)
    picks = [(args.trajectory + k) % n for k in range(min(4, n))]
    fig, axes = plt.subplots(1, len(picks), figsize=(3.6 * len(picks), 3.8), squeeze=False)
    for ax, j in zip(axes[0], picks):
        truth = runs[0].truth[j]
        ax.add_patch(plt.Rectangle((0, 0), 1, 1, fill=False, color="0.5", lw=1))
        ax.plot(truth[:, 0], truth[:, 1], "k--", lw=1, label="truth")
        ax.plot(truth[0, 0], truth[0, 1], "ko", ms=4)
        for r in runs:
            ax.plot(r.forecast[j, :, 0], r.forecast[j, :, 1], "-", color=r.color, lw=1, label=r.label)
        ax.set_xlim(-0.15, 1.15)
        ax.set_ylim(-0.15, 1.15)
        ax.set_aspect("equal")
        ax.set_title(f"test trajectory {j}", fontsize=9)
    axes[0][0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Figure 5 analogue (SRNN section 6): heavy billiard, 60 steps (box = free space)")
    fig.tight_layout()
    return fig


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outputs", nargs="+", metavar="OUTPUT[:LABEL[:PANEL]]",
                    help="dynlearn output files, each with an optional legend label and Figure 2 panel (1 or 2)")
    ap.add_argument("--outdir", default=".", help="directory for the PNGs (default: .)")
    ap.add_argument("--prefix", default="srnn", help="file name prefix (default: srnn)")
    ap.add_argument("--mass", type=int, default=5, help="1-based position component to draw (paper: mass 5)")
    ap.add_argument("--trajectory", type=int, default=0, help="test trajectory drawn in Figures 1 and 3")
    ap.add_argument("--dataset", help="dataset with the noisy test observations (default: from each run's deck)")
    ap.add_argument("--figures", nargs="+", default=["1", "2", "3", "loss"], choices=["1", "2", "3", "loss", "billiard"],
                    help="which figures to draw (default: 1 2 3 loss; billiard: x-y paths of the heavy billiard)")
    ap.add_argument("--dpi", type=int, default=120)
    args = ap.parse_args()

    runs = [Run(s, args.dataset) for s in args.outputs]
    # One colour per label, the same in every figure and panel.
    colors = {}
    for r in runs:
        r.color = colors.setdefault(r.label, f"C{len(colors) % 10}")
    n = min(r.forecast.shape[0] for r in runs)
    if not 0 <= args.trajectory < n:
        raise SystemExit(f"srnn_figures: --trajectory {args.trajectory} out of range (0..{n - 1})")
    os.makedirs(args.outdir, exist_ok=True)
    makers = {"1": figure1, "2": figure2, "3": figure3, "loss": figure_loss, "billiard": figure_billiard}
    for key in args.figures:
        fig = makers[key](runs, args)
        path = os.path.join(args.outdir, f"{args.prefix}_loss.png" if key == "loss" else f"{args.prefix}_figure{key}.png")
        fig.savefig(path, dpi=args.dpi)
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    sys.exit(main())
