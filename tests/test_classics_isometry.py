"""Critical initialisation and dynamical isometry: χ = 1 from the mean field, the singular values of
P_τ against mpmath, and the spread of ln σ_i(P_τ) for orthogonal against Gaussian W."""

import mpmath as mp
import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.classics import (
    critical_gain,
    isometry_run,
    measured_rate,
    product_log_singular_values,
    recurrent_matrix,
    upper_spread,
)


@pytest.mark.parametrize("v", [0.01, 1.0, 4.0])
def test_critical_gain_puts_chi_at_one(v):
    g = critical_gain(v)
    assert rt.mean_field_chi(g, v) == pytest.approx(1.0, abs=1e-10)
    assert rt.mean_field_chi(g * 0.99, v) < 1 < rt.mean_field_chi(g * 1.01, v)


def test_orthogonal_matrix_is_orthogonal_and_gaussian_has_its_variance():
    rng = np.random.default_rng(0)
    Q = recurrent_matrix(50, 1.5, "orthogonal", rng)
    np.testing.assert_allclose(Q @ Q.T, 2.25 * np.eye(50), atol=1e-13)
    W = recurrent_matrix(400, 1.5, "gaussian", rng)
    assert np.var(W) * 400 == pytest.approx(2.25, rel=0.02)  # 160000 entries: sd of the estimate 0.35%
    with pytest.raises(ValueError, match="kind"):
        recurrent_matrix(3, 1.0, "unitary", rng)


def test_log_singular_values_match_mpmath():
    """The renormalised float64 product against the product and SVD at 30 digits."""
    rng = np.random.default_rng(3)
    n, m, steps = 6, 2, 25
    cell = rt.CELLS["rnn"].random(hidden_size=n, input_size=m, rng=rng, gain=2.0)
    xs, s0 = rng.normal(size=(steps, m)), rng.normal(size=n)
    ours = product_log_singular_values(cell, xs, s0, (5, steps))
    states = cell.run(xs, s0)
    with mp.workdps(30):
        P = mp.eye(n)
        for t in range(steps):
            P = mp.matrix(cell.jacobian(xs[t], states[t]).tolist()) * P
            if t + 1 in ours:
                exact = np.array(sorted((float(mp.log(v)) for v in mp.svd_r(P, compute_uv=False)), reverse=True))
                # Deliverable digits: float64 knows σ_i only to about ε·σ_1 in absolute terms (a backward
                # stable SVD, and each of the t + 1 products adds ~n·ε·‖P‖), so ln σ_i to n·(t + 1)·ε·σ_1/σ_i.
                # Entries below the resolution (tolerance over 0.1 nat) carry no digits worth checking.
                tolerance = n * (t + 1) * np.finfo(float).eps * np.exp(exact[0] - exact) + 1e-12
                resolved = tolerance < 0.1
                assert resolved.sum() >= n // 2  # the upper half, which upper_spread uses, is always checked
                np.testing.assert_array_less(np.abs(ours[t + 1] - exact)[resolved], tolerance[resolved])


def test_upper_spread_refuses_unresolved_spectra():
    with pytest.raises(ValueError, match="resolution"):
        upper_spread(np.array([0.0, -30.0, -31.0, -32.0]))


SEEDS = (0, 1, 2)


@pytest.mark.parametrize("scale", [0.1, 1.0])
def test_orthogonal_concentrates_the_spectrum_where_gaussian_spreads_it(scale):
    """At χ = 1, n = 64, τ = 10: measured upper-half spreads (median of 3 seeds) 1.1 against 5.4 at
    s = 0.1 and 8.3 against 12.5 at s = 1 (larger q* makes φ' vary more from unit to unit, so
    orthogonality buys less). Asserted: orthogonal below 1/3 resp. 3/4 of Gaussian."""
    spread = {
        kind: np.median([upper_spread(isometry_run(kind, scale, lags=(10,), seed=s)[10]) for s in SEEDS])
        for kind in ("orthogonal", "gaussian")
    }
    assert spread["orthogonal"] < (1 / 3 if scale == 0.1 else 3 / 4) * spread["gaussian"]


def test_gradient_neither_vanishes_nor_explodes_at_criticality():
    """At χ = 1 the measured per-step rate of ln‖P_τ‖ is ~0 (|rate| ≤ 0.05; off-critical gains
    0.8·g_c and 1.25·g_c give rates beyond ±0.1, so the test can tell)."""
    g = critical_gain(1.0)
    assert abs(measured_rate(g, 1.0, seeds=SEEDS)[0]) < 0.05
    assert measured_rate(0.8 * g, 1.0, seeds=SEEDS)[0] < -0.1 < 0.1 < measured_rate(1.25 * g, 1.0, seeds=SEEDS)[0]


@pytest.mark.parametrize("scale", [0.1, 1.0])
def test_tanh_takes_from_an_orthogonal_rnn_what_the_mean_field_predicts(scale):
    """Orthogonal W, g = 1: linear, the product keeps its norm exactly (test_classics_irnn_oseledets);
    with tanh and input x ~ N(0, s²·I) the norm falls by ½·ln E[tanh'(√q* z)²] per step.
    Measured (5 seeds, n = 64): −0.058 against −0.066 at s = 0.1, −0.428 against −0.460 at s = 1;
    0.05 covers the finite-n deviation, which the Gaussian-W tests bound by 0.1."""
    measured, _ = measured_rate(1.0, scale, seeds=SEEDS, kind="orthogonal")
    predicted = rt.mean_field_lyapunov(1.0, input_variance=scale**2)
    assert measured == pytest.approx(predicted, abs=0.05)
    assert measured < -0.03
