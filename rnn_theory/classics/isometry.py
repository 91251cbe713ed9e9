"""Critical initialisation and dynamical isometry (Pennington, Schoenholz & Ganguli 2017; Chen,
Pennington & Schoenholz 2018): at χ = 1 the gradient's norm neither vanishes nor explodes on
average, and with an orthogonal W the singular values of the product of step Jacobians
P_τ = J_τ ··· J_1 stay concentrated, where a Gaussian W at the same χ spreads them.

The driven tanh RNN h' = tanh(W h + U x), U ~ N(0, 1/m), x ~ N(0, s²·I), with W either
Gaussian, W_ij ~ N(0, g²/n), or g times a Haar-random orthogonal matrix: both give the same q* and
χ as n → ∞ (‖W h‖² = g²‖h‖² for the orthogonal one, ≈ for the Gaussian), so ``critical_gain``
puts both at χ = 1. The spread of the spectrum is measured on its upper half, ln σ_1 − ln σ_{n/2}
(``upper_spread``): the lower half of a Gaussian product falls below float64's resolution
relative to σ_1 within tens of steps, the upper half stays resolved (checked on every call).
"""

import functools

import numpy as np

from ..flow.meanfield import mean_field_chi
from .networks import driven_network

RESOLVED = 1e-9  # σ_{n/2}/σ_1 below this: rounding (~1e-16·σ_1 per step) could reach σ_{n/2}


@functools.cache  # ~50 quadratures of q*: the runs of one setting share their g_c
def critical_gain(input_variance=0.0, bias_variance=0.0, tol=1e-12):
    """The gain g at which the mean-field χ(g, σ_in², σ_b²) = 1 (bisection; χ increases with g).

    >>> round(critical_gain(), 6), round(critical_gain(1.0), 6)  # no input: the transition at g = 1
    (1.0, 1.855589)
    """
    lo, hi = 0.0, 1.0
    while mean_field_chi(hi, input_variance, bias_variance) < 1:
        lo, hi = hi, 2 * hi
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if mean_field_chi(mid, input_variance, bias_variance) < 1 else (lo, mid)
    return 0.5 * (lo + hi)


def product_log_singular_values(cell, xs, s0, lags):
    """ln σ_i(P_τ), descending, for P_τ = J_τ ··· J_1 along the run of ``xs`` from ``s0``, at each
    τ in ``lags``: {τ: array (d,)}. P is renormalised every step (its log-scale kept apart), so it
    never overflows; entries below float64's resolution relative to σ_1 are not trustworthy
    (``upper_spread`` checks the ones it uses)."""
    states = cell.run(xs, s0)
    P, scale, out = np.eye(cell.state_size), 0.0, {}
    for t in range(1, max(lags) + 1):
        P = cell.jacobian(xs[t - 1], states[t - 1]) @ P
        top = np.linalg.norm(P, 2)
        P, scale = P / top, scale + np.log(top)
        if t in lags:
            out[t] = scale + np.log(np.linalg.svd(P, compute_uv=False))
    return out


def upper_spread(log_singular_values):
    """ln σ_1 − ln σ_{⌈d/2⌉}: the log-spread of the upper half of a spectrum (descending input).
    ValueError when σ_{⌈d/2⌉}/σ_1 < RESOLVED (rounding could dominate it).

    >>> float(upper_spread(np.log([4.0, 2.0, 1.0, 0.5])))  # ln 4 − ln 2
    0.6931471805599453
    """
    values = np.asarray(log_singular_values)
    spread = values[0] - values[(len(values) + 1) // 2 - 1]
    if spread > -np.log(RESOLVED):
        raise ValueError(f"upper_spread: σ_(d/2)/σ_1 = e^-{spread:.1f} is below float64's resolution here")
    return float(spread)


def isometry_run(kind, input_scale=1.0, n=64, m=4, lags=(1, 2, 5, 10, 20, 50), burn_in=100, seed=0):
    """{τ: ln σ_i(P_τ)} for one network at χ = 1 (``critical_gain(s²)``), W of ``kind``, drawn by
    ``networks.driven_network``; the product starts from the state the burn-in reached."""
    g = critical_gain(input_scale**2)
    cell, s0, xs = driven_network(g, input_scale, seed=seed, n=n, m=m, steps=max(lags), burn_in=burn_in, kind=kind)
    return product_log_singular_values(cell, xs, s0, lags)
