#!/usr/bin/python3
"""Prints SRNN's result tables from dynlearn output files, beside the paper's.

    tools/srnn_tables.py out/srnn/table1_row*_output.h5 [--data out/srnn/table1_data.h5]

Each output file carries its deck; the row's model, training mode and
integrators are read from it, and the paper's figures from the deck's first
comment lines (written by inputs/srnn/make_decks.py).

With --data, two reference rows scored the same way on the table's test set
put the errors in scale: "no motion" (every position stays at its observed
initial value) and "q = 0" (every position at the chain's rest position).
Over a long horizon a forecast that has lost the phase of the oscillation
scores about the "q = 0" row, so a learned model above it forecasts worse
than knowing nothing but the rest position.
"""
import argparse
import re
import tomllib

import h5py
import numpy as np


def describe(path):
    with h5py.File(path, "r") as f:
        deck_text = f.attrs["deck"]
        deck_text = deck_text.decode() if isinstance(deck_text, bytes) else deck_text
        deck = tomllib.loads(deck_text)
        ev = f["evaluate"].attrs
        mean, std = float(ev["error_mean"]), float(ev["error_std"])
    model = deck["model"]["type"]
    train = deck.get("train", {})
    mode = "simulation" if model == "true_equations" else ("recurrent" if train.get("window", 1) > 1 else "single-step")
    tr = train.get("integrator", "-") if model in ("onet", "hnet") else "-"
    te = deck["evaluate"]["integrator"] if model not in ("rnn", "lstm") else "-"
    return mode, model, tr, te, mean, std


def paper_figures(path):
    """The deck's source comment 'The paper's error: M +- S' (kept in the run name's deck file)."""
    name = re.sub(r"_output\.h5$", ".toml", path.split("/")[-1])
    try:
        text = open(f"inputs/srnn/{name}").read()
    except OSError:
        return "", ""
    m = re.search(r"The paper's error: ([0-9.]+) \+- ([0-9.]+)", text)
    return (m.group(1), m.group(2)) if m else ("", "")


def reference_rows(data_path, steps):
    """Errors of the two trivial forecasts over `steps` test steps (positions: first half of the state)."""
    with h5py.File(data_path, "r") as f:
        y = f["test/y"][()]  # (trajectories, samples, state): the noisy observations the error is scored on
    q = y[:, 1 : steps + 1, : y.shape[2] // 2]
    rows = []
    for label, forecast in (("no motion", y[:, :1, : y.shape[2] // 2]), ("q = 0", 0.0)):
        err = np.linalg.norm(q - forecast, axis=2).mean(axis=1)
        rows.append((label, err.mean(), err.std()))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outputs", nargs="+")
    parser.add_argument("--data", help="the table's dataset: adds the no-motion and q = 0 reference rows")
    args = parser.parse_args()
    print("| training | model | integrator (tr) | integrator (te) | error mean | error std | paper mean | paper std |")
    print("|---|---|---|---|---|---|---|---|")
    for path in args.outputs:
        mode, model, tr, te, mean, std = describe(path)
        pm, ps = paper_figures(path)
        print(f"| {mode} | {model} | {tr} | {te} | {mean:.2f} | {std:.2f} | {pm} | {ps} |")
    if args.data:
        with h5py.File(args.outputs[0], "r") as f:
            deck_text = f.attrs["deck"]
        deck_text = deck_text.decode() if isinstance(deck_text, bytes) else deck_text
        steps = int(tomllib.loads(deck_text)["evaluate"]["steps"])
        for label, mean, std in reference_rows(args.data, steps):
            print(f"| reference | {label} | - | - | {mean:.2f} | {std:.2f} | | |")


if __name__ == "__main__":
    main()
