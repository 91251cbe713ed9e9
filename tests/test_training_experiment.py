"""The success-vs-lag experiment: the quick variant regenerates byte for byte; the shipped results
are consistent with the shipped checkpoints, and re-scoring a checkpoint reproduces its log."""

import json
import os

import numpy as np
import pytest

from rnn_theory import data
from rnn_theory.training import TASKS, experiment
from rnn_theory.training.trainer import fixed_set, score


def tree(folder):
    return {os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
            for d, _, files in os.walk(folder) for f in files}


def test_quick_experiment_regenerates_identically_on_one_or_two_processes(tmp_path, capsys):
    assert experiment.main(["--quick", "--out", str(tmp_path / "a")]) == 0
    assert experiment.main(["--quick", "--out", str(tmp_path / "b"), "--jobs", "1"]) == 0
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b and len(a) == 1 + 2 * 6  # results + 6 checkpoints with their logs
    document = json.loads(a["success_vs_lag.json"])
    assert document["config"]["seeds"] == 1 and len(document["runs"]) == 6
    assert document["table"] == experiment.summarise(experiment.QUICK, [_Result(r) for r in document["runs"]])
    assert "success rate vs lag" in capsys.readouterr().out


class _Result:  # summarise() reads only .log
    def __init__(self, log):
        self.log = log


def test_shipped_results_are_those_of_the_full_configuration():
    document = data.results()
    assert document["command"] == "python -m rnn_theory.training.experiment"
    assert document["config"] == json.loads(json.dumps(experiment.FULL._asdict()))
    runs = document["runs"]
    assert len(runs) == len(experiment.plan(experiment.FULL))
    assert document["table"] == experiment.summarise(experiment.FULL, [_Result(r) for r in runs])


@pytest.mark.parametrize("name", ["recall-rnn-lag10-seed0", "recall-lstm-lag50-seed0", "recall-gru-lag50-seed0"])
def test_shipped_checkpoint_is_the_logged_run_and_rescores_exactly(name):
    model, lag = name.split("-")[1], int(name.split("lag")[1].split("-")[0])
    cell, readout, log = data.trained(model, lag)
    run = next(r for r in data.results()["runs"] if r["model"] == model and r["lag"] == lag and r["seed"] == 0)
    assert {k: v for k, v in log.items() if k not in ("checkpoint", "history")} == run
    assert log["history"][-1]["step"] == log["steps_run"]
    # The test set is the trainer's: the fourth stream spawned from the run's seed.
    task = TASKS[log["task"]](lag)
    test_rng = np.random.default_rng(log["seed"]).spawn(4)[3]
    correct, _ = score(task, cell, cell.params, readout, fixed_set(task, test_rng, log["test_size"]))
    assert float(f"{correct:.6g}") == log["test_correct"]


@pytest.mark.slow
def test_full_experiment_regenerates_the_shipped_data(tmp_path):
    """The one command behind the shipped data, rerun: the same bytes (about 10–20 minutes on 2 free cores)."""
    assert experiment.main(["--out", str(tmp_path)]) == 0
    shipped = {k: v for k, v in tree(data.FOLDER).items() if k == experiment.RESULTS or k.startswith("checkpoints")}
    assert tree(tmp_path) == shipped
