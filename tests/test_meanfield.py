"""Mean-field theory of the random tanh RNN: quadrature against mpmath, and against simulation."""

import mpmath as mp
import numpy as np
import pytest

import rnn_theory as rt


def mp_gauss(f, q):
    """E[f(√q z)], z ~ N(0, 1), by mpmath's adaptive quadrature at 20 digits."""
    with mp.workdps(20):
        return mp.quad(lambda z: f(mp.sqrt(q) * z) * mp.exp(-z * z / 2), [-mp.inf, 0, mp.inf]) / mp.sqrt(2 * mp.pi)


@pytest.mark.parametrize("g", [1.2, 2.0, 3.0])
def test_fixed_point_and_chi_match_mpmath(g):
    with mp.workdps(20):
        # Started at our value: the root found is mpmath's own (Newton converges to it from nearby).
        q_star = mp.findroot(lambda q: g**2 * mp_gauss(lambda a: mp.tanh(a) ** 2, q) - q, rt.fixed_point_variance(g))
        chi = g**2 * mp_gauss(lambda a: mp.sech(a) ** 4, q_star)
    # Gauss–Hermite with 201 nodes on smooth integrands, bisection to a few ulps: 1e-12 relative.
    assert rt.fixed_point_variance(g) == pytest.approx(float(q_star), rel=1e-12)
    assert rt.mean_field_chi(g) == pytest.approx(float(chi), rel=1e-12)


def test_mean_field_exponent_crosses_zero_at_unit_gain():
    assert rt.fixed_point_variance(1.0) == 0.0
    assert rt.mean_field_lyapunov(0.999) < 0 < rt.mean_field_lyapunov(1.001)
    # Below the transition q* = 0, so χ = g² and λ_1 = ln g exactly.
    assert rt.mean_field_lyapunov(0.7) == pytest.approx(np.log(0.7), abs=1e-14)


def simulated_lambda(g, n=400, seed=1):
    cell = rt.random_tanh_rnn(n, g, rng=seed)
    s0 = np.random.default_rng(seed + 1).normal(size=n)
    return rt.largest_lyapunov(cell, np.zeros((1500, 1)), s0, burn_in=500), cell


@pytest.mark.parametrize("g", [2.0, 3.0])
def test_chaotic_networks_follow_mean_field(g):
    lam, _ = simulated_lambda(g)
    # n = 400: finite-size and finite-time deviations of about 0.01 (measured 0.007 at both g).
    assert lam == pytest.approx(rt.mean_field_lyapunov(g), abs=0.025)


@pytest.mark.parametrize("g", [0.5, 0.8])
def test_ordered_networks_decay_at_the_spectral_radius(g):
    """Below g = 1 the state decays to 0, J_t → W, and λ_1 = ln ρ(W); ρ(W) → g as n → ∞."""
    lam, cell = simulated_lambda(g)
    rho = rt.recurrent_spectra(cell)["W"]["spectral_radius"]
    assert lam == pytest.approx(np.log(rho), abs=2e-3)
    assert np.log(rho) == pytest.approx(rt.mean_field_lyapunov(g), abs=0.1)  # ρ(W) ≈ g(1 + O(n^-½))


def test_simulated_exponent_changes_sign_across_the_transition():
    assert simulated_lambda(0.9)[0] < 0 < simulated_lambda(1.5)[0]
