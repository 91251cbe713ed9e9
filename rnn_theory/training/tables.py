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

from .protocols import PROTOCOLS


def success_tables(folder=None):
    """{protocol name: {...}, "missing": [names]} from the results JSON files in ``folder``."""
    from .. import data
    from .experiment import MODERN, RESULTS

    folder = data.FOLDER if folder is None else folder
    tables, missing = {}, []
    for name, filename in ((MODERN, RESULTS), *((name, name + ".json") for name in PROTOCOLS)):
        path = os.path.join(folder, filename)
        if not os.path.exists(path):
            missing.append(name)
            continue
        with open(path, encoding="utf-8") as file:
            document = json.load(file)
        tables[name] = _modern(document) if name == MODERN else _protocol(document)
    return {**tables, "missing": missing}


def _cells(table):
    keep = ("successes", "runs", "success_rate", "wilson95")
    return {model: {int(lag): {k: cell[k] for k in keep} for lag, cell in row.items()} for model, row in table.items()}


def _modern(document):
    config = document["config"]
    return {
        "title": "modern optimiser: Adam with clipping, one learning rate for every model, delayed recall",
        "optimizer": "adam",
        "clip": {name: config["clip"] for name, _, _ in config["models"]},
        "cell": {name: key for name, key, _ in config["models"]},
        "task": config["task"],
        "criterion": f">= {config['success']:.0%} of {config['test_size']} test sequences",
        "seeds": config["seeds"],
        "lr": {name: config["lr"] for name, _, _ in config["models"]},
        "lr_sweep": None,
        "command": document["command"],
        "checkpoints": document["checkpoints"],
        "table": _cells(document["table"]),
    }


def _protocol(document):
    protocol = document["protocol"]
    return {
        "title": protocol["title"],
        "source": protocol["source"],
        "deviations": protocol["deviations"],
        "optimizer": protocol["optimizer"],
        "clip": {name: clip for name, _, _, clip in protocol["models"]},
        "cell": {name: key for name, key, _, _ in protocol["models"]},
        "task": protocol["task"],
        "criterion": f">= {protocol['success']:.0%} of {protocol['test_size']} test sequences",
        "seeds": protocol["seeds"],
        "lr": document["sweep"]["chosen_lr"],
        "lr_sweep": protocol["lrs"],
        "command": document["command"],
        "checkpoints": document["checkpoints"],
        "table": _cells(document["table"]),
    }


def format_protocol(document):
    """A results document of ``runner.run_protocol`` as a text table."""
    protocol, table, chosen = document["protocol"], document["table"], document["sweep"]["chosen_lr"]
    lags = [str(lag) for lag in protocol["lags"]]
    lines = [
        f"{protocol['name']}: {protocol['title']}",
        f"{protocol['optimizer']}, <= {protocol['steps']} updates x batch {protocol['batch']}, n = {protocol['hidden']}, "
        f"{protocol['seeds']} seeds; success = >= {protocol['success']:.0%} of {protocol['test_size']} test sequences; "
        f"lr swept over {', '.join(f'{lr:g}' for lr in protocol['lrs'])} at lag {protocol['sweep_lag']}",
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
