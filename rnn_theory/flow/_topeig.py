"""λ_max of a symmetric positive semidefinite matrix, certified, from a warm start (the proofs and
their constants: ``_certificate``).

A few Lanczos steps from the previous lag's top vector give a Rayleigh quotient θ ≤ λ_max. One
Cholesky factorisation of (1 + ε)·θ·I − G then *proves* λ_max < (1 + ε)·θ: it succeeds exactly
when that matrix is positive definite (Sylvester), up to its backward error d·2⁻⁵³·‖G‖, which
ε = 1e-10 dominates for d ≤ 10⁴. So λ_max ∈ [θ, (1 + ε)θ] and ½·ln λ_max (a log-norm) is right to
5e-11. A Cholesky costs d³/3 flops at GEMM speed, a fraction of a symmetric eigensolver's
tridiagonalisation; if the certificate fails (not yet converged), Lanczos goes on, up to 64
steps, then ``numpy.linalg.eigh``.

``top_eig`` (used by ``exact``) first tries a cheaper proof from a warm block of top vectors: block
Rayleigh–Ritz gives θ ≤ λ_1 with residual ρ and Ritz values θ_i ≤ λ_i; with the trace,
λ_2 ≤ tr − θ − Σ_{i≥3} θ_i =: α, and the Kato–Temple inequality λ_1 ≤ θ + ρ²/(θ − α) proves
λ_1 ≤ (1 + ε)θ when ρ is small enough, with O(d²·p) work and M = Fᵀ G F never formed.

Lanczos tries the same Kato–Temple proof before the Cholesky one, with its own Ritz values (lower
bounds of λ_i by Cauchy interlacing, the Lanczos basis being orthonormal) and, M being explicit,
also the Frobenius norm: λ_2² ≤ ‖M‖_F² − θ² − Σ_{i≥3} θ_i² (q = 2 of λ_2^q ≤ tr M^q − Σ_{i≠2} λ_i^q),
far sharper than the trace when many eigenvalues are small but not negligible. Rounding is covered
by slack: ‖M‖_F² and tr M as sums of d² and d nonnegative terms (relative d²·u, d·u), a relative
1e-6 off the Ritz values' sums and an absolute 1e-10·θ (each Ritz value is a lower bound up to
~k·u·‖M‖). An explicit M (the dense phase, where the top of the spectrum is crowded and block
Rayleigh–Ritz from a warm block rarely converges) goes to Lanczos directly.

``top_eigenvalues`` (used by ``probe``) does the same for a stack of small Gram matrices at once:
power steps by repeated squaring, the same Kato–Temple proof, eigvalsh where it fails.
"""

import numpy as np

from ._certificate import (
    BLOCK_ONE,
    CERTIFIED,
    EPS_ONE,
    MAX_STEPS,
    MIN_GAP,
    RESIDUAL,
    RITZ_SLACK,
    ROUNDS_ONE,
    SMALL_ONE,
    SQUARINGS,
    U,
    cholesky_proves,
    kato_temple,
)


def top_eig(G, W=None, *, F=None, Gram=None):
    """(λ_max(M), top vectors (d, ≤ BLOCK_ONE) or None), λ_max certified: λ_max ∈ [θ, (1 + ε)θ].

    M = G, or with F given, M = Fᵀ G F where F Fᵀ = Gram (F lower triangular; never formed on the
    fast path below). W: a warm block of vectors (d, p), e.g. the previous lag's top vectors.

    Fast path: the Rayleigh–Ritz pairs of M on span[W, M W] (products with M, a QR and a 2p×2p
    eigenproblem) give a true Rayleigh quotient θ ≤ λ_1 with residual ρ = ‖M u − θ u‖, Ritz values
    θ_i ≤ λ_i (Cauchy interlacing) and the trace tr M = Σ λ_i (λ_i ≥ 0). Then
    λ_2 ≤ tr M − θ − Σ_{i≥3} θ_i =: α, and if θ > α the Kato–Temple inequality gives
    λ_1 ≤ θ + ρ²/(θ − α): a certificate without any O(d³) work. If it is not tight enough to
    prove λ_1 < (1 + ε)θ, M is formed and the Cholesky certificate tried; then Lanczos from the
    best Ritz vector. Explicit M (F None): Lanczos directly. Small M: the symmetric eigensolver
    (no vectors: r only shrinks).

    >>> G = np.diag(np.arange(1.0, 101.0))
    >>> lam, V = top_eig(G, np.ones((100, 1)))
    >>> abs(lam / 100 - 1) < 1e-10, round(float(abs(V[-1, -1]) / np.linalg.norm(V[:, -1])), 6)
    (True, 1.0)
    """
    d = G.shape[0]
    if d <= SMALL_ONE:  # small: the eigensolver, and no vectors (r only shrinks; blocks restart)
        M = G if F is None else F.T @ G @ F
        return max(float(np.linalg.eigvalsh(M)[-1]), 0.0), None
    if F is None:  # explicit: Lanczos from the top warm vector
        start = W[:, -1] if W is not None and W.ndim == 2 and W.shape[0] == d else None
        if start is None or not np.isfinite(start).all() or not np.any(start):
            start = np.ones(d)
        return _lanczos(G, start, min(MAX_STEPS, d), BLOCK_ONE)
    mv = lambda X: F.T @ (G @ (F @ X))  # noqa: E731
    # tr(Fᵀ G F) = Σ G_ij Gram_ij, rounded by at most d²·u·Σ|G_ij||Gram_ij| (kept as slack)
    trace = float(np.vdot(G, Gram)) + d * d * U * float(np.vdot(np.abs(G), np.abs(Gram)))
    start, theta, residual = None, 0.0, np.inf
    if W is not None and W.ndim == 2 and W.shape[0] == d and np.isfinite(W).all():
        norms = np.linalg.norm(W, axis=0)
        W = W[:, norms > 0] / norms[norms > 0]  # the columns may differ in scale by λ_i/λ_1
    if W is not None and W.ndim == 2 and W.shape[0] == d and W.shape[1]:
        MW = mv(W)
        for _ in range(ROUNDS_ONE):  # block Rayleigh–Ritz rounds, each from the last round's top block
            Q = np.linalg.qr(np.hstack([W, MW]))[0]
            MQ = mv(Q)
            T = Q.T @ MQ
            ritz, S = np.linalg.eigh(0.5 * (T + T.T))
            u = Q @ S[:, -1]
            nu = np.linalg.norm(u)
            if not (nu > 0 and np.isfinite(nu)):
                break
            u /= nu
            Mu = MQ @ S[:, -1] / nu
            theta = float(u @ Mu)  # a true Rayleigh quotient (of a unit vector): ≤ λ_1
            residual = float(np.linalg.norm(Mu - theta * u))
            top = S[:, -min(BLOCK_ONE, S.shape[1]) :]
            block = Q @ top
            start = u
            # λ_2 ≤ tr − λ_1 − Σ_{i≥3} λ_i ≤ tr − θ − Σ_{i≥3} max(θ_i, 0), with slack for rounding
            alpha = trace - theta - float(np.maximum(ritz[:-2], 0.0).sum()) + 1e-13 * len(ritz) * theta
            if theta > 0 and kato_temple(theta, residual**2, theta - alpha, 0.5 * EPS_ONE):
                return theta, block
            W, MW = block, MQ @ top
    M = F.T @ G @ F
    if theta > 0 and residual <= RESIDUAL * theta and cholesky_proves(M, theta):
        return theta, block
    if start is None:
        start = np.ones(d)
    return _lanczos(M, start, min(MAX_STEPS, d), BLOCK_ONE)


def top_eigenvalues(G):
    """λ_max ≥ 0 of each symmetric positive semidefinite matrix of a stack, to 1e-13 relative.

    The probes' Gram matrices mostly have a dominant top eigenvalue (λ_1 > tr G/2 at ~97% of the
    lags of the benchmark cases, λ_2/λ_1 ≈ 0.03). For M = G/tr G (eigenvalues in [0, 1], summing
    to 1), a unit vector v from 2^SQUARINGS power steps (repeated squaring) has a Rayleigh
    quotient θ ≤ λ_1(M) that Kato–Temple proves: λ_1 ≤ θ + ‖Mv − θv‖²/(θ − δ) for any δ ≥ λ_2
    below θ, here δ = 1 − θ (the eigenvalues are ≥ 0, so λ_2 ≤ 1 − λ_1). θ·tr G is kept where that
    bound is within CERTIFIED·θ, eigvalsh (one LAPACK call per matrix, ~10× the cost) decides
    the others.
    """
    tr = np.trace(G, axis1=1, axis2=2)
    M = G / np.where(tr > 0, tr, 1.0)[:, None, None]  # scale-free: no residual under- or overflows
    A = M
    for _ in range(SQUARINGS):
        A = A @ A
    best = np.argmax(np.diagonal(A, axis1=1, axis2=2), axis=1)  # A_mm = ‖M^(2^(s−1)) e_m‖²: the best start e_m
    v = np.take_along_axis(A, best[:, None, None], axis=2)
    v /= np.maximum(np.sqrt((v * v).sum(axis=1, keepdims=True)), np.finfo(float).tiny)
    Mv = M @ v
    theta = (v * Mv).sum(axis=(1, 2))
    residual = ((Mv - theta[:, None, None] * v) ** 2).sum(axis=(1, 2))
    gap = 2 * theta - 1  # θ − δ; MIN_GAP keeps it clear of the rounding in tr M = 1 and M ⪰ 0
    lam = np.where((gap > MIN_GAP) & kato_temple(theta, residual, gap, CERTIFIED), theta * tr, np.nan)
    rest = np.isnan(lam)
    if rest.any():
        lam[rest] = np.linalg.eigvalsh(G[rest])[:, -1]
    return np.maximum(lam, 0.0)


def _lanczos(G, v, m, p=0):
    """Lanczos with full reorthogonalisation from v. Every 4 steps, once the top Ritz pair's
    residual is below RESIDUAL·θ, its Rayleigh quotient θ ≤ λ_max is certified (Kato–Temple with
    the Lanczos Ritz values, else Cholesky); else ``eigh``."""
    d = G.shape[0]
    V = np.empty((d, m))
    V[:, 0] = v / np.linalg.norm(v)
    alpha, beta = np.zeros(m), np.zeros(m)
    bounds = None
    for k in range(m):
        w = G @ V[:, k]
        alpha[k] = V[:, k] @ w
        for _ in range(2):  # twice is enough (Kahan–Parlett)
            w -= V[:, : k + 1] @ (V[:, : k + 1].T @ w)
        beta[k] = np.linalg.norm(w)
        exhausted = beta[k] <= 1e-14 * abs(alpha[: k + 1]).max()
        if k % 4 == 3 or exhausted or k == m - 1:
            ritz, S = np.linalg.eigh(np.diag(alpha[: k + 1]) + np.diag(beta[:k], 1) + np.diag(beta[:k], -1))
            if beta[k] * abs(S[-1, -1]) <= RESIDUAL * ritz[-1] or exhausted:
                u = V[:, : k + 1] @ S[:, -1]
                u /= np.linalg.norm(u)
                Gu = G @ u
                theta = float(u @ Gu)  # a true Rayleigh quotient: ≤ λ_max
                if bounds is None:  # tr G and ‖G‖_F², rounding included (sums of d and d² terms ≥ 0)
                    bounds = float(np.trace(G)) * (1 + d * U), float(np.vdot(G, G)) * (1 + d * d * U)
                rest = (1 - RITZ_SLACK) * np.maximum(ritz[:-2], 0.0)
                lam2 = (
                    min(
                        bounds[0] - theta - rest.sum(),  # ≥ λ_2, from the trace and from ‖G‖_F
                        np.sqrt(max(bounds[1] - theta * theta - rest @ rest, 0.0)),
                    )
                    + 1e-10 * theta
                )
                rho2 = float(np.sum((Gu - theta * u) ** 2))
                if kato_temple(theta, rho2, theta - lam2, 0.5 * EPS_ONE) or cholesky_proves(
                    G, theta
                ):  # p > 0: the top p Ritz vectors instead of u
                    return theta, (V[:, : k + 1] @ S[:, -min(p, k + 1) :] if p else u)
        if exhausted:
            break
        if k + 1 < m:
            V[:, k + 1] = w / beta[k]
    return _exact(G, p)


def _exact(G, p=0):
    w, V = np.linalg.eigh(G)
    return max(float(w[-1]), 0.0), (V[:, -p:] if p else V[:, -1])
