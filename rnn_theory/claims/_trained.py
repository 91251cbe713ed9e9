"""The shipped trained checkpoints (``rnn_theory.data``), as evidence beside random initialisations."""

import re

import numpy as np

from ..data import checkpoints, trained
from ..training import TASKS

_NAME = re.compile(r"(?P<task>[a-z_]+)-(?P<model>.+)-lag(?P<lag>\d+)-seed(?P<seed>\d+)")


def trained_models(kind, episodes=1):
    """[(checkpoint name, trained cell, xs)] for every shipped checkpoint of cell ``kind``, each
    model of the experiment (e.g. rnn, rnn-identity) included; xs is ``episodes`` test sequences of
    its task, one after the other (seeded, so always the same)."""
    models = []
    for name in checkpoints():
        parts = _NAME.fullmatch(name).groupdict()
        cell, _, log = trained(parts["model"], int(parts["lag"]), parts["task"], int(parts["seed"]))
        if cell.key != kind:
            continue
        xs, _ = TASKS[log["task"]](log["lag"]).sample(np.random.default_rng(0), episodes)
        models.append((name, cell, np.concatenate(xs.transpose(2, 0, 1))))
    return models
