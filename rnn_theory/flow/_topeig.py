"""λ_max of a symmetric positive semidefinite matrix, certified, from a warm start.

A few Lanczos steps from the previous lag's top vector give a Rayleigh quotient θ ≤ λ_max. One
Cholesky factorisation of (1 + ε)·θ·I − G then *proves* λ_max < (1 + ε)·θ: it succeeds exactly
when that matrix is positive definite (Sylvester), up to its backward error d·2⁻⁵³·‖G‖, which
ε = 1e-10 dominates for d ≤ 10⁴. So λ_max ∈ [θ, (1 + ε)θ] and ½·ln λ_max (a log-norm) is right to
5e-11. A Cholesky costs d³/3 flops at GEMM speed, a fraction of a symmetric eigensolver's
tridiagonalisation; if the certificate fails (not yet converged), Lanczos goes on, up to 64
steps, then ``numpy.linalg.eigh``.
"""

import numpy as np

_EPS = 1e-10
_SMALL = 48  # below this size eigh is as cheap as the iteration
_MAX_STEPS = 64  # Lanczos steps before falling back to eigh
_RESIDUAL = 1e-6  # residual/θ at which to try the certificate (θ's error ~ residual²/gap)


def lambda_max(G, v=None):
    """(λ_max(G), unit top vector) for symmetric PSD G; v a warm start (any shape mismatch: ignored).

    >>> G = np.diag(np.arange(1.0, 101.0))
    >>> lam, v = lambda_max(G, np.ones(100))
    >>> abs(lam / 100 - 1) < 1e-10, round(float(abs(v[-1])), 6)
    (True, 1.0)
    """
    d = G.shape[0]
    if d <= _SMALL:  # small: the eigensolver, and no vector (r only shrinks; blocks restart)
        return max(float(np.linalg.eigvalsh(G)[-1]), 0.0), None
    if v is None or v.shape != (d,) or not np.any(v):
        v = np.ones(d)
    return _lanczos(G, v, min(_MAX_STEPS, d))


def _lanczos(G, v, m):
    """Lanczos with full reorthogonalisation from v. Every 4 steps, once the top Ritz pair's
    residual is below _RESIDUAL·θ, its Rayleigh quotient θ ≤ λ_max is certified; else ``eigh``."""
    V = np.empty((G.shape[0], m))
    V[:, 0] = v / np.linalg.norm(v)
    alpha, beta = np.zeros(m), np.zeros(m)
    for k in range(m):
        w = G @ V[:, k]
        alpha[k] = V[:, k] @ w
        for _ in range(2):  # twice is enough (Kahan–Parlett)
            w -= V[:, :k + 1] @ (V[:, :k + 1].T @ w)
        beta[k] = np.linalg.norm(w)
        exhausted = beta[k] <= 1e-14 * abs(alpha[:k + 1]).max()
        if k % 4 == 3 or exhausted or k == m - 1:
            ritz, S = np.linalg.eigh(np.diag(alpha[:k + 1]) + np.diag(beta[:k], 1) + np.diag(beta[:k], -1))
            if beta[k] * abs(S[-1, -1]) <= _RESIDUAL * ritz[-1] or exhausted:
                u = V[:, :k + 1] @ S[:, -1]
                u /= np.linalg.norm(u)
                theta = float(u @ (G @ u))  # a true Rayleigh quotient: ≤ λ_max
                if _certified(G, theta):
                    return theta, u
        if exhausted:
            break
        if k + 1 < m:
            V[:, k + 1] = w / beta[k]
    return _exact(G)


def _certified(G, theta):
    if theta <= 0:
        return False
    try:
        np.linalg.cholesky((1 + _EPS) * theta * np.eye(G.shape[0]) - G)
        return True
    except np.linalg.LinAlgError:
        return False


def _exact(G):
    w, V = np.linalg.eigh(G)
    return max(float(w[-1]), 0.0), V[:, -1]
