"""The claims of the exploding side, random initialisations, memory times and latching: registered
with their sources, the same JSON in quick and full runs, and their key numbers checked by routes
independent of the claims' own code."""

import json

import numpy as np
import pytest

import rnn_theory.claims as claims
from rnn_theory.claims import memory
from rnn_theory.classics import wall_location

NEW = (
    "pascanu2013.wall",
    "pascanu2013.clipping",
    "ganguli2008.nonnormal-transient",
    "chen2018.meanfield-rate",
    "chen2018.critical-isometry",
    "rnn-theory.orthogonal-isometry-rnn",
    "arjovsky2016.orthogonal-norm",
    "rnn-theory.orthogonal-tanh-decay",
    "le2015.irnn",
    "oseledets1968.lambda1-rate",
    "rnn-theory.remembering-is-default",
    "tallec2018.chrono",
    "gers2000.state-grows",
    "orvieto2023.exp-parametrisation",
    "can2020.slow-modes",
    "rnn-theory.contracting-stretch-vanishes",
)
# The cheap ones (about 6 s together) run in full here, against the session's quick run; the others are
# compared in the slow test (rnn-theory.contracting-stretch-vanishes, whose quick run leaves out evidence,
# by its verdicts and conditions in test_claims).
CHEAP = (
    "pascanu2013.wall",
    "pascanu2013.clipping",
    "ganguli2008.nonnormal-transient",
    "le2015.irnn",
    "rnn-theory.remembering-is-default",
    "tallec2018.chrono",
    "gers2000.state-grows",
    "can2020.slow-modes",
)


def test_the_registry_holds_the_new_claims_each_cited():
    assert len(claims.CLAIMS) >= 32 and set(NEW) <= set(claims.CLAIMS)
    for claim_id in NEW:
        source = claims.CLAIMS[claim_id].source
        assert claim_id.split(".")[0] in (source.credited, "folklore", "rnn-theory") and source.locator
        # a statement whose source's words were not read can only be derived from its equations (a derived
        # one may quote the words its reading starts from)
        assert source.quote is not None or source.attribution == "derived", claim_id


def test_quick_and_full_write_the_same_json_for_the_new_claims(quick_results):
    quick, full = [quick_results[claim_id] for claim_id in CHEAP], claims.verify(CHEAP)
    dump = lambda results: json.dumps([r.to_dict() for r in results], ensure_ascii=False, sort_keys=True)
    assert dump(quick) == dump(full)


def test_the_wall_claim_agrees_with_the_final_state_jump():
    # Independent of the derivatives and of the fixed-point bisection: x_50 itself jumps across the
    # predicted b, by more than 100 times what the same step in b changes half a unit away.
    from rnn_theory.classics import final_state

    jump = lambda w, b: abs(float(final_state(w, b + 1e-3)) - float(final_state(w, b - 1e-3)))
    for w in (4.5, 5.0, 6.0):
        b, _ = wall_location(w, -8.0, 0.0)
        assert jump(w, b) > 100 * max(jump(w, b - 0.5), jump(w, b + 0.5)), w


def test_the_float64_boundary_of_the_lru_parametrisation():
    boundary = memory._float_boundary()
    assert np.exp(-np.exp(boundary)) == 1.0 and np.exp(-np.exp(boundary + 1e-5)) < 1.0
    # e^{−u} ≈ 1 − u rounds to 1 when u is below half the spacing of floats under 1 (2⁻⁵⁴): the
    # boundary is ln 2⁻⁵⁴ = −37.43, up to how exp rounds its last bit (measured −37.64)
    assert boundary == pytest.approx(-54 * np.log(2), abs=0.5)


def test_memory_time_is_one_over_one_minus_f():
    # A cell whose forget gate is constant σ(b): the memory time is 1 + e^b exactly.
    cell = claims.gates.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0, gain=0.0, forget_bias=2.0)
    params = {**cell.params, "U_f": np.zeros((3, 2))}
    cell = claims.gates.CELLS["lstm"](**params)
    times = memory.memory_times(cell, np.random.default_rng(0).normal(size=(20, 2)))
    assert times == pytest.approx(1 + np.exp(2.0), rel=1e-12)
