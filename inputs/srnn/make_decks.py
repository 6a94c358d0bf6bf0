#!/usr/bin/python3
"""Writes the decks of SRNN's Tables 1-3 (srnn.txt) into this folder.

    inputs/srnn/make_decks.py [--ci]

One data deck per table and one deck per table row; every row deck reads the
table's dataset. Paper sizes by default; --ci writes small versions (prefix
ci_) that run in about a minute each on one core. Run a whole table with
jobs/srnn_table.slurm, or by hand:

    dynlearn run inputs/srnn/table1_data.toml
    for d in inputs/srnn/table1_row*.toml; do mpirun -np 4 dynlearn run $d; done
    tools/srnn_tables.py out/srnn/table1_row*_output.h5
"""
import argparse
import pathlib

HERE = pathlib.Path(__file__).resolve().parent

# (training, model, integrator tr, integrator te, paper mean, paper std)
TABLE1 = [
    ("single-step", "onet", "euler", "euler", 6.93, 1.22),
    ("single-step", "onet", "euler", "leapfrog", 5.87, 1.04),
    ("single-step", "onet", "leapfrog", "leapfrog", 7.28, 1.48),
    ("single-step", "hnet", "euler", "euler", 7.24, 0.64),
    ("single-step", "hnet", "euler", "leapfrog", 3.32, 0.89),
    ("single-step", "hnet", "leapfrog", "leapfrog", 3.36, 0.67),
    ("recurrent", "onet", "euler", "euler", 2.88, 0.45),
    ("recurrent", "onet", "euler", "leapfrog", 4.12, 0.41),
    ("recurrent", "onet", "leapfrog", "leapfrog", 3.34, 0.86),
    ("recurrent", "hnet", "euler", "euler", 7.58, 0.63),
    ("recurrent", "hnet", "euler", "leapfrog", 5.26, 0.63),
    ("recurrent", "hnet", "leapfrog", "leapfrog", 2.37, 0.87),
    ("recurrent", "rnn", None, None, 4.80, 0.82),
    ("recurrent", "lstm", None, None, 5.95, 1.05),
]
TABLE2 = [
    ("recurrent", "onet", "euler", "euler", 2.13, 0.37),
    ("recurrent", "onet", "euler", "leapfrog", 3.59, 0.50),
    ("recurrent", "onet", "leapfrog", "leapfrog", 2.27, 0.60),
    ("recurrent", "hnet", "euler", "euler", 6.26, 0.60),
    ("recurrent", "hnet", "euler", "leapfrog", 3.00, 0.63),
    ("recurrent", "hnet", "leapfrog", "leapfrog", 1.45, 0.32),
    ("recurrent", "rnn", None, None, 4.72, 0.94),
    ("recurrent", "lstm", None, None, 5.81, 0.98),
]
TABLE3 = [
    ("single-step", "onet", "euler", "euler", 0.65, 0.16),
    ("single-step", "onet", "euler", "leapfrog", 1.36, 0.18),
    ("single-step", "onet", "leapfrog", "leapfrog", 1.33, 0.20),
    ("single-step", "hnet", "euler", "euler", 1.64, 0.25),
    ("single-step", "hnet", "euler", "leapfrog", 0.88, 0.33),
    ("single-step", "hnet", "leapfrog", "leapfrog", 0.35, 0.09),
    ("recurrent", "onet", "euler", "euler", 0.51, 0.11),
    ("recurrent", "onet", "euler", "leapfrog", 1.27, 0.18),
    ("recurrent", "onet", "leapfrog", "leapfrog", 0.49, 0.10),
    ("recurrent", "hnet", "euler", "euler", 0.79, 0.17),
    ("recurrent", "hnet", "euler", "leapfrog", 1.76, 0.62),
    ("recurrent", "hnet", "leapfrog", "leapfrog", 0.26, 0.07),
    ("simulation", "true_equations", None, "leapfrog", 0.47, 0.18),
]

SPRING = dict(system='type = "spring_chain"\nn_masses = {n_masses}\n', n_masses=20, n_train=1000, n_test=32,
              dt=0.1, train_steps=9, test_steps=200, noise=0.2, hidden={"onet": "[2048]", "hnet": "[2048]",
              "rnn": "[2048]", "lstm": "[2048]"}, epochs=1000, lr=0.001, window=9, batch=96)
THREE = dict(system='type = "three_body"\n', n_train=100, n_test=32, dt=1.0, train_steps=9, test_steps=10,
             noise=0.0, hidden={"onet": "[512, 512, 512]", "hnet": "[512, 512, 512]"}, epochs=1000, lr=0.0003,
             window=4, batch=96)


def data_deck(name, table, cfg, ci, doc):
    n_masses = 5 if ci else cfg.get("n_masses", 0)
    return f"""# {doc}
# Data of SRNN {table} ({'CI size' if ci else 'paper size'}). Generated once, read by every row deck.
[run]
name = "{name}_data"
output_dir = "out/srnn"
seed = 1
stages = ["generate"]

[system]
{cfg['system'].format(n_masses=n_masses)}
[data]
file = "out/srnn/{name}_data.h5"
n_train = {64 if ci else cfg['n_train']}
n_test = {8 if ci else cfg['n_test']}
dt = {cfg['dt']}
train_steps = {cfg['train_steps']}
test_steps = {min(cfg['test_steps'], 50) if ci else cfg['test_steps']}
noise = {cfg['noise']}
"""


def row_deck(name, table, index, row, cfg, ci, iso):
    training, model, tr, te, mean, std = row
    hidden = "[32]" if ci else cfg["hidden"].get(model, "[]")
    window = cfg["window"] if training == "recurrent" else 1
    # A window of T steps leaves train_steps - T + 1 windows per trajectory, so recurrent
    # training makes fewer optimizer updates per epoch than single-step training. At
    # paper size 1000 epochs converge either way (the paper's setting); the CI decks
    # train 100 epochs' worth of single-step updates, or recurrent training stops far
    # from converged (SRNN at CI size: 3.83 with 100 epochs' updates, 1.25 with equal).
    # The plateau scheduler's patience is counted in the same updates.
    updates_ratio = cfg["train_steps"] / (cfg["train_steps"] - window + 1)
    ci_epochs = round(100 * updates_ratio)
    label = f"{training} {model} {tr or 'N/A'}/{te or 'N/A'}"
    stages = '["evaluate"]' if model == "true_equations" else '["train", "evaluate"]'
    text = f"""# SRNN {table}, row {index}: {label}{' with initial state optimisation' if iso else ''}.
# The paper's error: {mean} +- {std} (mean and std over 32 test trajectories of the
# position L2 error averaged over the test steps).
[run]
name = "{name}_row{index:02d}"
output_dir = "out/srnn"
seed = 1
stages = {stages}

[system]
{cfg['system'].format(n_masses=5 if ci else cfg.get('n_masses', 0))}
[data]
file = "out/srnn/{name}_data.h5"

[model]
type = "{model}"
"""
    if model != "true_equations":
        text += f'hidden = {hidden}\n'
        text += f"""
[train]
integrator = "{tr or 'euler'}"   # unused by rnn/lstm
window = {window}                 # 1: single-step training; {cfg['window']}: recurrent (T = {cfg['window']})
epochs = {ci_epochs if ci else cfg['epochs']}
batch_size = {12 if ci else cfg['batch']}  # a multiple of the 12 default shards
learning_rate = {0.01 if ci else cfg['lr']}
scheduler = "plateau"             # ReduceLROnPlateau, patience 15, factor 0.7 (appendix A)
patience = {round(15 * updates_ratio) if ci else 15}
factor = 0.7
iso = {'true' if iso else 'false'}
iso_start_epoch = {ci_epochs // 2 if ci else 500}
log_every = {ci_epochs // 5 if ci else 50}
checkpoint_every = {0 if ci else 50}
"""
    text += f"""
[evaluate]
integrator = "{te or 'euler'}"
steps = {50 if ci else cfg['test_steps']}
iso = {'true' if iso else 'false'}
"""
    return text


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ci", action="store_true", help="write the small ci_ versions")
    args = parser.parse_args()
    prefix = "ci_" if args.ci else ""
    for table, rows, cfg, iso, doc in [
        ("table1", TABLE1, SPRING, False, "Spring chain, noisy, fixed initial states (Table 1)."),
        ("table2", TABLE2, SPRING, True, "Spring chain, noisy, initial state optimisation (Table 2)."),
        ("table3", TABLE3, THREE, False, "Three-body problem, noiseless, dt = 1 (Table 3)."),
    ]:
        name = prefix + table
        (HERE / f"{name}_data.toml").write_text(data_deck(name, table, cfg, args.ci, doc))
        for i, row in enumerate(rows, 1):
            (HERE / f"{name}_row{i:02d}.toml").write_text(row_deck(name, table, i, row, cfg, args.ci, iso))
    print(f"wrote decks to {HERE}")


if __name__ == "__main__":
    main()
