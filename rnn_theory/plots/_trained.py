"""The shipped training experiment (``rnn_theory.training.experiment``): its results table, its
trained checkpoints, the exact initial weights each checkpoint started from, and task inputs."""

import os

import numpy as np

from .. import data
from ..training import TASKS, initial_cell
from ..training.checkpoint import load_trained
from ._errors import MissingData

MODELS = ("rnn", "lstm", "gru")  # the trained models the figures show (experiment model names)
# Series (colour, line style, marker) of each experiment model, the same in every figure.
MODEL_SERIES = {"rnn": 0, "lstm_nofg": 1, "lstm": 2, "gru": 3, "rnn-identity": 4, "rnn-orthogonal": 5}


def model_series(models):
    """Series index of each of ``models`` (experiment model names, in the experiment's order):
    ``MODEL_SERIES``'s for the models above, the next free indices, in order, for any other (a
    cell added to the experiment needs no entry here).

    >>> model_series(["rnn", "lstm", "slstm", "mamba"])["mamba"]
    7
    """
    others = [model for model in models if model not in MODEL_SERIES]
    return {**MODEL_SERIES, **{model: len(MODEL_SERIES) + k for k, model in enumerate(others)}}


def results():
    """The experiment's results document (``rnn_theory.data.results``), or MissingData saying how to make it."""
    try:
        return data.results()
    except FileNotFoundError as error:
        raise MissingData(f"{error.filename} is missing: run python -m rnn_theory.training.experiment") from None


def protocol_results(name):
    """The shipped results document of the learning protocol ``name``, or MissingData saying how to make it."""
    import json

    path = os.path.join(data.FOLDER, name + ".json")
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        raise MissingData(
            f"{path} is missing: run python -m rnn_theory.training.experiment --protocol {name} "
            "--out FOLDER and copy it into the package"
        ) from None


def checkpoints(models=MODELS):
    """[(log, trained cell)] of the shipped checkpoints of ``models``, by model then lag."""
    found = []
    for relative in results()["checkpoints"]:
        trained = load_trained(os.path.join(data.FOLDER, relative))
        if trained.log["model"] in models:
            found.append((trained.log, trained.cell))
    return sorted(found, key=lambda entry: (models.index(entry[0]["model"]), entry[0]["lag"]))


def initial(log):
    """The cell a checkpoint started from: the experiment's ``initial_cell`` with the run's seed."""
    return initial_cell(log["cell"], log["hidden_size"], log["input_size"], log["init"], rng=log["seed"])


def task_inputs(task, lag, seed):
    """One input sequence (T, m) of ``task`` at ``lag``, drawn from default_rng(seed)."""
    xs, _ = TASKS[task](lag).sample(np.random.default_rng(seed), 1)
    return xs[:, :, 0]


def describe(log):
    """'lstm trained on recall at lag 50 (seed 0, 3000 steps, success)' for captions."""
    outcome = "solved" if log["success"] else f"not solved, {log['test_correct']:.0%} correct"
    return (
        f"{log['model']} trained on {log['task']} at lag {log['lag']} (seed {log['seed']}, {log['steps_run']} "
        f"Adam steps, {outcome}; checkpoint {log['checkpoint']})"
    )
