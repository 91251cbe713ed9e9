"""The learning experiments: the quick variant of every protocol regenerates byte for byte on one
or two processes and from its kept runs; the shipped results are consistent with the shipped
checkpoints, and re-scoring a checkpoint reproduces its log."""

import json
import os
import shutil

import numpy as np
import pytest

from rnn_theory import data
from rnn_theory.training import TASKS, experiment
from rnn_theory.training.checkpoint import load_trained
from rnn_theory.training.protocols import MODERN, PROTOCOLS, QUICK, results_file
from rnn_theory.training.runner import ONE_RATE, run_protocol, summarise
from rnn_theory.training.stats import wilson
from rnn_theory.training.tables import success_tables
from rnn_theory.training.trainer import fixed_set, score


def tree(folder):
    return {
        os.path.relpath(os.path.join(d, f), folder): open(os.path.join(d, f), "rb").read()
        for d, _, files in os.walk(folder)
        for f in files
    }


def test_quick_experiment_regenerates_identically_on_one_or_two_processes(tmp_path, capsys):
    """``python -m rnn_theory.training.experiment --quick``, as the default tests run it (seconds)."""
    assert experiment.main(["--quick", "--out", str(tmp_path / "a")]) == 0
    assert experiment.main(["--quick", "--out", str(tmp_path / "b"), "--jobs", "1"]) == 0
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    results = {name for name in a if "/" not in name}
    assert results == {results_file(name) for name in PROTOCOLS} and "success_vs_lag.json" in results
    assert {k: a[k] for k in results} == {k: b[k] for k in results}
    assert {k: v for k, v in a.items() if k.startswith("checkpoints")} == {
        k: v for k, v in b.items() if k.startswith("checkpoints")
    }
    document = json.loads(a["success_vs_lag.json"])
    assert document["protocol"] == json.loads(json.dumps(QUICK["modern"]._asdict()))
    assert len(document["runs"]) == len(MODERN.models) * QUICK["modern"].seeds == 20
    assert document["table"] == summarise(QUICK["modern"], document["runs"])
    assert document["sweep"] == {"scores": {}, "chosen_lr": dict.fromkeys(document["table"], 0.01), "rule": ONE_RATE}
    output = capsys.readouterr().out
    assert "lr 0.01 for every model" in output and all(name in output for name in PROTOCOLS)
    tables = success_tables(str(tmp_path / "a"))
    assert tables["missing"] == [] and set(tables) == {"missing", *PROTOCOLS}
    assert tables["hs1997_adding"]["optimizer"] == "adam" and tables["bengio1994_sgd"]["clip"] == {
        "rnn-sgd": None,
        "rnn-orthogonal-sgd": None,
    }
    assert tables["modern"]["lr_sweep"] is None and tables["modern"]["lr_rule"] == ONE_RATE
    cell = tables["pascanu2013_temporal_order"]["table"]["rnn-clip"][20]
    assert cell["runs"] == 2 and cell["wilson95"] == [round(v, 4) for v in wilson(cell["successes"], 2)]
    # Rerun into a: every run is read back from runs/, and the documents come out the same bytes.
    assert experiment.main(["--quick", "--out", str(tmp_path / "a"), "--protocol", "hs1997_adding"]) == 0
    assert tree(tmp_path / "a")["hs1997_adding.json"] == a["hs1997_adding.json"]
    assert "took 0 CPU s" in capsys.readouterr().err


def test_more_seeds_reuse_the_kept_runs_and_say_so_in_the_command(tmp_path, capsys):
    out = str(tmp_path)
    assert experiment.main(["--quick", "--protocol", "bengio1994_sgd", "--out", out, "--jobs", "1"]) == 0
    assert (
        experiment.main(["--quick", "--protocol", "bengio1994_sgd", "--out", out, "--jobs", "1", "--seeds", "3"]) == 0
    )
    document = json.loads((tmp_path / "bengio1994_sgd.json").read_text())
    assert document["protocol"]["seeds"] == 3 and document["command"].endswith("--quick --seeds 3")
    assert all(cell["runs"] == 3 for row in document["table"].values() for cell in row.values())
    # Only the third seed of each model trained: the kept runs' log says which ran.
    cache = next((tmp_path / "runs").iterdir())
    trained = [line.split("\t")[0] for line in (cache / "cpu_seconds.tsv").read_text().splitlines()]
    assert len(trained) == len(set(trained)) == 2 * (2 + 2) + 2  # two models' sweeps and tables, then 2 new runs
    with pytest.raises(SystemExit) as exit_:
        experiment.main(["--quick", "--seeds", "0"])
    assert exit_.value.code == 2 and "--seeds must be >= 1" in capsys.readouterr().err


def test_quick_protocol_document_is_its_runs_summarised(tmp_path):
    protocol = QUICK["hs1997_adding"]
    run_protocol(protocol, str(tmp_path))
    document = json.loads((tmp_path / "hs1997_adding.json").read_text())
    assert document["protocol"] == json.loads(json.dumps(protocol._asdict()))
    chosen, scores = document["sweep"]["chosen_lr"], document["sweep"]["scores"]
    for model, rate in chosen.items():  # the chosen rate has the best validation score
        assert scores[model][f"{rate:g}"] == max(scores[model].values())
    runs = document["runs"]
    assert len(runs) == len(protocol.models) * len(protocol.lags) * protocol.seeds
    assert all(run["lr"] == chosen[run["model"]] and run["phase"] == "table" for run in runs)
    assert document["table"] == summarise(protocol, runs)
    for model, row in document["table"].items():
        for lag, cell in row.items():
            mine = [r for r in runs if r["model"] == model and r["lag"] == int(lag)]
            assert cell["successes"] == sum(r["success"] for r in mine) and cell["runs"] == protocol.seeds
            assert cell["wilson95"][0] <= cell["success_rate"] <= cell["wilson95"][1]
            curve = document["curves"][model][lag]
            assert curve["step"][-1] == protocol.steps
            assert all(a <= m <= b for a, m, b in zip(curve["q1"], curve["median"], curve["q3"]))
    assert document["checkpoints"] == ["checkpoints/adding-lstm_nofg-lag50-seed0.npz"]
    cell, readout, log = load_trained(tmp_path / "checkpoints" / "adding-lstm_nofg-lag50-seed0.npz")
    assert {k: v for k, v in log.items() if k not in ("checkpoint", "history")} == runs[0]


def test_the_full_command_needs_an_output_folder(capsys):
    with pytest.raises(SystemExit) as exit_:
        experiment.main(["--protocol", "hs1997_adding"])
    assert exit_.value.code == 2 and "--out FOLDER is required" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_shipped_protocol_results_are_their_runs_summarised(name):
    """Each shipped document is its protocol's, with however many seeds it was run with, and its
    table is its runs summarised."""
    path = os.path.join(data.FOLDER, results_file(name))
    if not os.path.exists(path):
        pytest.skip(f"{name} has not been run into the package yet (success_tables lists it as missing)")
    with open(path, encoding="utf-8") as file:
        document = json.load(file)
    protocol = PROTOCOLS[name]._replace(seeds=document["protocol"]["seeds"])
    assert document["protocol"] == json.loads(json.dumps(protocol._asdict()))
    assert document["command"] == experiment.command(
        name, False, None if protocol == PROTOCOLS[name] else protocol.seeds
    )
    assert document["table"] == summarise(protocol, document["runs"])
    assert len(document["runs"]) == len(protocol.models) * len(protocol.lags) * protocol.seeds
    assert {run["seed"] for run in document["runs"]} == set(range(protocol.seeds))


def _shipped_checkpoints():
    """(protocol, checkpoint path relative to the data folder) for every checkpoint a shipped document lists."""
    for name in sorted(PROTOCOLS):
        path = os.path.join(data.FOLDER, results_file(name))
        if os.path.exists(path):
            with open(path, encoding="utf-8") as file:
                yield from ((name, relative) for relative in json.load(file)["checkpoints"])


@pytest.mark.parametrize(("name", "relative"), list(_shipped_checkpoints()))
def test_shipped_checkpoint_is_the_logged_run_and_rescores_exactly(name, relative):
    """Every checkpoint a shipped document lists is the seed-0 run its table counts, and rescores to its log."""
    with open(os.path.join(data.FOLDER, results_file(name)), encoding="utf-8") as file:
        runs = json.load(file)["runs"]
    cell, readout, log = load_trained(os.path.join(data.FOLDER, relative))
    lag = log["lag"]
    assert relative == f"checkpoints/{log['task']}-{log['model']}-lag{lag}-seed0.npz"
    run = next(r for r in runs if r["model"] == log["model"] and r["lag"] == lag and r["seed"] == 0)
    assert {k: v for k, v in log.items() if k not in ("checkpoint", "history")} == run
    assert log["history"][-1]["step"] == log["steps_run"]
    # The test set is the trainer's: the fourth stream spawned from the run's seed.
    task = TASKS[log["task"]](lag)
    test_rng = np.random.default_rng(log["seed"]).spawn(4)[3]
    correct, _ = score(task, cell, cell.params, readout, fixed_set(task, test_rng, log["test_size"]))
    assert float(f"{correct:.6g}") == log["test_correct"]


@pytest.mark.slow
def test_full_experiment_regenerates_the_shipped_data(tmp_path):
    """The one command behind the shipped modern row, rerun: the same bytes (about 10–20 minutes on 2 free cores)."""
    assert experiment.main(["--protocol", "modern", "--out", str(tmp_path)]) == 0
    written = tree(tmp_path)
    shipped = tree(data.FOLDER)
    assert {k: v for k, v in written.items() if k.startswith("checkpoints/recall-")} == {
        k: v for k, v in shipped.items() if k.startswith("checkpoints/recall-")
    }
    # The shipped document predates the learning curves in it (converted, not rerun: see CHANGELOG).
    document, again = json.loads(shipped["success_vs_lag.json"]), json.loads(written["success_vs_lag.json"])
    assert {**again, "curves": None} == document


def test_shipped_adding_checkpoint_solves_the_1997_adding_problem():
    """The 1997 LSTM's seed-0 run of ``hs1997_adding``: rescored on its test set it gives its log's
    number, and on 2560 further fresh sequences it meets the paper's bar (|error| < 0.04 on >= 99%)."""
    path = os.path.join(data.FOLDER, "checkpoints", "adding-lstm_nofg-lag50-seed0.npz")
    if not os.path.exists(path):
        pytest.skip("hs1997_adding has not been run into the package yet")
    cell, readout, log = load_trained(path)
    assert cell.key == "lstm_nofg" and log["task"] == "adding" and log["lag"] == 50 and log["success"]
    task = TASKS["adding"](50)
    test_rng = np.random.default_rng(log["seed"]).spawn(4)[3]
    correct, _ = score(task, cell, cell.params, readout, fixed_set(task, test_rng, log["test_size"]))
    assert float(f"{correct:.6g}") == log["test_correct"] >= 0.99
    fresh, _ = score(task, cell, cell.params, readout, fixed_set(task, np.random.default_rng(2026), 2560))
    assert fresh >= 0.99


def test_every_model_of_the_experiment_is_in_the_tables_and_the_figure(tmp_path, monkeypatch):
    """The modern row's models, the new cells (indrnn, rglru, mamba, slstm) beside the classic ones, and
    modern_extra's (mlstm, and indrnn and slstm under their papers' initialisations), trained on the
    quick budget: ``success_tables`` lists each of them, and ``lag_task_success`` draws each in its own style."""
    from rnn_theory.plots import lag_task

    config = QUICK["modern"]
    run_protocol(config, str(tmp_path))
    run_protocol(QUICK["modern_extra"], str(tmp_path))
    # Panel (b) is the shipped SGD protocol, at the modern row's lags.
    shutil.copy(os.path.join(data.FOLDER, "bengio1994_sgd.json"), tmp_path)
    models = [name for name, *_ in config.models + QUICK["modern_extra"].models]
    assert {"indrnn", "rglru", "mamba", "slstm", "mlstm", "indrnn-paper", "slstm-paper"} <= set(models)
    tables = success_tables(str(tmp_path))
    table = {**tables["modern"]["table"], **tables["modern_extra"]["table"]}
    assert sorted(table) == sorted(models) and all(sorted(row) == sorted(config.lags) for row in table.values())
    monkeypatch.setattr(data, "FOLDER", str(tmp_path))
    figure, caption = lag_task.build()
    success = figure.axes[0]
    labels = [line.get_label() for line in success.containers]
    assert labels == models
    styles = {
        (bars.lines[0].get_color(), str(bars.lines[0].get_linestyle()), bars.lines[0].get_marker())
        for bars in success.containers
    }
    assert len(styles) == len(models)
    assert all(f"{name} (cell" in " ".join(caption.split()) for name in models)
