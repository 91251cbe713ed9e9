"""Non-normal transient growth: the chain's powers two ways, the transient through the package's
gradient engine, its genericity for Gaussian W, and the fragility a large transient implies."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.classics.nonnormal import (
    chain_matrix,
    chain_power,
    kreiss_bound,
    perturbed,
    power_log_norms,
    transient,
)


@pytest.mark.parametrize("lag", [1, 7, 19, 60])
def test_chain_powers_match_the_binomial_formula(lag):
    W = chain_matrix(20, 0.9, 1.0)
    np.testing.assert_allclose(np.linalg.matrix_power(W, lag), chain_power(20, 0.9, 1.0, lag), rtol=1e-12)
    assert power_log_norms(W, lag)[-1] == pytest.approx(
        np.log(np.linalg.norm(chain_power(20, 0.9, 1.0, lag), 2)), rel=1e-12
    )


def test_transient_is_the_gradient_norm_of_a_tanh_rnn_at_rest():
    """At h = 0 with no input, J_t = diag(tanh'(0))·W = W, so ln‖∂h_T/∂h_{T−τ}‖₂ = ln‖W^τ‖₂."""
    W = chain_matrix(12, 0.8, 0.9)
    cell = rt.CELLS["rnn"](W=W, U=np.zeros((12, 1)), b=np.zeros(12), activation="tanh")
    flow = rt.gradient_norms(cell, np.zeros((80, 1)), np.zeros(12))
    np.testing.assert_allclose(flow.log_norm, power_log_norms(W, 80), atol=1e-10)


def test_chain_has_radius_below_one_and_a_long_large_transient():
    summary = transient(chain_matrix(20, 0.9, 1.0), 400)
    assert summary["spectral_radius"] == pytest.approx(0.9, abs=1e-12)
    # Peak ln‖W^τ‖ = 41.4 at τ = 189; still above 1 at τ = 400 (decay ρ^τ·τ^19 is slow).
    assert summary["peak"] > 40 and summary["duration"] == 400
    assert transient(chain_matrix(20, 0.9, 1.0), 2000)["log_norms"][-1] < 0  # it does vanish


@pytest.mark.parametrize("seed", range(3))
def test_gaussian_transient_is_generic(seed):
    """W ~ N(0, 0.8²/n), n = 64: ρ ≈ 0.85 < 1 < ‖W‖ ≈ 1.6, ‖W^τ‖ > 1 for 4–7 steps (measured);
    a perturbation of norm ~0.02 keeps all of it."""
    rng = np.random.default_rng(seed)
    W = rng.normal(0.0, 0.8 / 8, (64, 64))
    for matrix in (W, perturbed(W, 0.01, rng)):
        summary = transient(matrix, 60)
        assert summary["spectral_radius"] < 1 and summary["peak"] > 0.3 and summary["duration"] >= 3


@pytest.mark.parametrize("epsilon", [1e-3, 1e-2])
def test_a_large_transient_is_fragile_as_kreiss_requires(epsilon):
    W = chain_matrix(20, 0.9, 1.0)
    peak = np.exp(transient(W, 400)["peak"])
    for seed in range(3):
        V = perturbed(W, epsilon, seed)
        bound = kreiss_bound(W, V)
        # Measured ρ(V) ≈ 1.1–1.7: tiny perturbations leave ρ < 1 behind; the theorem's bound holds.
        assert bound is not None and bound <= peak
    assert kreiss_bound(W, W) is None
