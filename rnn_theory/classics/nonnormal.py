"""Non-normal transient growth (Orhan & Pitkow 2020): with spectral radius ρ(W) < 1 the powers W^τ
still vanish as τ → ∞, but a non-normal W can make ‖W^τ‖₂ ≫ 1 over a long transient first; in a
linear RNN (or a tanh RNN at h = 0, where J_t = W) that is ‖∂h_T/∂h_{T−τ}‖₂ itself.

The canonical example is a chain: W = ρ·I + α·S with S the shift e_i → e_{i+1} (a feedforward
chain of n units with self-weight ρ). All eigenvalues equal ρ, yet S is nilpotent (S^n = 0), so

    W^τ = Σ_{k<n} C(τ, k)·ρ^{τ−k}·α^k·S^k,

whose norm grows like (ρ + α)^τ while τ < n and decays like ρ^τ·τ^{n−1} afterwards.
``transient`` measures the growth. A moderate transient is generic: for W_ij ~ N(0, g²/n), g < 1,
ρ(W) ≈ g < 1 < ‖W‖₂ ≈ 2g, and both inequalities are open conditions, so they survive every small
perturbation (``perturbed``). A large one is fragile: by the Kreiss matrix theorem
sup_τ ‖W^τ‖₂ ≥ (|z| − 1)·‖(z − W)^{−1}‖₂ for |z| > 1, and an eigenvalue z of W + E lies where
‖(z − W)^{−1}‖₂ ≥ 1/‖E‖₂, so a perturbation of norm δ can only push ρ to r > 1 if the peak is at
least (r − 1)/δ (``kreiss_bound``); conversely a peak K lets perturbations of size ~1/K do so.
"""

import math

import numpy as np


def chain_matrix(n, rho, alpha):
    """W = ρ·I + α·S (n, n), S[i+1, i] = 1: a feedforward chain with self-weight ρ.

    >>> chain_matrix(3, 0.5, 2.0)
    array([[0.5, 0. , 0. ],
           [2. , 0.5, 0. ],
           [0. , 2. , 0.5]])
    """
    return rho * np.eye(n) + alpha * np.eye(n, k=-1)


def chain_power(n, rho, alpha, lag):
    """W^τ of ``chain_matrix`` by the binomial formula (S nilpotent; exact up to rounding)."""
    return sum(math.comb(lag, k) * rho ** (lag - k) * alpha**k * np.eye(n, k=-k) for k in range(min(lag, n - 1) + 1))


def power_log_norms(W, max_lag):
    """ln‖W^τ‖₂ for τ = 1..max_lag (max_lag,), by repeated products renormalised every step (no
    overflow or underflow of the running product)."""
    P, scale, out = np.eye(len(W)), 0.0, []
    for _ in range(max_lag):
        P = W @ P
        top = np.linalg.norm(P, 2)
        P, scale = P / top, scale + np.log(top)
        out.append(scale)
    return np.array(out)


def transient(W, max_lag):
    """Summary of the transient of ‖W^τ‖₂ over τ = 1..max_lag: a dict with ``spectral_radius`` ρ(W),
    ``peak`` = max ln‖W^τ‖₂ and its ``peak_lag``, ``duration`` = the last τ with ‖W^τ‖₂ ≥ 1 (0 if
    none), and ``log_norms`` (max_lag,).

    >>> summary = transient(chain_matrix(20, 0.9, 1.0), 300)
    >>> round(summary["spectral_radius"], 12), summary["peak"] > 20, summary["duration"] > 100
    (0.9, True, True)
    """
    log_norms = power_log_norms(W, max_lag)
    above = np.nonzero(log_norms >= 0)[0]
    return {
        "spectral_radius": float(np.max(np.abs(np.linalg.eigvals(W)))),
        "peak": float(log_norms.max()),
        "peak_lag": int(np.argmax(log_norms)) + 1,
        "duration": int(above[-1]) + 1 if above.size else 0,
        "log_norms": log_norms,
    }


def perturbed(W, epsilon, rng):
    """W + ε·G, G_ij ~ N(0, 1/n): a generic neighbour of W (``rng`` a numpy Generator or seed)."""
    n = len(W)
    return W + epsilon * np.random.default_rng(rng).normal(0.0, 1.0 / np.sqrt(n), (n, n))


def kreiss_bound(W, V):
    """The lower bound (ρ(V) − 1)/‖V − W‖₂ on sup_τ ‖W^τ‖₂ that a perturbed matrix V with
    ρ(V) > 1 certifies (Kreiss matrix theorem with the pseudospectrum; see the module docstring);
    None when ρ(V) ≤ 1."""
    radius = float(np.max(np.abs(np.linalg.eigvals(V))))
    return (radius - 1) / np.linalg.norm(V - W, 2) if radius > 1 else None
