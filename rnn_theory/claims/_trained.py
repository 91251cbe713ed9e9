"""The shipped trained checkpoints (``rnn_theory.data``), as evidence beside random initialisations."""

import functools
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
        if _cell_key(name) != kind:
            continue
        cell, _, log = _trained(name)
        xs, _ = TASKS[log["task"]](log["lag"]).sample(np.random.default_rng(0), episodes)
        models.append((name, cell, np.concatenate(xs.transpose(2, 0, 1))))
    return models


def _trained(name):
    """(cell, readout, log) of the shipped checkpoint ``name``."""
    parts = _NAME.fullmatch(name).groupdict()
    return trained(parts["model"], int(parts["lag"]), parts["task"], int(parts["seed"]))


@functools.cache
def _cell_key(name):
    """The cell of the shipped checkpoint ``name``: each is loaded once per process to learn it, not once
    per claim that asks for the models of one cell (the shipped files do not change while it runs)."""
    return _trained(name)[0].key
