"""The helpers behind the claims about the new cells, each against an independent route."""

import numpy as np
import pytest

from rnn_theory.cells import CELLS
from rnn_theory.claims import indrnn, retention, rglru_scale, slstm


def test_the_stabiliser_gauge_is_proven_symbolically():
    assert all(slstm._stabiliser_proof().values())


def test_the_stabilised_slstm_matches_its_unstabilised_equations():
    against_equations, gauge, gradient = slstm._stabiliser_case((7, 1.0, 1.0))
    # Rounding only (a few ulps per step over 40 steps); a wrong stabiliser would be off by O(1).
    assert against_equations < 1e-12 and gauge < 1e-12 and gradient < 1e-12


def test_retention_proof_rejects_a_retention_above_one():
    assert all(retention._retention_proof(lambda step, rate: -step * rate).values())
    assert not all(retention._retention_proof(lambda step, rate: step * rate).values())


def test_indrnn_unit_gradients_are_the_complex_step_products():
    cell, xs = indrnn._regulated_setup(3)
    xs = xs[:30]
    S = cell.run(xs)
    product = np.ones(cell.hidden_size)
    for x, s in zip(xs, S[:-1]):  # ∂h'_i/∂h_i by complex step, unit by unit (the Jacobian is diagonal)
        product *= np.array([cell.step(x, s + 1e-30j * e)[i].imag / 1e-30 for i, e in enumerate(np.eye(len(s)))])
    assert indrnn._unit_gradients(cell, xs, None) == pytest.approx(np.abs(product), rel=1e-12, abs=0)


def test_stationary_rms_is_the_closed_form_for_a_constant_gate():
    # a constant, u iid with mean μ and unit variance: Var h = 1 and E[h] = √(1 − a²) μ/(1 − a).
    a, mu = 0.9, 0.3
    u = np.random.default_rng(0).normal(mu, 1.0, (400_000, 1))
    expected = np.sqrt(1 + ((1 - a * a) ** 0.5 * mu / (1 - a)) ** 2)
    # Sampling error of the moments over 4e5 draws is ~1e-3 relative, amplified by 1/(1 − a) in E[h].
    assert rglru_scale._stationary_rms(np.full_like(u, a), u)[0] == pytest.approx(expected, rel=0.02)


def test_a_constant_input_is_amplified_as_predicted():
    cell = CELLS["rglru"].random(hidden_size=3, input_size=3, rng=1)
    xs = np.repeat(np.random.default_rng(1).normal(size=(1, 3)), 300, axis=0)
    measured, predicted = rglru_scale._constant_drive_gain(cell, xs)
    assert measured == pytest.approx(predicted, rel=1e-10) and measured.max() > rglru_scale.SCALE_FACTOR
