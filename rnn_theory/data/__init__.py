"""Trained weights shipped with the package: the success-vs-lag experiment's results and a few of
its checkpoints, exactly as ``python -m rnn_theory.training.experiment`` wrote them, so that claims
and figures can use trained weights without retraining.

``results()`` is the modern row's JSON document (protocol, table, every run's log; the schema of
every protocol, ``rnn_theory.training.runner``);
``checkpoints()`` lists the shipped models; ``trained(model, lag)`` loads one as
``(cell, readout, log)`` (see ``rnn_theory.training.checkpoint``).

>>> sorted(results()["table"])[:3]
['gru', 'indrnn', 'lstm']
>>> cell, readout, log = trained("lstm", 10)
>>> cell.key, log["lag"], readout["V"].shape == (4, cell.hidden_size)
('lstm', 10, True)
"""

import functools
import json
import os

FOLDER = os.path.dirname(os.path.abspath(__file__))


def results():
    """The experiment's results document (``success_vs_lag.json``)."""
    with open(os.path.join(FOLDER, "success_vs_lag.json"), encoding="utf-8") as file:
        return json.load(file)


def checkpoints():
    """Names of the shipped checkpoints, e.g. ``recall-lstm-lag10-seed0``."""
    path = os.path.join(FOLDER, "success_vs_lag.json")
    status = os.stat(path)
    return list(_checkpoint_names(path, status.st_mtime_ns, status.st_size))


@functools.cache
def _checkpoint_names(path, mtime_ns, size):
    """The names listed in the results document, parsed once per version of the file (its path, time
    and size): the document is 400 kB, and the claims ask for the names hundreds of times a run."""
    with open(path, encoding="utf-8") as file:
        return tuple(os.path.splitext(name.split("/")[-1])[0] for name in json.load(file)["checkpoints"])


def trained(model, lag, task="recall", seed=0):
    """(cell, readout, log) of the shipped checkpoint of ``model`` (e.g. "rnn", "lstm", "gru") at ``lag``."""
    from ..training.checkpoint import load_trained

    name = f"{task}-{model}-lag{lag}-seed{seed}"
    if name not in checkpoints():
        raise ValueError(f"no shipped checkpoint {name!r}; shipped: {', '.join(checkpoints())}")
    return load_trained(os.path.join(FOLDER, "checkpoints", name + ".npz"))
