#!/usr/bin/python3
"""Prints OscillatorNet's learned constants beside the paper's tables.

  tools/oscillatornet_tables.py out/oscillatornet_table01_output.h5 [more ...]
  tools/oscillatornet_tables.py out/*oscillatornet_table*_output.h5 --markdown

Each file is a dynlearn OscillatorNet output (docs/oscillatornet.md); the
paper's table is chosen from the run name (oscillatornet_tableNN[_ifl]) or
--table. Columns: truth, initial, learned (ours), paper, our error against
the truth; for canonical weights of fully observed systems also "ours x s", our weights times the
common factor s = m1_true / m1_learned: positions fix only ratios (k/m, b/m),
so this column shows what the data determine, free of the scale the
optimiser happened to pick.
"""
import argparse
import math
import re

import h5py

# oscillatornet.txt, Tables 1-3 and 5-10: (learned, initial) per parameter.
PAPER = {
    "01": {"m1": 2.058, "b1": 1.487, "k1": 40.249},
    "02": {"m1": 1.918, "b1": 1.343, "k1": 38.80},
    "03": {"m1": 1.514, "m2": 0.906, "b1": 0.483, "b2": 0.297, "k1": 14.013, "k2": 34.472},
    "05": {"m1": 1.535, "b1": 0.216, "k1": 15.000, "k2": 15.000},
    "05_ifl": {"m1": 1.089, "b1": 0.090, "k1": 15.000, "k2": 15.000},
    "06": {"m1": 1.112, "b1": 0.908, "k1": 14.959, "k2": 14.827},
    "07": {"m1": 1.173, "b1": 0.487, "k1": 14.558, "k2": 15.091},
    "08": {"a": 0.054, "b": 0.074, "c": 0.002, "d": 0.022, "e": 1.647},
    "09": {"a": 0.062, "b": 0.074, "c": 0.048, "d": 0.022, "e": 1.956},
    "10": {"a": 0.065, "b": 0.074, "c": 0.009, "d": 0.022, "e": 1.999},
}


def fmt(v):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def table(path, which, markdown):
    with h5py.File(path, "r") as f:
        names = [n.decode() if isinstance(n, bytes) else n for n in f["/constants"].attrs["names"]]
        truth = f["/constants/truth"][()]
        initial = f["/constants/initial"][()]
        learned = f["/constants/learned"][()]
        rmse = f["/forecast/rmse"][()]
        weights = f.attrs["weights"]
        weights = weights.decode() if isinstance(weights, bytes) else weights
        partial = bool(f.attrs["partial"])
        deck = f.attrs["deck"]
        deck = deck.decode() if isinstance(deck, bytes) else deck
    if which is None:
        m = re.search(r'name = "[^"]*table(\d\d(?:_ifl)?)', deck)
        which = m.group(1) if m else None
    paper = PAPER.get(which, {})
    scale = None
    if weights != "combined" and "m1" in names and not partial:
        i = names.index("m1")
        scale = truth[i] / learned[i]
    rows = []
    for i, n in enumerate(names):
        if math.isnan(truth[i]):
            continue  # network weights (wide mapping kernel) have no physical counterpart
        err = 100 * (learned[i] - truth[i]) / truth[i]
        row = [n, fmt(truth[i]), fmt(initial[i]), fmt(learned[i])]
        if scale is not None:
            row.append(fmt(learned[i] * scale))
        row += [fmt(paper.get(n)), f"{err:+.1f}"]
        rows.append(row)
    head = ["name", "truth", "initial", "ours"] + (["ours x s"] if scale is not None else []) + ["paper", "ours err %"]
    title = f"{path}: paper Table {which or '?'} ({weights} weights); free-forecast RMSE {fmt(float(rmse.mean()))}"
    if markdown:
        print(f"**{title}**\n")
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
        print()
    else:
        print(title)
        print("  " + "".join(f"{h:>11s}" for h in head))
        for r in rows:
            print("  " + "".join(f"{c:>11s}" for c in r))
        print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outputs", nargs="+")
    ap.add_argument("--table", help="the paper's table to compare with (01..10, 05_ifl); default: from the run name")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    for p in a.outputs:
        table(p, a.table, a.markdown)


if __name__ == "__main__":
    main()
