"""Batches of sequences, the Lyapunov warning, the text/JSON/HTML/figure forms of ``Analysis``."""

import json
import time

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.analysis import MIN_LYAPUNOV_STEPS
from rnn_theory.cli import main


def test_batch_curves_are_the_sequences_own_and_their_quartiles(tmp_path, capsys):
    cell = rt.CELLS["lstm"].random(hidden_size=5, input_size=2, rng=3)
    xs = np.random.default_rng(4).normal(size=(5, 30, 2))
    report = rt.analyze(cell, xs).to_dict()
    alone = [rt.analyze(cell, x).to_dict() for x in xs]
    for name in ("log_norm", "log_norm_h", "log_norm_c"):
        per = np.array([a[name] for a in alone])
        assert np.array_equal(np.array(report["per_sequence"][name]), per)
        # B = 5: the median is the 3rd value and the quartiles the 2nd and 4th, at every lag.
        ordered = np.sort(per, axis=0)
        assert np.array_equal(report[name], ordered[2])
        assert np.array_equal(report["bands"][name]["q25"], ordered[1])
        assert np.array_equal(report["bands"][name]["q75"], ordered[3])
    assert report["batch"] == 5 and report["per_sequence"]["lyapunov"][0] == alone[0]["lyapunov"]
    # The gate statistics pool all sequences: the mean of means of equal-length runs.
    assert report["gates"]["f"]["mean"] == pytest.approx(np.mean([a["gates"]["f"]["mean"] for a in alone]), rel=1e-13)
    np.save(tmp_path / "xs.npy", xs)
    assert main(["analyze", str(tmp_path / "c.npz"), "--inputs", str(tmp_path / "xs.npy")]) == 2  # no weights yet
    rt.save(cell, tmp_path / "c.npz")
    capsys.readouterr()
    assert main(["analyze", str(tmp_path / "c.npz"), "--inputs", str(tmp_path / "xs.npy"), "--json", str(tmp_path / "r.json"),
                 "--plot", str(tmp_path / "r.svg")]) == 0
    out = capsys.readouterr().out
    assert "a batch of 5 sequences" in out and "carousel" in out
    from_cli = json.loads((tmp_path / "r.json").read_text())
    assert from_cli["log_norm"] == report["log_norm"] and from_cli["inputs"] == {"file": str(tmp_path / "xs.npy")}


def test_lyapunov_warning_names_its_threshold():
    cell = rt.CELLS["rnn"].random(hidden_size=3, input_size=1, rng=0)
    short = rt.analyze(cell, steps=100)
    (warning,) = short.to_dict()["warnings"]
    assert "90 steps" in warning and f"< {MIN_LYAPUNOV_STEPS}" in warning and "warning:" in short.summary()
    long = rt.analyze(cell, steps=MIN_LYAPUNOV_STEPS + 100, burn_in=100)
    assert long.to_dict()["warnings"] == []


def test_analysis_forms():
    cell = rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=0)
    result = rt.analyze(cell, steps=20, seed=1)
    assert repr(result).startswith("Analysis(gru, n = 3, T = 20") and "\n" not in repr(result)
    assert result._repr_html_().startswith("<pre>") and "lag τ" in result._repr_html_()
    assert json.loads(result.to_json()) == result.to_dict()
    assert result.figure_bytes("png") == rt.analyze(cell, steps=20, seed=1).figure_bytes("png")
    assert any("share of new content" in note for note in result.to_dict()["notes"])
    flow = rt.gradient_norms(cell, np.ones((50, 2)))
    assert len(repr(flow).splitlines()) == 1 and flow.plot().axes


def test_models_refused_clearly():
    cell = rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0)
    with pytest.raises(TypeError, match="cannot analyse a dict"):
        rt.analyze({"W": 1})
    with pytest.raises(ValueError, match=r"expected shape \(T, 1\) or \(B, T, 1\)"):
        rt.analyze(cell, np.zeros((2, 3, 4, 1)))
    with pytest.raises(ValueError, match="not both"):
        rt.analyze(cell, np.zeros((3, 1)), steps=3)
    with pytest.raises(ValueError, match="layers takes 'all'"):
        rt.analyze(cell, layers="every")


@pytest.mark.slow
def test_batch_of_16_lstm_sequences_within_a_minute():
    """The bar: B = 16, LSTM n = 128, T = 500 in under 60 s on 2 cores (measured 40 s wall on a
    2-core machine shared at load 12, 15.5 s of CPU in all: sequences in two worker processes)."""
    cell = rt.CELLS["lstm"].random(hidden_size=128, input_size=32, rng=0)
    xs = np.random.default_rng(0).normal(size=(16, 500, 32))
    start = time.perf_counter()
    result = rt.analyze(cell, xs)
    assert time.perf_counter() - start < 60
    assert result.to_dict()["batch"] == 16
