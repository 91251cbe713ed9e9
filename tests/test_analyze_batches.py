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
    assert (
        main(
            [
                "analyze",
                str(tmp_path / "c.npz"),
                "--inputs",
                str(tmp_path / "xs.npy"),
                "--json",
                str(tmp_path / "r.json"),
                "--plot",
                str(tmp_path / "r.svg"),
            ]
        )
        == 0
    )
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


def test_linear_stack_exponents_are_its_layers_and_its_curve_the_matrix_power():
    """Two LRUs stacked: the step Jacobian is the constant block lower-triangular [[A0, 0], [B1 A0, A1]]
    (B1 A0: layer 1 reads layer 0's new state), so the exponents are ln r of both layers' blocks
    (each twice) and P_τ is its τ-th power."""
    r0, r1 = np.array([0.9, 0.5]), np.array([0.7, 0.3])
    lru0 = rt.CELLS["lru"](r=r0, theta=[0.4, 1.3], B=np.ones((4, 1)))
    lru1 = rt.CELLS["lru"](r=r1, theta=[2.0, 0.1], B=np.random.default_rng(0).normal(size=(4, 4)))
    from rnn_theory.analysis._analysis import _stack_report  # noqa: PLC0415 (the stack of two given cells)

    xs = np.random.default_rng(1).normal(size=(1, 400, 1))
    report = _stack_report([lru0, lru1], xs, None, 200)
    # After the burn-in ((0.7/0.9)^200 ≈ 1e-22) the QR frame spans each rotation block's plane, where the
    # two exponents' sum is ln det = 2 ln r at every step; each one alone still carries the rotation's
    # O(1/T') oscillation (measured 2e-3 at T' = 200), so the sums are the sharp check.
    exponents = np.array(report["lyapunov"])
    np.testing.assert_allclose(exponents[::2] + exponents[1::2], 2 * np.log([0.9, 0.7, 0.5, 0.3]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(exponents, np.repeat(np.log([0.9, 0.7, 0.5, 0.3]), 2), rtol=0, atol=1e-2)
    B1 = lru1.params["B"]
    A0, A1 = lru0.jacobian(np.zeros(1), np.zeros(4)), lru1.jacobian(np.zeros(4), np.zeros(4))
    J = np.block([[A0, np.zeros((4, 4))], [B1 @ A0, A1]])
    want_curve = [np.log(np.linalg.norm(np.linalg.matrix_power(J, tau), 2)) for tau in range(1, 401)]
    np.testing.assert_allclose(report["log_norm"], want_curve, rtol=0, atol=1e-9)
