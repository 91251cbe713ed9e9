"""A trained model on disk: the cell as a native checkpoint (``rt.save``) and, beside it, a JSON
file with the training log and the readout, which belongs to the model but not to the cell.

``model.npz`` (or ``.safetensors``) holds the cell; ``model.json`` holds the log plus
``"readout": {"V": (k, n) nested lists, "a": (k,)}`` (JSON floats round-trip exactly). The two are
written deterministically and as a set: both complete in temporary files before either is
renamed into place, so a full disk or an interrupt leaves both old files (``rnn_theory.io.write_set``).

>>> import tempfile, os, numpy as np
>>> from rnn_theory.training import initial_cell, TASKS, train
>>> result = train(TASKS["recall"](2), initial_cell("gru", 4, 9, rng=0), steps=20, seed=0, test_size=64)
>>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
>>> save_trained(result, path)
>>> cell, readout, log = load_trained(path)
>>> bool(np.array_equal(cell.params["W_z"], result.cell.params["W_z"])), log["cell"], readout["V"].shape
(True, 'gru', (4, 4))
"""

import json
import os

import numpy as np

from ..io import encode_tensors, load, native_tensors, write_set
from .trainer import TrainResult


def log_path(path):
    """The JSON sibling of a checkpoint path: ``model.npz`` -> ``model.json``."""
    return os.path.splitext(os.fspath(path))[0] + ".json"


def dumps(document):
    """Deterministic JSON text: sorted keys, one-space indent, final newline."""
    return json.dumps(document, indent=1, sort_keys=True, allow_nan=False) + "\n"


def save_trained(result, path):
    """Write ``result`` (a TrainResult) as ``path`` (cell) and ``log_path(path)`` (log + readout)."""
    document = {
        **result.log,
        "checkpoint": os.path.basename(os.fspath(path)),
        "readout": {name: value.tolist() for name, value in result.readout.items()},
    }
    text = dumps(document)  # fails before anything is written if the log cannot be JSON
    write_set({path: encode_tensors(path, *native_tensors(result.cell)), log_path(path): text})


def load_trained(path):
    """(cell, readout, log) from a checkpoint written by ``save_trained``."""
    with open(log_path(path), encoding="utf-8") as file:
        log = json.load(file)
    readout = {name: np.array(value, dtype=float) for name, value in log.pop("readout").items()}
    return TrainResult(load(path, format="native"), readout, log)
