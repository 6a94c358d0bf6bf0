#!/usr/bin/python3
"""Plot the trajectories of a dynlearn dataset file to a PNG.

    tools/plot_dataset.py out/quickstart_data.h5 [-o fig.png] [--split test]
                          [--trajectories 4] [--components 0 1 2]

One panel per observed component: the noise-free state as lines, the
observations as dots, over time; for systems with a background image
(heavy billiard) a second figure shows the positions over the image.
Reads the file with h5py only; the schema is in docs/file-formats.md.
"""
import argparse
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def decode(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", help="dataset file written by dynlearn generate")
    parser.add_argument("-o", "--output", help="PNG to write (default: <dataset>.png)")
    parser.add_argument("--split", default="train", choices=["train", "test"])
    parser.add_argument("--trajectories", type=int, default=4, help="how many to draw")
    parser.add_argument("--components", type=int, nargs="*", help="state components (default: observed, at most 6)")
    args = parser.parse_args(argv)

    with h5py.File(args.dataset, "r") as f:
        if f.attrs.get("dynlearn_kind") not in ("dataset", b"dataset"):
            sys.exit(f"{args.dataset}: not a dynlearn dataset file")
        if args.split not in f:
            sys.exit(f"{args.dataset}: has no '{args.split}' split")
        names = decode(f["system"].attrs["state_names"])
        observed = list(f["system"].attrs["observed_indices"])
        system = f["system"].attrs["type"]
        system = system.decode() if isinstance(system, bytes) else system
        g = f[args.split]
        t, x, y = g["t"][...], g["x"][...], g["y"][...]
        background = f["system/background"][...] if "system/background" in f else None

    n = min(args.trajectories, t.shape[0])
    comps = args.components if args.components else observed[:6]
    fig, axes = plt.subplots(len(comps), 1, figsize=(8, 1.8 * len(comps) + 0.6), sharex=True, squeeze=False)
    for row, c in enumerate(comps):
        ax = axes[row, 0]
        for i in range(n):
            line, = ax.plot(t[i], x[i, :, c], lw=1.2)
            if c in observed:
                ax.plot(t[i], y[i, :, observed.index(c)], ".", ms=3, color=line.get_color())
        ax.set_ylabel(names[c])
    axes[-1, 0].set_xlabel("t")
    fig.suptitle(f"{system}: {n} {args.split} trajectories (lines: state, dots: observations)")
    fig.tight_layout()
    out = args.output or args.dataset.rsplit(".", 1)[0] + ".png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")

    if background is not None:
        fig, ax = plt.subplots(figsize=(5, 5))
        ax.imshow(background, cmap="Greys", origin="lower", extent=(0, background.shape[1], 0, background.shape[0]))
        scale = background.shape[0]
        for i in range(n):
            ax.plot(x[i, :, 0] * scale, x[i, :, 1] * scale, ".-", ms=3)
        ax.set_title(f"{system}: positions over the background image")
        extra = out.rsplit(".", 1)[0] + "_positions.png"
        fig.savefig(extra, dpi=110)
        print(f"wrote {extra}")


if __name__ == "__main__":
    main()
