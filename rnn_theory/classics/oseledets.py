"""λ₁ is the asymptotic gradient rate (Oseledets 1968; used by Vogt et al. 2022 and Engelken 2023):
for an ergodic driven run, (1/τ)·ln‖P_{T,τ}‖₂ → λ₁ as τ → ∞, P_{T,τ} = J_T ··· J_{T−τ+1}.

``rate_convergence`` sets the finite-lag rates from ``rnn_theory.gradient_norms`` (backwards from T)
beside λ₁ from ``rnn_theory.largest_lyapunov`` (forwards, renormalised tangent vector) on the same
run, and measures how fast the one approaches the other. ln‖P_{T,τ}‖ = λ₁·τ + O(1) + fluctuations
of order √τ (a central limit theorem for products of random matrices, Furstenberg & Kesten 1960),
so the error of the rate decays like τ^{−1/2} to τ^{−1}; ``decay_exponent`` fits it.
"""

import numpy as np

from ..flow import gradient_norms, largest_lyapunov


def rate_convergence(cell, xs, s0=None, burn_in=100, tolerance=0.01):
    """Finite-lag rates against λ₁ on the run of ``xs`` (T, m) from ``s0``.

    λ₁ is measured over the steps after ``burn_in``; the rates ln‖P_{T,τ}‖₂/τ for τ = 1..T − burn_in
    (so P only spans post-burn-in steps). Returns a dict: ``lambda_1``, ``lags``, ``rates``,
    ``errors`` = |rate − λ₁|, ``settle_lag`` = the first τ from which the error stays ≤ ``tolerance``
    (None if it never does).
    """
    xs = np.asarray(xs, dtype=float)
    lam = float(largest_lyapunov(cell, xs, s0, burn_in=burn_in))
    flow = gradient_norms(cell, xs, s0)
    keep = flow.lags <= len(xs) - burn_in
    lags, rates = flow.lags[keep], flow.log_norm[keep] / flow.lags[keep]
    errors = np.abs(rates - lam)
    outside = np.nonzero(errors > tolerance)[0]
    settle = 1 if outside.size == 0 else (int(lags[outside[-1]]) + 1 if outside[-1] + 1 < len(lags) else None)
    return {"lambda_1": lam, "lags": lags, "rates": rates, "errors": errors, "settle_lag": settle}


def decay_exponent(lags, errors, first=10):
    """The slope p of ln(error) ≈ c − p·ln τ, least squares over τ ≥ ``first`` on the running maximum
    of the error from the right (the envelope; the raw error crosses 0 and its log is noisy)."""
    lags, errors = np.asarray(lags, float), np.asarray(errors, float)
    envelope = np.maximum.accumulate(errors[::-1])[::-1]
    keep = (lags >= first) & (envelope > 0)
    return float(-np.polyfit(np.log(lags[keep]), np.log(envelope[keep]), 1)[0])
