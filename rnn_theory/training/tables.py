"""The learning experiments' success tables, per protocol, with 95% Wilson intervals: read from
a results folder (the package's ``rnn_theory/data`` by default) and printed as text.

``success_tables()`` is what a claim about learning reads: for each protocol whose results are
there, its optimiser, clipping, task, criterion, seeds, each model's cell key (``cell``) and the
learning rate it got, the checkpoints it ships (paths relative to the folder) and, per model and
lag, ``successes``/``runs``, ``success_rate`` and ``wilson95`` = [low, high]. Protocols whose
results are not there are listed under ``"missing"``. Everything is read from the files when
called, so regenerated results (more seeds, more models) need no change of code.
"""

import json
import os

from .. import data
from .protocols import PROTOCOLS, results_file


def success_tables(folder=None):
    """{protocol name: {...}, "missing": [names]} from the results JSON files in ``folder``."""
    folder = data.FOLDER if folder is None else folder
    tables, missing = {}, []
    for name in PROTOCOLS:
        path = os.path.join(folder, results_file(name))
        if not os.path.exists(path):
            missing.append(name)
            continue
        with open(path, encoding="utf-8") as file:
            tables[name] = _table(json.load(file))
    return {**tables, "missing": missing}


def _budget(steps, batch, hidden):
    return f"<= {steps} updates x batch {batch} fresh sequences ({steps * batch:,} sequences), n = {hidden}"


def _cells(table):
    """Per model (in the order given) and lag: successes, runs, rate and Wilson interval."""
    keep = ("successes", "runs", "success_rate", "wilson95")
    return {model: {int(lag): {k: cell[k] for k in keep} for lag, cell in row.items()} for model, row in table.items()}


def _lr_rule(protocol, rule):
    if len(protocol["lrs"]) == 1:
        return rule
    return (
        f"per model, swept over {', '.join(f'{lr:g}' for lr in protocol['lrs'])} at lag "
        f"{protocol['sweep_lag']} on seeds {', '.join(map(str, protocol['sweep_seeds']))} (not the table's), "
        f"scored on validation data: {rule}"
    )


def _table(document):
    protocol = document["protocol"]
    return {
        "title": protocol["title"],
        "source": protocol["source"],
        "deviations": protocol["deviations"],
        "optimizer": protocol["optimizer"],
        "clip": {name: clip for name, _, _, clip in protocol["models"]},
        "cell": {name: key for name, key, _, _ in protocol["models"]},
        "init": {name: init for name, _, init, _ in protocol["models"]},
        "task": protocol["task"],
        "criterion": f">= {protocol['success']:.0%} of {protocol['test_size']} test sequences",
        "seeds": protocol["seeds"],
        "lr": document["sweep"]["chosen_lr"],
        "lr_sweep": protocol["lrs"] if len(protocol["lrs"]) > 1 else None,
        "lr_rule": _lr_rule(protocol, document["sweep"]["rule"]),
        "budget": _budget(protocol["steps"], protocol["batch"], protocol["hidden"]),
        "stopping": document["stopping"],
        "command": document["command"],
        "checkpoints": document["checkpoints"],
        "table": _cells({name: document["table"][name] for name, *_ in protocol["models"]}),
    }


def format_protocol(document):
    """A results document of ``runner.run_protocol`` as a text table."""
    protocol, table, chosen = document["protocol"], document["table"], document["sweep"]["chosen_lr"]
    lags = [str(lag) for lag in protocol["lags"]]
    lines = [
        f"{protocol['name']}: {protocol['title']}",
        f"{protocol['optimizer']}, <= {protocol['steps']} updates x batch {protocol['batch']}, n = {protocol['hidden']}, "
        f"{protocol['seeds']} seeds; success = >= {protocol['success']:.0%} of {protocol['test_size']} test sequences; "
        + (
            f"lr swept over {', '.join(f'{lr:g}' for lr in protocol['lrs'])} at lag {protocol['sweep_lag']}"
            if len(protocol["lrs"]) > 1
            else f"lr {protocol['lrs'][0]:g} for every model"
        ),
        f"{'model':20s}{'lr':>8s}" + "".join(f"{'lag ' + lag:>22s}" for lag in lags),
    ]
    for name, row in table.items():
        cells = [
            f"{row[lag]['successes']}/{row[lag]['runs']} [{row[lag]['wilson95'][0]:.2f}, {row[lag]['wilson95'][1]:.2f}]"
            for lag in lags
        ]
        lines.append(f"{name:20s}{chosen[name]:>8g}" + "".join(f"{c:>22s}" for c in cells))
    lines.append("entries: successful runs / runs [95% Wilson interval]")
    return "\n".join(lines)


def markdown(tables):
    """The tables of ``success_tables()`` as Markdown, one section per protocol: its settings, how
    each model's learning rate was chosen, when training stops and when a run succeeds, the command
    that regenerates it, and per model and lag the successful runs with their 95% Wilson interval."""
    lines = []
    for name, table in tables.items():
        if name == "missing":
            continue
        lags = sorted({lag for row in table["table"].values() for lag in row})
        lines += [f"## `{name}`", "", f"{table['title']}.", ""]
        if "source" in table:
            lines += [f"- **Source:** {table['source']}", f"- **Departures from it:** {table['deviations']}"]
        lines += [
            f"- **Training:** {table['optimizer']} on {table['task']}, {table['budget']}, {table['seeds']} seeds "
            "per model and lag (run r: seed r for weights and data)",
            f"- **Learning rate:** {table['lr_rule']}",
            f"- **Stopping:** {table['stopping']}",
            f"- **Success:** {table['criterion']} meet the task's criterion",
            f"- **Regenerate:** `{table['command']}`",
            "",
            "| model | cell | init | clip | lr | " + " | ".join(f"lag {lag}" for lag in lags) + " |",
            "|---" * (5 + len(lags)) + "|",
        ]
        for model, row in table["table"].items():
            clip = "none" if table["clip"][model] is None else f"{table['clip'][model]:g}"
            cells = [_entry(row[lag]) if lag in row else "" for lag in lags]
            lines.append(
                f"| {model} | {table['cell'][model]} | {table['init'][model]} | {clip} | {table['lr'][model]:g} | "
                + " | ".join(cells)
                + " |"
            )
        lines += ["", "Entries: successful runs / runs [95% Wilson interval].", ""]
    if tables["missing"]:
        lines += [f"Not shipped yet: {', '.join(f'`{name}`' for name in tables['missing'])}.", ""]
    return "\n".join(lines)


def _entry(cell):
    low, high = cell["wilson95"]
    return f"{cell['successes']}/{cell['runs']} [{low:.2f}, {high:.2f}]"
