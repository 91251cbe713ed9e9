"""Checks that find their claim false return a refuted verdict with a replayable counterexample (or,
where a finite run cannot refute, undecided) instead of raising: each failing branch is forced here by
replacing the measurement it rests on, and the record it returns is checked."""

import numpy as np
import pytest

import rnn_theory.claims as claims
from rnn_theory.claims import exploding, memory, pascanu_hochreiter, random_init


def _readings(claim_id):
    found = claims.CLAIMS[claim_id].check(claims.Context(quick=True))
    return found if isinstance(found, dict) else {claims.CLAIMS[claim_id].asks: found}


def _refuted(verdict, kind):
    assert verdict.verdict == "refuted"
    example = verdict.counterexample
    assert example["kind"] == kind and example["perturbation"]["trials"] > 0
    return example


def test_chrono_refuted_when_no_rule_behaves_as_stated(monkeypatch):
    monkeypatch.setattr(memory, "_chrono_ok", lambda rule, predicted, measured: False)
    _refuted(_readings("tallec2018.chrono")["typical"], "lstm")


def test_slow_modes_refuted_when_no_cell_accumulates(monkeypatch):
    monkeypatch.setattr(memory, "_accumulates", lambda fractions: False)
    _refuted(_readings("can2020.slow-modes")["typical"], "lstm")


def test_lru_normalisation_refuted_when_the_variance_is_off(monkeypatch):
    monkeypatch.setattr(memory, "LRU_STEPS", 400)
    monkeypatch.setattr(memory, "_variance_ratio", lambda cell, xs, s0=None: 2.0)
    example = _refuted(_readings("orvieto2023.exp-parametrisation")["worst_case"], "lru")
    assert example["generic"]


def _shifted_sweep(real):
    """rate_sweep with the prediction moved by one nat per step: every setting then disagrees."""

    def sweep(*args, **kwargs):
        return [
            {**row, "predicted": row["predicted"] + 1.0, "error": row["error"] - 1.0} for row in real(*args, **kwargs)
        ]

    return sweep


def test_meanfield_rate_refuted_when_no_setting_agrees(monkeypatch):
    monkeypatch.setattr(random_init, "MF_GAINS", (1.0,))
    monkeypatch.setattr(random_init, "MF_SCALES", (1.0,))
    monkeypatch.setattr(random_init, "rate_sweep", _shifted_sweep(random_init.rate_sweep))
    example = _refuted(_readings("chen2018.meanfield-rate")["worst_case"], "rnn")
    assert example["activation"] == "tanh" and example["generic"]


def test_orthogonal_tanh_loss_refuted_when_off_the_mean_field(monkeypatch):
    monkeypatch.setattr(random_init, "ORTHO_SEEDS", range(1))
    monkeypatch.setattr(random_init, "ORTHO_SCALES", (1.0,))
    monkeypatch.setattr(random_init, "rate_sweep", _shifted_sweep(random_init.rate_sweep))
    _refuted(_readings("rnn-theory.orthogonal-tanh-decay")["worst_case"], "rnn")


def test_an_orthogonal_linear_product_losing_norm_is_an_engine_error(monkeypatch):
    monkeypatch.setattr(random_init, "ORTHO_SEEDS", range(1))
    monkeypatch.setattr(random_init, "_linear_drift", lambda seed: (1.0, 1.0))
    with pytest.raises(RuntimeError, match="bug of the engine"):
        _readings("arjovsky2016.orthogonal-norm")


def test_oseledets_undecided_when_no_run_converges(monkeypatch):
    monkeypatch.setattr(random_init, "OSELEDETS_GAINS", (1.5,))
    monkeypatch.setattr(random_init, "OSELEDETS_SEEDS", range(8))  # 0 of 8 puts the interval below 1/2
    monkeypatch.setattr(random_init, "trained_models", lambda kind, episodes: [])
    monkeypatch.setattr(random_init, "_oseledets_random", lambda case: None)
    never = {"lambda_1": 0.1, "lags": 100, "settle_lag": None, "error_at_longest_lag": 0.5, "error_decay_exponent": 0.0}
    monkeypatch.setattr(random_init, "_summary", lambda result: never | {"converged": False})
    verdict = _readings("oseledets1968.lambda1-rate")["typical"]
    assert verdict.verdict == "undecided" and "no run converged" in verdict.condition


def test_wall_refuted_when_no_weight_shows_it(monkeypatch):
    real = exploding._wall_row
    monkeypatch.setattr(exploding, "WALL_WEIGHTS", (5.0,))
    monkeypatch.setattr(exploding, "_wall_row", lambda w: {**real(w), "passes": False})
    example = _refuted(_readings("pascanu2013.wall")["worst_case"], "rnn")
    assert example["activation"] == "sigmoid" and example["params"]["W"] == [[5.0]]


def test_clipping_refuted_when_no_clipped_descent_reaches_the_valley(monkeypatch):
    monkeypatch.setattr(exploding, "VALLEY", -1.0)  # no loss lies below it
    monkeypatch.setattr(exploding, "CLIP_ITERATIONS", 20)
    example = _refuted(_readings("pascanu2013.clipping")["worst_case"], "rnn")
    assert example["generic"]


def test_nonnormal_refuted_in_both_readings_when_no_transient_is_large_or_lasts(monkeypatch):
    real = exploding.transient
    monkeypatch.setattr(exploding, "LARGE", 1e9)
    monkeypatch.setattr(exploding, "transient", lambda W, max_lag: {**real(W, max_lag), "duration": 0})
    readings = _readings("ganguli2008.nonnormal-transient")
    chain = _refuted(readings["worst_case"], "rnn")
    assert len(chain["params"]["W"]) == exploding.CHAIN_SIZES[0]
    gaussian = _refuted(readings["typical"], "rnn")
    assert np.asarray(gaussian["params"]["W"]).shape == (exploding.GAUSSIAN_N, exploding.GAUSSIAN_N)


def test_necessary_exploding_undecided_when_growth_seen_but_no_case_replays(monkeypatch):
    monkeypatch.setattr(pascanu_hochreiter, "growth_rate", lambda log_norms, lags: 1.0)
    monkeypatch.setattr(pascanu_hochreiter, "_explodes_below_bound", lambda cell, xs, s0, log_norm: False)
    verdict = _readings("pascanu2013.necessary-exploding")["worst_case"]
    assert verdict.verdict == "undecided" and "no case replays" in verdict.condition
