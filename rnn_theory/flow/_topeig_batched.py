"""λ_max of a stack of Gram matrices M_b = Z_bᵀ Z_b, certified, on any array-API namespace.

The proofs are those of ``_topeig`` (NumPy, one matrix at a time), for a whole stack (B, d, d) at
once with batched products, so that a GPU does them:

1. Block Krylov: from a warm block V (d, p) (the previous stack's top vectors: the top left
   singular vectors of P_{T,τ} on the s_T side settle as τ grows), the basis
   Q = [V, M V, …, M^{q−1} V], orthonormalised block by block (block Gram–Schmidt twice, then
   whitening twice), and the Rayleigh–Ritz pairs of M on it (the small (qp)×(qp) eigenproblems
   on the host). The top Ritz vector u (unit) gives θ = uᵀ M u ≤ λ_1 and the residual
   ρ = ‖M u − θ u‖; the Ritz values θ_i ≤ λ_i (Cauchy interlacing, Q orthonormal).
2. Kato–Temple: with α ≥ λ_2 from the trace, λ_2 ≤ tr M − θ − Σ_{i≥3} θ_i, or the Frobenius norm,
   λ_2² ≤ ‖M‖_F² − θ² − Σ_{i≥3} θ_i² (both with the slack of ``_topeig``), θ > α proves
   λ_1 ≤ θ + ρ²/(θ − α) (Kato 1949; Temple 1928; Parlett, thm 10.5.1).
3. Where that fails (a crowded top of the spectrum, the short lags): the Cholesky factorisation of
   (1 + ε)·θ·I − M succeeds exactly when it is positive definite (Sylvester), proving
   λ_1 < (1 + ε)·θ, up to its backward error 2(d + 1)·u·‖(1 + ε)θI − M‖₂ (added to the bound).
4. What neither proves after ``_ROUNDS`` rounds: the batched symmetric eigensolver, whose λ_1 is
   backward stable (|Δλ| ≤ d·u·‖M‖₂, taken as the bound).

Every bound also carries the rounding of forming M from Z: ‖M̂ − M‖₂ ≤ d·u·‖Z‖_F² = d·u·tr M.
"""

from collections import Counter

import numpy as np

from ._namespace import to_numpy
from ._topeig import _RITZ_SLACK, _U, _kato_temple  # the same slack, roundoff and proof

_EPS = 4e-10  # relative width of λ_1 that the certificates prove: 2e-10 in ln ‖·‖
_DEPTH = 6  # Krylov blocks per round
_BLOCK = 6  # vectors per block (and warm vectors carried from stack to stack)
_ROUNDS = 4  # restarted rounds before the eigensolver decides
_SMALL = _DEPTH * _BLOCK  # up to the Krylov space's size the eigensolver is as cheap as the iteration

PROOFS = Counter()
"""How many λ_max each route has decided in this process (kato_temple, cholesky, eigensolver, small):
what the benchmark reports."""


def roundoff(xp, dtype):
    """The unit roundoff (with room) of ``dtype``."""
    return _U if dtype == xp.float64 else 1.2e-7


def top_eigenvalues(xp, Z, warm=None, *, eps=_EPS):
    """(λ_1 (B,), upper (B,), warm (d, p)) for M_b = Z_bᵀ Z_b with Z (B, r, d) on any namespace.

    λ_1 ≤ λ_max(M_b) ≤ upper, both NumPy float64 arrays; ``warm``: the top vectors of the last
    matrix of the stack (a start for the next stack), or None. eps: the relative width to prove.

    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> Z = np.stack([np.diag(np.sqrt(np.arange(1.0, 61.0))) * s for s in (1.0, 2.0)])
    >>> low, high, _ = top_eigenvalues(xp, Z)
    >>> low.round(9).tolist(), bool(np.all(high / low - 1 < 1e-9))
    ([60.0, 240.0], True)
    """
    B, d = Z.shape[0], Z.shape[-1]
    u = roundoff(xp, Z.dtype)
    M = xp.matmul(xp.matrix_transpose(Z), Z)
    M = 0.5 * (M + xp.matrix_transpose(M))
    trace = to_numpy(xp.sum(Z * Z, axis=(1, 2))).astype(float)
    slack = d * u * trace  # forming M rounds it by at most this, in ‖·‖₂
    if d <= _SMALL:
        lam = np.maximum(to_numpy(xp.linalg.eigvalsh(M))[:, -1].astype(float), 0.0)
        PROOFS["small"] += B
        return lam, lam + 2 * slack, None
    fro2 = to_numpy(xp.sum(M * M, axis=(1, 2))).astype(float) * (1 + d * d * u)
    low, high = np.zeros(B), np.full(B, np.inf)
    zero = trace <= 0  # Z = 0 exactly: λ = 0
    high[zero] = 0.0
    todo = np.nonzero(~zero)[0]
    V = _start(xp, M, warm, d)
    top = None
    for round_ in range(_ROUNDS):
        if not todo.size:
            break
        idx = xp.asarray(todo, device=_device(xp, M))
        Mt = xp.take(M, idx, axis=0)
        theta, rho2, ritz, U = _rayleigh_ritz(xp, Mt, xp.take(V, idx, axis=0))
        rest = (1 - _RITZ_SLACK) * np.maximum(ritz[:, :-2], 0.0)
        alpha = (
            np.minimum(
                trace[todo] * (1 + d * d * u) - theta - rest.sum(axis=1),  # a sum of d² squares
                np.sqrt(np.maximum(fro2[todo] - theta**2 - (rest**2).sum(axis=1), 0.0)),
            )
            + 1e-10 * theta
        )
        gap = theta - alpha
        proved = (theta > 0) & _kato_temple(theta, rho2, gap, eps)
        bound = np.where(proved, theta + rho2 / np.where(gap > 0, gap, 1.0), np.inf)
        PROOFS["kato_temple"] += int(proved.sum())
        if round_ and not proved.all():  # the Cholesky proof for the others, once θ has had a round to settle
            check = np.nonzero(~proved & (theta > 0) & (rho2 <= (1e-6 * theta) ** 2))[0]
            if check.size:
                ok = _cholesky_proves(
                    xp, xp.take(Mt, xp.asarray(check, device=_device(xp, M)), axis=0), theta[check], eps
                )
                # + the factorisation's backward error, ≤ 2(d + 1)·u·‖(1 + ε)θI − M‖₂ ≤ 4(d + 1)·u·θ(1 + ε)
                bound[check[ok]] = (1 + eps) * (1 + 4 * (d + 1) * u) * theta[check[ok]]
                proved[check[ok]] = True
                PROOFS["cholesky"] += int(ok.sum())
        better = theta > low[todo]
        low[todo] = np.where(better, theta, low[todo])
        high[todo] = np.where(proved, np.minimum(high[todo], bound), high[todo])
        if todo[-1] == B - 1:
            top = U[-1, ...]
        V = _scatter(xp, V, todo, U)
        todo = todo[~proved]
    if todo.size:  # the eigensolver decides the rest
        lam = to_numpy(xp.linalg.eigvalsh(xp.take(M, xp.asarray(todo, device=_device(xp, M)), axis=0)))[:, -1]
        lam = np.maximum(lam.astype(float), 0.0)
        PROOFS["eigensolver"] += todo.size
        low[todo], high[todo] = lam, lam + d * u * np.maximum(lam, 0.0)
    return low, high + slack, top


def _device(xp, x):
    return getattr(x, "device", None)


def _start(xp, M, warm, d):
    """The start block (B, d, p): the warm vectors, completed by fixed pseudo-random columns."""
    B = M.shape[0]
    rng = np.random.default_rng(d)
    block = rng.standard_normal((d, _BLOCK))
    if warm is not None:
        w = to_numpy(warm)
        if w.shape[0] == d and np.isfinite(w).all():
            block[:, -w.shape[1] :] = w[:, -_BLOCK:]
    V = xp.asarray(block, dtype=M.dtype, device=_device(xp, M))
    return xp.broadcast_to(V, (B, d, _BLOCK))


def _scatter(xp, V, todo, U):
    """V with the rows ``todo`` replaced by U (a new array; no item assignment)."""
    if todo.size == V.shape[0]:
        return U
    parts = list(xp.unstack(V, axis=0)) if hasattr(xp, "unstack") else [V[b, ...] for b in range(V.shape[0])]
    for k, b in enumerate(todo.tolist()):
        parts[b] = U[k, ...]
    return xp.stack(parts, axis=0)


def _orthonormal(xp, W, basis=None):
    """An orthonormal basis of each W_b (B, d, p), orthogonal to ``basis`` (B, d, k) if given; the
    columns of W's numerically null part (below 1e-8 of its largest column after the projection,
    i.e. Krylov directions already in the basis) are zero. Products only (a GPU runs them batched,
    where a batched Householder QR may loop over the matrices): block Gram–Schmidt twice, then the
    whitening W F, F = V Λ^{−1/2} from WᵀW = V Λ Vᵀ (p×p, on the host), then both once more, since
    whitening amplifies what is left of the basis in W."""
    scale = to_numpy(xp.max(xp.sum(W * W, axis=1), axis=1)).astype(float)[:, None]
    for floor in (1e-16 * scale, 0.25):  # 1e-16: directions below 1e-8 of W; 0.25: unit columns or zero
        for _ in range(2 if basis is not None else 0):
            W = W - xp.matmul(basis, xp.matmul(xp.matrix_transpose(basis), W))
        G = to_numpy(xp.matmul(xp.matrix_transpose(W), W)).astype(float)
        lam, V = np.linalg.eigh(0.5 * (G + np.swapaxes(G, 1, 2)))
        keep = lam > floor
        F = V * np.where(keep, 1 / np.sqrt(np.where(keep, lam, 1.0)), 0.0)[:, None, :]
        W = xp.matmul(W, xp.asarray(F, dtype=W.dtype, device=_device(xp, W)))
    return W


def _rayleigh_ritz(xp, M, V):
    """(θ, ρ², Ritz values (B, qp) ascending, top block U (B, d, p)) of M on the block Krylov space of V."""
    Q = _orthonormal(xp, V)
    blocks, products = [Q], []
    for k in range(_DEPTH):
        MQ = xp.matmul(M, blocks[-1])
        products.append(MQ)
        if k == _DEPTH - 1:
            break
        blocks.append(_orthonormal(xp, MQ, xp.concat(blocks, axis=2)))
    basis, products = xp.concat(blocks, axis=2), xp.concat(products, axis=2)
    H = to_numpy(xp.matmul(xp.matrix_transpose(basis), products)).astype(float)
    ritz, S = np.linalg.eigh(0.5 * (H + np.swapaxes(H, 1, 2)))
    S_top = xp.asarray(S[:, :, -_BLOCK:], dtype=M.dtype, device=_device(xp, M))
    U, MU = xp.matmul(basis, S_top), xp.matmul(products, S_top)
    u, Mu = U[:, :, -1], MU[:, :, -1]
    nu = xp.sum(u * u, axis=1)
    theta = xp.sum(u * Mu, axis=1) / nu  # a true Rayleigh quotient: ≤ λ_1
    rho2 = xp.sum((Mu - theta[:, None] * u) ** 2, axis=1) / nu
    return to_numpy(theta).astype(float), to_numpy(rho2).astype(float), ritz, U


def _cholesky_proves(xp, M, theta, eps):
    """Per matrix, whether (1 + eps)·θ·I − M is positive definite (its Cholesky factorisation succeeds)."""
    d = M.shape[-1]
    shift = xp.asarray((1 + eps) * theta, dtype=M.dtype, device=_device(xp, M))
    A = shift[:, None, None] * xp.eye(d, dtype=M.dtype, device=_device(xp, M)) - M
    torch = _torch_of(A)
    if torch is not None:  # one call for the stack, a status per matrix
        return to_numpy(torch.linalg.cholesky_ex(A)[1]) == 0
    ok = []
    for b in range(A.shape[0]):
        try:
            ok.append(bool(np.isfinite(to_numpy(xp.linalg.cholesky(A[b, ...]))).all()))
        except Exception:  # noqa: BLE001 (each library raises its own LinAlgError)
            ok.append(False)
    return np.array(ok, dtype=bool)


def _torch_of(x):
    if type(x).__module__.split(".")[0] != "torch":
        return None
    import torch  # noqa: PLC0415

    return torch
