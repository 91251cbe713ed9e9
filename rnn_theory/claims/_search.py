"""Adversarial constructions for the vanilla RNN claims: structured recurrent matrices, and
saturation steering that makes a tanh RNN's Jacobian equal to a chosen principal block of W.

Saturation steering. Along a trajectory J_t = diag(φ'(a_t))·W. Saturate the units outside a set S
(a_k = +L, so h_k = 1 and tanh'(a_k) ≈ 4e^{−2L} ≈ 0) and hold the units in S at a_j = 0 (h_j = 0,
tanh'(0) = 1) with biases that cancel the saturated units' input. That state is a fixed point
with J = diag(1_S)·W, whose nonzero eigenvalues are those of the principal block W[S, S]: the
gradient grows like ρ(W[S, S])^τ whatever ρ(W) is.
"""

from itertools import combinations

import numpy as np

from ..cells import CELLS

SATURATION = 40.0  # tanh(40) rounds to 1 in float64 and tanh'(40) ≈ 7e−35: saturated for good


def structured_matrices(n, rho, rng):
    """Recurrent matrices with spectral radius ``rho``, by family: normal ones (scaled identity,
    scaled orthogonal, symmetric) and non-normal ones (Gaussian, Schur form with a strong upper
    triangle, a rotated Jordan block).

    Each is scaled by its spectral radius where that is known in closed form (1 for the identity,
    an orthogonal matrix and the Jordan block, max |diagonal| for the Schur form): a Jordan block's
    eigenvalues move by ε^{1/n} under a rounding error ε (0.1 at n = 16), so a computed radius
    would make W itself depend on the machine's rounding. The radius is that of the exact product
    Q·J·Qᵀ; its float64 rounding has eigenvalues within about ε^{1/n} of it (ρ ∈ [0.81, 0.99] at
    ρ = 0.9, n = 16), the same on every machine."""
    Q, _ = np.linalg.qr(rng.normal(size=(n, n)))
    symmetric = rng.normal(size=(n, n))
    diagonal = rng.uniform(-1, 1, n)
    schur = np.diag(diagonal) + np.triu(rng.normal(size=(n, n)), 1)
    jordan = np.eye(n) + np.eye(n, k=1)
    symmetric = symmetric + symmetric.T
    gaussian = rng.normal(size=(n, n))
    families = {
        "scaled identity": (np.eye(n), 1.0),
        "scaled orthogonal": (Q, 1.0),
        "symmetric": (symmetric, float(np.abs(np.linalg.eigvalsh(symmetric)).max())),
        "gaussian": (gaussian, spectral_radius(gaussian)),
        "non-normal (Schur)": (Q @ schur @ Q.T, float(np.abs(diagonal).max())),
        "rotated Jordan": (Q @ jordan @ Q.T, 1.0),
    }
    return {name: rho * W / radius for name, (W, radius) in families.items()}


def spectral_radius(W):
    return float(np.abs(np.linalg.eigvals(W)).max())


def best_saturation_set(W, exhaustive_up_to=10):
    """The set S of units to keep unsaturated that maximises ρ(W[S, S]): exhaustive for small n,
    else greedy removal of the unit whose removal helps most. Returns (S as bool mask, ρ(W[S, S]))."""
    n = len(W)
    if n <= exhaustive_up_to:
        candidates = (list(S) for k in range(1, n + 1) for S in combinations(range(n), k))
    else:
        candidates, S = [], list(range(n))
        while S:
            candidates.append(S)
            S = max((S[:i] + S[i + 1 :] for i in range(len(S))), key=lambda R: _block_radius(W, R), default=[])
    best = max(candidates, key=lambda S: _block_radius(W, S))
    mask = np.zeros(n, dtype=bool)
    mask[best] = True
    return mask, _block_radius(W, best)


def _block_radius(W, S):
    return spectral_radius(W[np.ix_(S, S)]) if len(S) else 0.0


def saturation_steered_rnn(W, S):
    """A tanh RNN (m = 1, zero input) and its fixed point s0 where units in S sit at a = 0 and the rest
    at a = SATURATION, so that J = diag(1_S)·W at every step (see the module docstring)."""
    out = ~S
    pushed = W[:, out].sum(axis=1)  # what the saturated units (h = 1) feed into each unit
    b = np.where(S, -pushed, SATURATION - pushed)
    cell = CELLS["rnn"](W=W, U=np.zeros((len(W), 1)), b=b, activation="tanh")
    return cell, np.where(S, 0.0, 1.0)


def minimal_two_unit_counterexample(step=0.25, bound=2.0):
    """Among 2×2 matrices with entries on the grid {−bound, …, bound} (spacing ``step``) and ρ(W) < 1,
    the one whose best saturation block grows fastest (max |W_jj|); ties go to the smallest ρ(W),
    then the smallest Σ|W_ij|, then the first in lexicographic order. Returns W."""
    grid = np.arange(-bound, bound + step / 2, step)
    a, b, c, d = (v.ravel() for v in np.meshgrid(grid, grid, grid, grid, indexing="ij"))
    trace, det = a + d, a * d - b * c
    root = np.sqrt((trace**2 - 4 * det).astype(complex))
    rho = np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))
    ok = rho < 1 - 1e-12
    growth = np.maximum(np.abs(a), np.abs(d))
    order = np.lexsort((d, c, b, a, np.abs(a) + np.abs(b) + np.abs(c) + np.abs(d), rho, -growth))
    k = order[ok[order]][0]
    return np.array([[a[k], b[k]], [c[k], d[k]]])
