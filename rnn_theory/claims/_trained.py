"""The shipped trained checkpoints (rnn_theory/data), as evidence beside random initialisations."""

import json
import os

import numpy as np

from ..training import TASKS
from ..training.checkpoint import load_trained
from ..training.experiment import DATA_DIR, RESULTS


def trained_models(kind, episodes=1):
    """[(checkpoint name, trained cell, xs)] for every shipped checkpoint of cell ``kind``; xs is
    ``episodes`` test sequences of its task, one after the other (seeded, so always the same)."""
    with open(os.path.join(DATA_DIR, RESULTS), encoding="utf-8") as file:
        document = json.load(file)
    models = []
    for name in document["checkpoints"]:
        trained = load_trained(os.path.join(DATA_DIR, name))
        if trained.cell.key != kind:
            continue
        xs, _ = TASKS[trained.log["task"]](trained.log["lag"]).sample(np.random.default_rng(0), episodes)
        models.append((os.path.basename(name), trained.cell, np.concatenate(xs.transpose(2, 0, 1))))
    return models
