"""Hochreiter's global bound (Hochreiter & Schmidhuber 1997, §3.1): the error scaling by eq. (1), by
the cell's Jacobians and by the path sum of eq. (2) agree; the extreme cases meet the bound within
exactly 1/n² and 1/n; the claim's verdicts, and its refuting branches when the measurement is forced
to exceed the bound or not to decay."""

import itertools

import numpy as np
import pytest

import rnn_theory.claims as claims
from rnn_theory.claims import hochreiter as claim_module
from rnn_theory.classics import hochreiter as h

ID = "hochreiter1997.global-bound"


def _path_sum(cell, xs, q, u, v):
    """Eq. (2) with the weight of eq. (1) (w_uv at q = 1: from v to u): Σ over the n^(q−1) paths."""
    W, d, T = cell.params["W"], h._derivatives(cell, xs, None), len(xs)
    total = 0.0
    for middle in itertools.product(range(len(W)), repeat=q - 1):
        path = (u, *middle, v)
        total += np.prod([d[T - m - 1][path[m]] * W[path[m - 1], path[m]] for m in range(1, q + 1)])
    return total


def test_three_routes_to_the_error_scaling_agree():
    rng = np.random.default_rng(3)
    cell, xs = h.random_net(3, 1.5, rng), rng.normal(size=(7, 1))
    by_recursion, by_jacobians = h.error_scaling(cell, xs), h.scaling_from_jacobians(cell, xs)
    paths = np.array([[[_path_sum(cell, xs, q, u, v) for v in range(3)] for u in range(3)] for q in range(1, 5)])
    # sums of at most 27 products of 8 factors: rounding ~1e-16 relative to the largest entry
    scale = np.abs(by_recursion).max(axis=(1, 2))[:, None, None]
    assert np.max(np.abs(by_recursion - by_jacobians) / scale) < 1e-13
    assert np.max(np.abs(by_recursion[:4] - paths) / scale[:4]) < 1e-13


@pytest.mark.parametrize("n", [2, 3, 5])
def test_the_extreme_cases_meet_the_bound_within_one_over_n_squared_and_one_over_n(n):
    lags = np.arange(1, 30)
    cell, s0 = h.uniform_net(n, 3.6 / n)
    found = h.global_bound(cell, np.zeros((30, 1)), s0)
    # closed form n^(q−1)·(w_max/4)^q, independent of the recursion
    np.testing.assert_allclose(found["measured"], (lags - 1) * np.log(n) + lags * np.log(0.9 / n), rtol=0, atol=1e-12)
    np.testing.assert_allclose(found["measured"] - found["bound"], -2 * np.log(n), atol=1e-12)
    np.testing.assert_allclose(found["middle"], 0.0, atol=1e-12)  # the paper's middle bound is met exactly
    cell, s0 = h.diagonal_net(n, 3.6)
    found = h.global_bound(cell, np.zeros((30, 1)), s0)
    np.testing.assert_allclose(found["measured"] - found["bound"], -np.log(n), atol=1e-12)


def test_the_claim_holds_in_both_readings_with_the_tightness_it_predicts():
    (result,) = claims.verify([ID])
    assert {name: r.verdict for name, r in result.readings.items()} == {"worst_case": "holds", "typical": "holds"}
    by_size = result.readings["worst_case"].evidence["by_size"]
    for n in (2, 4, 8):
        row = by_size[f"n = {n}"]["uniform, signs aligned"]
        assert row["max_ln_measured_over_bound"] == pytest.approx(row["predicted_ln_ratio"], abs=1e-9)
        for ln_tau, rate in row["ln_tau_and_measured_rate"]:
            assert rate == pytest.approx(ln_tau, abs=1e-9)


def test_a_measurement_above_the_bound_refutes_with_a_replayable_case(monkeypatch):
    real = h.global_bound

    def inflated(cell, xs, s0=None):
        found = real(cell, xs, s0)
        return {**found, "measured": found["measured"] + 3 * np.log(8)}  # above even the diagonal's 1/n

    monkeypatch.setattr(claim_module, "global_bound", inflated)
    readings = claims.CLAIMS[ID].check(claims.Context())
    example = readings["worst_case"].counterexample
    assert readings["worst_case"].verdict == "refuted" and example["kind"] == "rnn" and example["generic"]


def test_a_scaling_that_does_not_decay_refutes_the_typical_reading(monkeypatch):
    monkeypatch.setattr(claim_module, "growth_rate", lambda log_norms, lags: 0.5)
    readings = claims.CLAIMS[ID].check(claims.Context())
    assert readings["typical"].verdict == "refuted" and readings["typical"].counterexample["activation"] == "sigmoid"
