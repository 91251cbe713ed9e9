"""``LRU.from_exponential`` (Orvieto et al. 2023): |λ| = exp(−exp(ν)) against the complex exponential
itself, the input normalisation against the exact stationary covariance, and the float64 boundary."""

import numpy as np
import pytest

from rnn_theory.cells import CELLS

LRU = CELLS["lru"]


def test_modulus_is_that_of_the_complex_exponential_and_below_one():
    nu, theta = np.linspace(-30, 5, 36), np.linspace(0, 6, 36)
    cell = LRU.from_exponential(nu, theta, np.ones((72, 1)))
    np.testing.assert_allclose(cell.params["r"], np.abs(np.exp(-np.exp(nu) + 1j * theta)), rtol=1e-15, atol=0)
    assert np.all(cell.params["r"] < 1)


@pytest.mark.parametrize("nu", [-4.0, -1.0, 0.5])
def test_normalised_input_gives_the_state_the_input_s_variance(nu):
    # Stationary covariance of s' = A s + B x for white x of unit variance: Σ = Σ_k A^k B Bᵀ (Aᵀ)^k,
    # summed until the terms are below rounding; with B = γ·I, γ = √(1 − r²), it is the identity.
    cell = LRU.from_exponential([nu], [0.7], np.eye(2))
    A, B = cell.recurrent_matrices()["A"], cell.params["B"]
    covariance, term = np.zeros((2, 2)), B @ B.T
    while np.abs(term).max() > 1e-18:
        covariance, term = covariance + term, A @ term @ A.T
    np.testing.assert_allclose(covariance, np.eye(2), atol=1e-12)


def test_a_nu_whose_modulus_rounds_to_one_is_refused():
    with pytest.raises(ValueError, match="rounds to 1 in float64 for ν = -40"):
        LRU.from_exponential([-1.0, -40.0], [0.0, 0.0], np.eye(4))
