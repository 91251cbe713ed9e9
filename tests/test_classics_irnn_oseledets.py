"""The IRNN's all-or-nothing gradient passage, and λ₁ as the limit of the finite-lag gradient rate."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory import data
from rnn_theory.classics.irnn import passing_fraction
from rnn_theory.classics.networks import driven_network, recurrent_matrix
from rnn_theory.classics.nonnormal import power_log_norms
from rnn_theory.classics.oseledets import decay_exponent, rate_convergence
from rnn_theory.training import TASKS


@pytest.mark.parametrize("seed", range(3))
def test_irnn_passes_the_gradient_exactly_while_a_unit_stays_active(seed):
    fraction, log_norm = passing_fraction(n=64, lag=100, seed=seed)
    # Two routes: the activity pattern, and the package's exact product (‖P‖₂ ∈ {0, 1}).
    alive = fraction > 0
    np.testing.assert_allclose(log_norm[alive], 0.0, atol=1e-12)
    assert np.all(np.isneginf(log_norm[~alive]))
    assert np.all(np.diff(fraction) <= 0)
    # Measured: half to three quarters of the units pass for τ = 100, and ‖P‖ = 1 back to within
    # a few steps of the sequence's start (T = 201–219): the walk of a unit rarely returns to 0 once
    # it has grown, but every unit starts at h = 0.
    assert fraction[99] >= 0.4
    assert np.count_nonzero(alive) >= 0.9 * len(fraction)


def test_orthogonal_linear_product_preserves_the_norm_exactly():
    """J = W orthogonal (a linear RNN, or tanh at h = 0 without input): ‖W^τ‖₂ = 1 to rounding."""
    W = recurrent_matrix(64, 1.0, "orthogonal", np.random.default_rng(0))
    assert np.max(np.abs(power_log_norms(W, 1000))) < 1e-12  # ~τ·eps accumulated: 1000·1.1e-16 = 1.1e-13
    cell = rt.CELLS["rnn"](W=W, U=np.zeros((64, 1)), b=np.zeros(64), activation="tanh")
    assert np.max(np.abs(rt.gradient_norms(cell, np.zeros((300, 1)), np.zeros(64)).log_norm)) < 1e-12


def test_finite_lag_rate_converges_to_lambda_1_on_a_random_network():
    cell, s0, xs = driven_network(1.5, 1.0, seed=0, n=32, steps=800)
    result = rate_convergence(cell, xs, s0)
    # Two routes to λ₁: renormalised vector and QR (k = 1) start from different random vectors, an
    # O(1) difference in ln‖v‖ spread over 700 steps (measured 3e-5): 1e-3.
    assert result["lambda_1"] == pytest.approx(float(rt.lyapunov_spectrum(cell, xs, s0, k=1, burn_in=100)[0]), abs=1e-3)
    # Measured: error 0.15 at τ = 10, 0.03 at τ = 100, 0.002 at τ = 700; decays like τ^−(0.8…1).
    assert result["errors"][9] > 0.05 > 0.02 > result["errors"][-1]
    assert 0.4 < decay_exponent(result["lags"], result["errors"]) < 1.5


def test_finite_lag_rate_converges_to_lambda_1_on_a_trained_model():
    cell, _, log = data.trained("gru", 50)
    rng = np.random.default_rng(0)
    xs = np.concatenate([TASKS[log["task"]](log["lag"]).sample(rng, 1)[0][:, :, 0] for _ in range(12)])
    result = rate_convergence(cell, xs)
    assert result["settle_lag"] is not None and result["settle_lag"] < len(result["lags"]) / 2
    assert result["errors"][-1] < 0.01
