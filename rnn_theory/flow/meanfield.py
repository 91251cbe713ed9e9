"""Mean-field theory of the random tanh RNN h' = tanh(W h + U x + b), W_ij ~ N(0, g²/n).

For n → ∞ the pre-activations a = W h + U x + b are Gaussian with variance q, and (Sompolinsky,
Crisanti & Sommers 1988; in discrete time Poole et al. 2016, Schoenholz et al. 2017, Chen et al. 2018):

    q* = g²·E[φ(√q* z)²] + σ_in² + σ_b²,   z ~ N(0, 1)   (the fixed-point variance)
    χ  = g²·E[φ'(√q* z)²]                                 (one step's gain of a squared perturbation)

with σ_in² = Var[(U x)_i] the input's share (σ_U²·E[x_j²] for U_ij ~ N(0, σ_U²/m), x independent of
W) and σ_b² the bias variance. A perturbation's squared length grows by χ per step, so the
mean-field largest Lyapunov exponent, and the per-step rate of ln‖∂h_T/∂h_{T−τ}‖, is ½·ln χ
(natural log); it crosses 0 where χ = 1. Without input and bias, for g ≤ 1 the only fixed point
is q* = 0 and χ = g²; for g > 1, q* > 0 and the network is chaotic (χ > 1). Input and bias make
q* > 0 at every g and so χ < g²: they move the transition above g = 1. The expectations are
Gauss–Hermite quadratures (``numpy.polynomial.hermite_e``, weight e^{−z²/2}), composite
Gauss–Legendre where q* is large (see ``gaussian_expectation``).
"""

from __future__ import annotations

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


@functools.cache
def _nodes(kind, degree):
    return (hermegauss if kind == "hermite" else leggauss)(degree)


def fixed_point_variance(g: float, input_variance: float = 0.0, bias_variance: float = 0.0) -> float:
    """q*: the stable solution of q = g²·E[tanh(√q z)²] + σ_in² + σ_b², by bisection to ~1e-16.

    Without input and bias it is 0 for g ≤ 1. With v = σ_in² + σ_b² > 0 the right side minus q is
    ≥ 0 at q = v and < 0 at q = g² + v (E[tanh²] < 1); for tanh the right side is increasing and
    concave in q, so the root between them is the only one.

    >>> fixed_point_variance(0.9), round(fixed_point_variance(3.0), 9)
    (0.0, 6.305391479)
    >>> round(fixed_point_variance(1.0, input_variance=1.0), 9)  # W, U ~ N(0, 1/n), N(0, 1/m), x ~ N(0, I)
    1.463850891
    """
    offset = input_variance + bias_variance
    if input_variance < 0 or bias_variance < 0:
        raise ValueError(f"fixed_point_variance: variances must be >= 0, got {input_variance}, {bias_variance}")
    if g <= 1 and offset == 0:
        return 0.0
    excess = lambda q: g**2 * gaussian_expectation(lambda a: np.tanh(a) ** 2, q) + offset - q
    # excess > 0 at lo (slope g² − 1 > 0 just above 0 without offset), < 0 at hi (E[tanh²] < 1)
    lo, hi = (offset, g**2 + offset) if offset > 0 else (1e-300, g**2)
    for _ in range(2000):
        mid = 0.5 * (lo + hi) if hi / lo < 4 else np.sqrt(lo * hi)
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
        if hi - lo <= 4 * np.finfo(float).eps * hi:
            break
    return float(0.5 * (lo + hi))


def mean_field_chi(g: float, input_variance: float = 0.0, bias_variance: float = 0.0) -> float:
    """χ = g²·E[tanh'(√q* z)²] at the fixed point q*(g, σ_in², σ_b²).

    >>> round(mean_field_chi(0.5), 15), round(mean_field_chi(2.0), 9)
    (0.25, 1.362673338)
    """
    q = fixed_point_variance(g, input_variance, bias_variance)
    return g**2 * gaussian_expectation(lambda a: (1 - np.tanh(a) ** 2) ** 2, q)


def mean_field_lyapunov(g: float, input_variance: float = 0.0, bias_variance: float = 0.0) -> float:
    """λ_1 predicted by mean-field theory: ½·ln χ per step (natural log); with input, the predicted
    per-step rate of ln‖∂h_T/∂h_{T−τ}‖₂.

    >>> round(mean_field_lyapunov(0.8, input_variance=1.0), 3)  # the tanh RNN of grad_norm_vs_lag_rnn
    -0.655
    """
    return float(0.5 * np.log(mean_field_chi(g, input_variance, bias_variance)))


def random_tanh_rnn(n: int, g: float, rng: int | np.random.Generator | None = None) -> RNN:
    """The network of the theory: tanh RNN with W ~ N(0, g²/n), no input weights (U = 0, m = 1), b = 0."""
    rng = np.random.default_rng(rng)
    return RNN(W=rng.normal(0.0, g / np.sqrt(n), (n, n)), U=np.zeros((n, 1)), b=np.zeros(n), activation="tanh")
