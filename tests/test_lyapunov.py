"""Lyapunov exponents against closed forms and an exact identity."""

import numpy as np
import pytest
from conftest import ZOO, ZOO_IDS, generic_cell

import rnn_theory as rt


def linear_relu_rnn(eigenvalues, seed=0):
    """A relu RNN that stays linear (all pre-activations > 0 at its fixed point): J_t = W, with
    W = V diag(eigenvalues) V⁻¹ for a random well-conditioned V."""
    rng = np.random.default_rng(seed)
    n = len(eigenvalues)
    V = np.eye(n) + 0.3 * rng.normal(size=(n, n))
    W = V @ np.diag(eigenvalues) @ np.linalg.inv(V)
    s0 = np.full(n, 10.0)  # the fixed point, with pre-activation a = W s0 + b = s0 > 0
    cell = rt.CELLS["rnn"](W=W, U=np.zeros((n, 1)), b=(np.eye(n) - W) @ s0, activation="relu")
    return cell, s0


def test_linear_cell_exponents_are_log_moduli_of_eigenvalues():
    eigenvalues = np.array([0.95, -0.7, 0.5, 0.2, -0.1])
    cell, s0 = linear_relu_rnn(eigenvalues)
    T = 400
    lam = rt.lyapunov_spectrum(cell, np.zeros((T, 1)), s0, burn_in=200)
    # After the burn-in Q is aligned with the Schur vectors to (0.7/0.95)^200 ~ 1e-27: exact.
    np.testing.assert_allclose(lam, np.sort(np.log(np.abs(eigenvalues)))[::-1], rtol=0, atol=1e-12)
    assert rt.largest_lyapunov(cell, np.zeros((T, 1)), s0, burn_in=200) == pytest.approx(np.log(0.95), abs=1e-12)


def test_lru_exponents_are_log_radii_in_pairs():
    cell = rt.CELLS["lru"](r=[0.9, 0.3, 0.6], theta=[0.4, 2.0, 1.1], B=np.ones((6, 2)))
    lam = rt.lyapunov_spectrum(cell, np.random.default_rng(0).normal(size=(300, 2)), burn_in=150)
    np.testing.assert_allclose(lam, np.log([0.9, 0.9, 0.6, 0.6, 0.3, 0.3]), rtol=0, atol=1e-12)
    lead = rt.lyapunov_spectrum(cell, np.zeros((300, 2)), k=2, burn_in=150)
    np.testing.assert_allclose(lead, np.log([0.9, 0.9]), atol=1e-12)


@pytest.mark.parametrize("key,options", ZOO, ids=ZOO_IDS)
def test_sum_of_all_exponents_is_mean_log_determinant(key, options):
    """Σ_i λ_i = (1/T) Σ_t ln|det J_t| exactly (the volume growth), a route through cell.jacobian."""
    cell = generic_cell(key, 4, 2, seed=3, **options)
    xs = np.random.default_rng(4).normal(size=(60, cell.input_size))
    S = cell.run(xs)
    with np.errstate(divide="ignore"):
        volume = np.mean([np.linalg.slogdet(cell.jacobian(x, s))[1] for x, s in zip(xs, S[:-1])])
    lam = rt.lyapunov_spectrum(cell, xs)
    if np.isfinite(volume):
        assert lam.sum() == pytest.approx(volume, rel=1e-10, abs=1e-10)
    else:  # a singular J_t: some exponent is −∞ (dead relu units), or at the rounding level where
        # the singular direction is only cancelled in float64 (the sLSTM's m column equals
        # c·(c column) + n·(n column) where the input gate sets the stabiliser): e^{−27.6} = 1e-12
        assert lam[-1] == -np.inf or lam[-1] < np.log(1e-12)
    assert np.all(lam[:-1] >= lam[1:])


def test_largest_exponent_agrees_with_the_spectrum_and_the_product_growth():
    cell = generic_cell("gru", 8, 3, seed=5)
    xs = np.random.default_rng(6).normal(size=(1500, 3))
    lam1 = rt.largest_lyapunov(cell, xs, burn_in=100)
    spectrum = rt.lyapunov_spectrum(cell, xs, k=3, burn_in=100)
    # Same run, same λ_1 up to the O(1/T) difference of the starting vectors.
    assert lam1 == pytest.approx(spectrum[0], abs=5e-3)
    # λ_1 is also the growth rate of ‖J_T ··· J_1‖: (1/T)·ln‖P_{T,T}‖₂ → λ_1, again up to O(1/T).
    growth = rt.gradient_norms(cell, xs).log_norm[-1] / len(xs)
    assert lam1 == pytest.approx(growth, abs=0.01)


def test_bad_arguments():
    cell = generic_cell("rnn", 3, 2, seed=0)
    with pytest.raises(ValueError, match="k must"):
        rt.lyapunov_spectrum(cell, np.zeros((5, 2)), k=4)
    with pytest.raises(ValueError, match="burn_in"):
        rt.largest_lyapunov(cell, np.zeros((5, 2)), burn_in=5)
