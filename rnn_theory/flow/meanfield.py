"""Mean-field theory of the random tanh RNN h' = tanh(W h), W_ij ~ N(0, g²/n), no input.

For n → ∞ the pre-activations a = W h are Gaussian with variance q, and (Sompolinsky, Crisanti &
Sommers 1988; in discrete time Poole et al. 2016, Schoenholz et al. 2017, Chen et al. 2018):

    q* = g²·E[φ(√q* z)²],           z ~ N(0, 1)      (the fixed-point variance)
    χ  = g²·E[φ'(√q* z)²]                             (one step's gain of a squared perturbation)

A perturbation's squared length grows by χ per step, so the mean-field largest Lyapunov exponent
is λ_1 = ½·ln χ per step (natural log); it crosses 0 where χ = 1. For g ≤ 1 the only fixed point
is q* = 0 and χ = g²; for g > 1, q* > 0 and the network is chaotic (χ > 1). The expectations are
Gauss–Hermite quadratures (``numpy.polynomial.hermite_e``, weight e^{−z²/2}), composite
Gauss–Legendre where q* is large (see ``gaussian_expectation``).
"""

import functools

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from numpy.polynomial.legendre import leggauss

from ..cells import RNN

_DEGREE = 201  # Gauss–Hermite nodes (more overflow in numpy's node computation)
_PANEL_NODES = 16


def gaussian_expectation(f, q):
    """E[f(√q·z)] for z ~ N(0, 1) and f smooth with poles at distance ≥ π/2 from the real axis
    (tanh, tanh'): ~1e-15 relative.

    For q ≤ 1, Gauss–Hermite quadrature (``numpy.polynomial.hermite_e``, weight e^{−z²/2}, 201
    nodes). For q > 1 the poles of tanh(√q z) at z = ±iπ/(2√q) come close to the real axis and
    Gauss–Hermite converges slowly (1e-6 relative at q = 6 with 201 nodes), so the Gaussian
    integral is taken by composite Gauss–Legendre on |z| ≤ 12 (the tail beyond weighs < 1e-32),
    with panels narrower than the poles' distance.

    >>> round(gaussian_expectation(lambda a: a**2, 0.5), 14), round(gaussian_expectation(lambda a: a**2, 2.5), 12)
    (0.5, 2.5)
    """
    if q <= 1:
        z, w = _nodes("hermite", _DEGREE)
        return float(w @ f(np.sqrt(q) * z) / np.sqrt(2 * np.pi))
    panels = int(np.ceil(24 / (0.25 * np.pi / (2 * np.sqrt(q)))))
    x, w = _nodes("legendre", _PANEL_NODES)
    edges = np.linspace(-12.0, 12.0, panels + 1)
    half = 0.5 * (edges[1] - edges[0])
    z = ((edges[:-1] + edges[1:]) / 2)[:, None] + half * x
    weights = half * w * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)
    return float(np.sum(weights * f(np.sqrt(q) * z)))


@functools.lru_cache(maxsize=None)
def _nodes(kind, degree):
    return (hermegauss if kind == "hermite" else leggauss)(degree)


def fixed_point_variance(g):
    """q*(g): the stable solution of q = g²·E[tanh(√q z)²] (0 for g ≤ 1), by bisection to ~1e-16.

    >>> fixed_point_variance(0.9), round(fixed_point_variance(3.0), 9)
    (0.0, 6.305391479)
    """
    if g <= 1:
        return 0.0
    excess = lambda q: g**2 * gaussian_expectation(lambda a: np.tanh(a) ** 2, q) - q
    lo, hi = 1e-300, g**2  # excess > 0 just above 0 (slope g² − 1), < 0 at g² (E[tanh²] < 1)
    for _ in range(2000):
        mid = 0.5 * (lo + hi) if hi / lo < 4 else np.sqrt(lo * hi)
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
        if hi - lo <= 4 * np.finfo(float).eps * hi:
            break
    return float(0.5 * (lo + hi))


def mean_field_chi(g):
    """χ(g) = g²·E[tanh'(√q* z)²] at the fixed point q*(g).

    >>> round(mean_field_chi(0.5), 15), round(mean_field_chi(2.0), 9)
    (0.25, 1.362673338)
    """
    q = fixed_point_variance(g)
    return g**2 * gaussian_expectation(lambda a: (1 - np.tanh(a) ** 2) ** 2, q)


def mean_field_lyapunov(g):
    """λ_1 predicted by mean-field theory: ½·ln χ(g) per step (natural log)."""
    return 0.5 * np.log(mean_field_chi(g))


def random_tanh_rnn(n, g, rng=None):
    """The network of the theory: tanh RNN with W ~ N(0, g²/n), no input weights (U = 0, m = 1), b = 0."""
    rng = np.random.default_rng(rng)
    return RNN(W=rng.normal(0.0, g / np.sqrt(n), (n, n)), U=np.zeros((n, 1)), b=np.zeros(n), activation="tanh")
