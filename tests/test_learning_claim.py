"""The "10–20 steps" claim, the lag_task_success figure and the learning-experiments page follow the
results files they read: a synthetic results folder (more seeds, new models, changed counts) moves
the verdicts, the figure and the tables without a change of code."""

import json
import os
import shutil

import pytest

from rnn_theory import data
from rnn_theory.claims.learning import decide, judge, verdicts_markdown
from rnn_theory.training.stats import wilson
from rnn_theory.training.tables import markdown, success_tables

RNN50 = "checkpoints/recall-rnn-lag50-seed0"  # the shipped modern run of the vanilla RNN at lag 50 (solved)
NEW = (("indrnn", "indrnn"), ("mamba", "mamba"))  # models regenerated data may bring, unknown to the code


def _cell(successes, runs):
    return {
        "successes": successes,
        "runs": runs,
        "success_rate": successes / runs,
        "wilson95": [round(v, 4) for v in wilson(successes, runs)],
        "mean_test_correct": 0.25 + 0.75 * successes / runs,
        "median_sequences_to_success": None,
    }


def _read(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as file:
        return json.load(file)


def _write(folder, name, document):
    with open(os.path.join(folder, name), "w", encoding="utf-8") as file:
        json.dump(document, file)


@pytest.fixture
def folder(tmp_path):
    """The shipped results, with the modern row regenerated as the lead will: 10 seeds, two new
    models, every count out of 10; the vanilla RNN solves lag 50 in 10 of 10. Of the modern row's
    checkpoints only the vanilla RNN's seed-0 lag-50 one is copied; the other protocols' all are."""
    for name in os.listdir(data.FOLDER):
        if name.endswith(".json"):
            shutil.copy(os.path.join(data.FOLDER, name), tmp_path / name)
    others = [name for name in os.listdir(data.FOLDER) if name.endswith(".json") and name != "success_vs_lag.json"]
    os.makedirs(tmp_path / "checkpoints")
    for stem in {RNN50} | {path[: -len(".npz")] for name in others for path in _read(data.FOLDER, name)["checkpoints"]}:
        for suffix in (".npz", ".json"):
            shutil.copy(os.path.join(data.FOLDER, stem + suffix), tmp_path / (stem + suffix))
    modern = _read(tmp_path, "success_vs_lag.json")
    modern["protocol"]["seeds"] = 10
    modern["protocol"]["models"] += [[name, key, "random", 1.0] for name, key in NEW]
    for name, *_ in modern["protocol"]["models"]:
        modern["table"][name] = {str(lag): _cell(10 if lag <= 20 else 3, 10) for lag in modern["protocol"]["lags"]}
    modern["table"]["rnn"]["50"] = _cell(10, 10)
    modern["checkpoints"] = [RNN50 + ".npz"]
    _write(tmp_path, "success_vs_lag.json", modern)
    return tmp_path


def _set(folder, name, model, lag, successes):
    document = _read(folder, name)
    document["table"][model][str(lag)] = _cell(successes, document["table"][model][str(lag)]["runs"])
    _write(folder, name, document)


def test_the_rule_at_one_lag():
    none, one, three = _cell(0, 10), _cell(1, 10), _cell(3, 10)
    assert decide([none, _cell(0, 5)]) == "supported"  # no run succeeded: "reaching 0"
    assert decide([none, three]) == "refuted"  # 3 of 10, [0.11, 0.60]: at least 1 in 20, not 0
    assert decide([none, one]) == "undecided"  # one success in 10, [0.02, 0.40]: not 0, and not far from it
    assert decide([_cell(9, 10)]) == "refuted"


def test_shipped_verdicts():
    """Plain SGD and Adam alike: lag 10 succeeds 10 of 10 (a standard setting fails), and a shipped lag-10
    checkpoint trained that way replays it (under SGD both initialisations tie: the package's own is replayed)."""
    found = judge(success_tables())
    typical = found["typical"]
    assert typical.verdict == "refuted" and "recall-rnn-sgd-lag10-seed0" in typical.condition
    assert typical.counterexample["kind"] == "rnn" and typical.counterexample["lag"] == 10
    assert typical.evidence["by_lag"][50]["decision"] == "supported"  # 0 of 10 everywhere beyond 20
    modern = found["worst_case"]
    assert modern.verdict == "refuted" and "recall-rnn-lag10-seed0" in modern.condition
    assert modern.counterexample["kind"] == "rnn" and modern.counterexample["lag"] == 10


def test_regenerated_data_refutes_the_modern_reading_with_its_checkpoint(folder):
    tables = success_tables(str(folder))
    assert tables["modern"]["seeds"] == 10 and tables["modern"]["cell"]["indrnn"] == "indrnn"
    found = judge(tables, str(folder))
    modern = found["worst_case"]
    assert modern.verdict == "refuted" and RNN50 in modern.condition
    assert modern.counterexample["kind"] == "rnn" and modern.counterexample["lag"] == 50
    assert modern.evidence["by_lag"][50]["decision"] == "refuted"
    assert "modern / indrnn" not in modern.evidence["by_lag"][50]  # not a vanilla RNN
    assert found["typical"].verdict == "refuted"  # the SGD tables did not change


def test_a_refutation_without_its_checkpoint_stays_undecided(folder):
    os.remove(folder / (RNN50 + ".json")), os.remove(folder / (RNN50 + ".npz"))
    modern = _read(folder, "success_vs_lag.json")
    modern["checkpoints"] = []
    _write(folder, "success_vs_lag.json", modern)
    found = judge(success_tables(str(folder)), str(folder))["worst_case"]
    assert found.verdict == "undecided" and "no shipped checkpoint" in found.condition


def test_a_checkpoint_trained_otherwise_does_not_replay_a_protocol(folder):
    """Plain SGD refuted by its intervals at lag 50, with only the Adam-trained checkpoint of the
    same name listed: the log's optimiser tells them apart."""
    _set(folder, "bengio1994_sgd.json", "rnn-sgd", 50, 10)
    sgd = _read(folder, "bengio1994_sgd.json")
    sgd["checkpoints"] = [RNN50 + ".npz"]
    _write(folder, "bengio1994_sgd.json", sgd)
    found = judge(success_tables(str(folder)), str(folder))["typical"]
    assert found.verdict == "undecided" and "no shipped checkpoint" in found.condition


def test_sgd_reading_holds_outright_or_only_at_the_source_lags(folder):
    for model in ("rnn-sgd", "rnn-orthogonal-sgd"):
        for lag in (10, 20):
            _set(folder, "bengio1994_sgd.json", model, lag, 0)
    for model in ("rnn-noclip", "rnn-pascanu-noclip"):  # temporal order of length 20: span 15
        _set(folder, "pascanu2013_temporal_order.json", model, 20, 0)
    assert judge(success_tables(str(folder)), str(folder))["typical"].verdict == "holds"
    _set(folder, "bengio1994_sgd.json", "rnn-sgd", 100, 1)  # a longer lag undecided: the source's lags still hold
    found = judge(success_tables(str(folder)), str(folder))["typical"]
    assert found.verdict == "holds-if" and "undecided at {lag 100}" in found.condition
    _set(folder, "pascanu2013_temporal_order.json", "rnn-noclip", 20, 1)  # one success in 10 at span 15
    found = judge(success_tables(str(folder)), str(folder))["typical"]
    assert found.verdict == "holds-if"
    assert "undecided at {lag 15 (temporal_order of length T = 20), lag 100}" in found.condition
    assert "pascanu2013_temporal_order / rnn-noclip (temporal_order of length T = 20)" in found.evidence["by_lag"][15]


def test_figure_and_page_follow_regenerated_data(folder, monkeypatch):
    from rnn_theory.plots import lag_task

    monkeypatch.setattr(data, "FOLDER", str(folder))
    figure, caption = lag_task.build()
    labels = figure.legends[0].get_texts()
    assert {"indrnn", "mamba", "rnn"} <= {text.get_text() for text in labels}
    assert "(a) Adam + clipping, 10 seeds" in [ax.get_title() for ax in figure.axes]
    caption = " ".join(caption.split())
    assert "10 seeds per model and lag" in caption and "indrnn (cell indrnn, random initialisation)" in caption
    page = markdown(success_tables(str(folder)))
    assert "| indrnn | indrnn | random | 1 | 0.01 | 10/10 [0.72, 1.00] |" in page
    assert "| rnn | rnn | random | 1 | 0.01 | 10/10 [0.72, 1.00] | 10/10 [0.72, 1.00] | 10/10 [0.72, 1.00] |" in page
    assert "**worst case** (" in verdicts_markdown(success_tables(str(folder)), str(folder))


def test_the_registry_files_the_sgd_reading_under_the_book_and_the_later_optimisers_under_folklore():
    """The book says "via SGD": its id judges plain SGD only; Adam and clipping are the package's extension."""
    import rnn_theory.claims as claims

    book = claims.CLAIMS["goodfellow2016.ten-to-twenty-steps"]
    extension = claims.CLAIMS["folklore.ten-to-twenty-steps-any-optimiser"]
    assert "via SGD" in book.statement and (book.asks, extension.asks) == ("typical", "worst_case")
    assert set(book.check(claims.Context(quick=True))) == {"typical"}
    assert extension.check(claims.Context(quick=True))["worst_case"].verdict == "refuted"
