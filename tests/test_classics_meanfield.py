"""Mean field with input: q* and χ against mpmath and a simulated wide network; the predicted rate
½·ln χ against the gradient-norm slopes measured on finite networks."""

import mpmath as mp
import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.classics import measured_rate, predicted_rate, rate_sweep


def mp_gauss(f, q):
    with mp.workdps(20):
        return mp.quad(lambda z: f(mp.sqrt(q) * z) * mp.exp(-z * z / 2), [-mp.inf, 0, mp.inf]) / mp.sqrt(2 * mp.pi)


@pytest.mark.parametrize("g,v_in,v_b", [(0.8, 1.0, 0.0), (2.0, 1.0, 0.0), (1.0, 0.25, 0.5), (2.5, 4.0, 0.0)])
def test_fixed_point_and_chi_with_input_match_mpmath(g, v_in, v_b):
    with mp.workdps(20):
        q_star = mp.findroot(
            lambda q: g**2 * mp_gauss(lambda a: mp.tanh(a) ** 2, q) + v_in + v_b - q,
            rt.fixed_point_variance(g, v_in, v_b),
        )
        chi = g**2 * mp_gauss(lambda a: mp.sech(a) ** 4, q_star)
    # As without input: Gauss–Hermite / Legendre on smooth integrands and bisection, 1e-12 relative.
    assert rt.fixed_point_variance(g, v_in, v_b) == pytest.approx(float(q_star), rel=1e-12)
    assert rt.mean_field_chi(g, v_in, v_b) == pytest.approx(float(chi), rel=1e-12)


def test_issue_reference_predictions_are_reproduced():
    """The predicted rates quoted for g = 0.8, 1, 1.5, 2 are those of input variance 1 (U ~ N(0, 1/m),
    x ~ N(0, I)) and b = 0, the setting of ``grad_norm_vs_lag_rnn``; without input they differ."""
    got = [round(predicted_rate(g, 1.0), 3) for g in (0.8, 1.0, 1.5, 2.0)]
    assert got == [-0.655, -0.46, -0.142, 0.046]
    assert round(predicted_rate(0.8, 0.0), 3) == round(np.log(0.8), 3) != -0.655


def test_fixed_point_variance_matches_a_wide_simulated_network():
    """Monte Carlo: the mean squared pre-activation of a wide driven network after a burn-in.
    n = 2000, 100 steps after 50: standard error of the mean ≈ √(2/(n·100))·q ≈ 0.3% of q. The theory
    takes the input's share of the variance as fixed; with m inputs it fluctuates like |x|²/m from
    step to step, which lowers q by Jensen's inequality (4% at m = 8), so m is large here."""
    n, m, g, scale = 2000, 400, 1.5, 1.0
    rng = np.random.default_rng(0)
    W, U = rng.normal(0, g / np.sqrt(n), (n, n)), rng.normal(0, 1 / np.sqrt(m), (m, n))
    h, squares = np.zeros(n), []
    for t in range(150):
        a = W @ h + scale * rng.normal(size=m) @ U
        h = np.tanh(a)
        if t >= 50:
            squares.append(np.mean(a**2))
    # Remaining finite-m effect ~ 8/m = 2% (measured with m = 8) plus sampling: 2% is ample.
    assert np.mean(squares) == pytest.approx(rt.fixed_point_variance(g, scale**2), rel=0.02)


def test_bias_variance_adds_like_input_variance():
    assert rt.fixed_point_variance(1.3, 0.5, 0.7) == rt.fixed_point_variance(1.3, 1.2, 0.0)
    with pytest.raises(ValueError, match="variances"):
        rt.fixed_point_variance(1.0, -1.0)


@pytest.mark.parametrize("g,scale", [(0.8, 1.0), (1.5, 1.0), (2.0, 2.0), (1.0, 2.0)])
def test_measured_rate_follows_mean_field(g, scale):
    measured, slopes = measured_rate(g, scale, seeds=(0, 1, 2))
    # n = 64: finite-n corrections up to 0.07 per step over g ∈ [0.5, 2.5], s ∈ [0.5, 2]
    # (measured; they shrink to ≤ 0.025 at n = 256), so 0.1 separates agreement from a wrong χ:
    # the no-input prediction misses these by 0.2 to 0.6.
    assert measured == pytest.approx(predicted_rate(g, scale), abs=0.1)
    assert abs(measured - rt.mean_field_lyapunov(g)) > 0.15
    assert len(slopes) == 3


def test_measured_rate_with_bias_follows_mean_field():
    (row,) = rate_sweep((1.2,), (1.0,), bias_std=1.0, seeds=(0, 1, 2))
    assert row["error"] == pytest.approx(0.0, abs=0.1)
    assert row["predicted"] < predicted_rate(1.2, 1.0)  # the bias's variance lowers χ further
