"""λ_max of a stack of Gram matrices M_b = Z_bᵀ Z_b, certified, on any array-API namespace.

The proofs are those of ``_topeig`` (NumPy, one matrix at a time; the proofs and every constant,
with why the two keep their own, in ``_certificate``), for a whole stack (B, d, d) at once with
batched products, so that a GPU does them; several stacks (a curve and its blocks) go through one
call, whose host steps (the small eigenproblems, the verdicts) serve them all at once:

0. Gershgorin's discs: max_i M_ii ≤ λ_1 ≤ max_i Σ_j |M_ij| (Courant–Fischer; Gershgorin 1931),
   which proves a (nearly) diagonal M (a diagonal cell at every lag, a carousel at lag 1) at once.
1. Block Krylov: from a warm block V (d, p) (the previous stack's top vectors: the top left
   singular vectors of P_{T,τ} on the s_T side settle as τ grows), the basis
   Q = [V, M V, …, M^{q−1} V], orthonormalised block by block (block Gram–Schmidt twice, then
   whitening twice), and the Rayleigh–Ritz pairs of M on it (the small (qp)×(qp) eigenproblems
   on the host). The top Ritz vector u (unit) gives θ = uᵀ M u ≤ λ_1 and the residual
   ρ = ‖M u − θ u‖; the Ritz values θ_i ≤ λ_i (Cauchy interlacing, Q orthonormal).
2. Kato–Temple: with α ≥ λ_2 from the trace, λ_2 ≤ tr M − θ − Σ_{i≥3} θ_i, or the Frobenius norm,
   λ_2² ≤ ‖M‖_F² − θ² − Σ_{i≥3} θ_i² (both with the slack of ``_certificate``), θ > α proves
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

from ._certificate import BLOCK_BATCHED as _BLOCK
from ._certificate import DEPTH as _DEPTH
from ._certificate import EPS_BATCHED, RITZ_SLACK, SMALL_BATCHED, kato_temple, roundoff
from ._certificate import ROUNDS_BATCHED as _ROUNDS
from ._namespace import to_numpy


def top_eigenvalues(xp, stacks, warms=None, *, eps=EPS_BATCHED):
    """([(λ_1 (B,), upper (B,), warm (d, p))] for each stack Z (B, r, d) of ``stacks``, proofs), M_b = Z_bᵀ Z_b.

    λ_1 ≤ λ_max(M_b) ≤ upper, both NumPy float64 arrays; ``warms``: per stack, a start block from the
    previous call (its ``warm``) or None; ``warm``: the top vectors of the stack's last matrix, or None.
    eps: the relative width to prove. ``proofs``: how many λ_max each route decided (a Counter of
    gershgorin, kato_temple, cholesky, eigensolver, small). The stacks' rounds run together: those of one shape are one batch
    on the device, and each host step (the small eigenproblems, the proofs) is one transfer and one
    call for all of them, so that three curves cost a GPU the synchronisations of one.

    >>> import numpy as np
    >>> import array_api_compat.numpy as xp
    >>> Z = np.stack([np.diag(np.sqrt(np.arange(1.0, 61.0))) * s for s in (1.0, 2.0)])
    >>> [(low, high, _)], proofs = top_eigenvalues(xp, [Z])
    >>> low.round(9).tolist(), bool(np.all(high / low - 1 < 1e-9)), dict(proofs)
    ([60.0, 240.0], True, {'gershgorin': 2})
    """
    warms = [None] * len(stacks) if warms is None else warms
    shapes = {}
    for g, Z in enumerate(stacks):
        shapes.setdefault(tuple(Z.shape[1:]), []).append(g)
    decided = Counter()
    batches = [_Batch(xp, [stacks[g] for g in members], decided) for members in shapes.values()]
    sums = iter(_host(xp, [norm for b in batches for norm in b.norms]))  # every batch's at once
    for b, members in zip(batches, shapes.values()):
        b.start(*(next(sums) for _ in b.norms), [warms[g] for g in members], eps)
    for round_ in range(_ROUNDS):
        active = [b for b in batches if b.todo.size]
        if not active:
            break
        Ms = [b.pending(b.M) for b in active]
        found = _rayleigh_ritz(xp, Ms, [b.pending(b.V) for b in active])
        proofs = [b.kato_temple(theta, rho2, ritz, eps) for b, (theta, rho2, ritz, _) in zip(active, found)]
        if round_:  # the Cholesky proof for the others, once θ has had a round to settle
            checks = [
                np.nonzero(~proved & (theta > 0) & (rho2 <= (1e-6 * theta) ** 2))[0]
                for (proved, _), (theta, rho2, _, _) in zip(proofs, found)
            ]
            oks = _cholesky_proves(
                xp,
                [_take(xp, M, check) for M, check in zip(Ms, checks)],
                [theta[check] for check, (theta, *_) in zip(checks, found)],
                eps,
            )
            for b, (proved, bound), check, ok, (theta, *_) in zip(active, proofs, checks, oks, found):
                # + the factorisation's backward error, ≤ 2(d + 1)·u·‖(1 + ε)θI − M‖₂ ≤ 4(d + 1)·u·θ(1 + ε)
                bound[check[ok]] = (1 + eps) * (1 + 4 * (b.d + 1) * b.u) * theta[check[ok]]
                proved[check[ok]] = True
                decided["cholesky"] += int(ok.sum())
        for b, (proved, bound), (theta, _, _, U) in zip(active, proofs, found):
            b.settle(theta, proved, bound, U)
    return [result for b in batches for result in b.results()], decided


class _Batch:
    """The stacks of one shape as one batch (N, d, d) of M = ZᵀZ on the device, with what is proved
    of each matrix so far (host arrays low, high) and the matrices still to prove (``todo``)."""

    def __init__(self, xp, stacks, proofs):
        self.xp, self.sizes, self.proofs = xp, [Z.shape[0] for Z in stacks], proofs
        Z = stacks[0] if len(stacks) == 1 else xp.concat(stacks, axis=0)
        self.d, self.u = Z.shape[-1], roundoff(xp, Z.dtype)
        M = xp.matmul(xp.matrix_transpose(Z), Z)
        self.M = M + xp.matrix_transpose(M)
        self.M *= 0.5  # in place: one pass over the stack less
        # tr M̂ from its diagonal: d terms, each within r·u of Σ_k Z_ki², the sum within d·u
        diagonal = xp.linalg.diagonal(self.M)
        self.norms = (
            xp.sum(diagonal, axis=-1),
            xp.linalg.vector_norm(self.M, axis=(1, 2)),
            xp.max(diagonal, axis=-1),
            xp.max(xp.linalg.vector_norm(self.M, ord=1, axis=2), axis=-1),  # the largest row sum of |M̂|
        )

    def start(self, trace, fro, top_diagonal, row_sum, warms, eps):
        """The bounds from tr M̂, ‖M̂‖_F, its largest diagonal entry and row sum of |M̂| (host arrays),
        the start block from ``warms``. Gershgorin's discs prove what is (nearly) diagonal at once (a
        gating cell's carousel at lag 1, a diagonal cell at every lag): max_i M_ii ≤ λ_1 ≤ max_i Σ_j |M_ij|."""
        xp, N, d = self.xp, self.M.shape[0], self.d
        grow = 1 + (d * d + 4) * self.u  # a sum of d² terms (and a square root, squared)
        self.trace, self.fro2 = trace * grow, fro**2 * grow
        self.slack = d * self.u * self.trace  # forming M rounds it by at most this, in ‖·‖₂
        self.low, self.high = np.zeros(N), np.full(N, np.inf)
        gershgorin = row_sum * (1 + (d + 2) * self.u)  # a sum of d terms ≥ 0
        disc = (top_diagonal > 0) & (gershgorin <= (1 + eps) * top_diagonal)
        self.top = [None] * len(self.sizes)
        if d <= SMALL_BATCHED:  # the eigensolver is as cheap as the iteration
            lam = np.maximum(_host(xp, [xp.linalg.eigvalsh(self.M)[:, -1]])[0], 0.0)
            self.proofs["small"] += N
            self.low, self.high, self.todo = lam, lam + self.slack, np.zeros(0, dtype=int)
            return
        zero = self.trace <= 0  # Z = 0 exactly: λ = 0
        self.high[zero] = 0.0
        self.low[disc], self.high[disc] = top_diagonal[disc], gershgorin[disc]
        self.proofs["gershgorin"] += int(disc.sum())
        self.todo = np.nonzero(~zero & ~disc)[0]
        self.V = _start(xp, self.M, warms, d, self.sizes)

    def pending(self, A):
        """The rows of A (N, …) still to prove."""
        return A if self.todo.size == A.shape[0] else _take(self.xp, A, self.todo)

    def kato_temple(self, theta, rho2, ritz, eps):
        """(proved, bound) by Kato–Temple for the pending matrices, α ≥ λ_2 from the trace or the
        Frobenius norm less the other Ritz values."""
        rest = (1 - RITZ_SLACK) * np.maximum(ritz[:, :-2], 0.0)
        alpha = (
            np.minimum(
                self.trace[self.todo] - theta - rest.sum(axis=1),
                np.sqrt(np.maximum(self.fro2[self.todo] - theta**2 - (rest**2).sum(axis=1), 0.0)),
            )
            + 1e-10 * theta
        )
        gap = theta - alpha
        proved = (theta > 0) & kato_temple(theta, rho2, gap, eps)
        self.proofs["kato_temple"] += int(proved.sum())
        return proved, np.where(proved, theta + rho2 / np.where(gap > 0, gap, 1.0), np.inf)

    def settle(self, theta, proved, bound, U):
        """Record a round: θ as the lower bound, the proved upper bounds, U as the next start."""
        todo = self.todo
        self.low[todo] = np.maximum(theta, self.low[todo])
        self.high[todo] = np.where(proved, np.minimum(self.high[todo], bound), self.high[todo])
        last = np.cumsum(self.sizes) - 1  # each stack's last matrix: its top vectors start the next call
        at = np.searchsorted(todo, last)
        for g, (k, b) in enumerate(zip(at, last)):
            if k < todo.size and todo[k] == b:
                self.top[g] = U[k, ...]
        self.V = _scatter(self.xp, self.V, todo, U)
        self.todo = todo[~proved]

    def results(self):
        """Per stack (low, high, warm); the eigensolver decides what the rounds left."""
        xp, todo = self.xp, self.todo
        if todo.size:
            lam = np.maximum(_host(xp, [xp.linalg.eigvalsh(_take(xp, self.M, todo))[:, -1]])[0], 0.0)
            self.proofs["eigensolver"] += todo.size
            self.low[todo], self.high[todo] = lam, lam + self.d * self.u * lam
        high, ends = self.high + self.slack, np.cumsum(self.sizes)
        return [
            (self.low[end - size : end], high[end - size : end], top)
            for size, end, top in zip(self.sizes, ends, self.top)
        ]


def _device(xp, x):
    return getattr(x, "device", None)


def _take(xp, A, rows):
    return xp.take(A, xp.asarray(rows, device=_device(xp, A)), axis=0)


def _host(xp, arrays):
    """The device arrays as NumPy float64 arrays, in one transfer (one synchronisation on a GPU)."""
    if len(arrays) == 1:
        return [to_numpy(arrays[0]).astype(float)]
    flat = to_numpy(xp.concat([xp.reshape(xp.astype(a, arrays[0].dtype), (-1,)) for a in arrays])).astype(float)
    pieces = np.split(flat, np.cumsum([int(np.prod(a.shape)) for a in arrays])[:-1])
    return [piece.reshape(tuple(a.shape)) for piece, a in zip(pieces, arrays)]


def _device_parts(xp, like, blocks):
    """The host arrays ``blocks`` (same trailing shape) on the device of ``like``: one transfer, then views."""
    whole = xp.asarray(np.concatenate(blocks), dtype=like.dtype, device=_device(xp, like))
    ends = np.cumsum([len(b) for b in blocks])
    return [whole[end - len(b) : end, ...] for b, end in zip(blocks, ends)]


def _start(xp, M, warms, d, sizes):
    """The start block (N, d, p) of the stacks of ``sizes``: each stack's warm vectors (broadcast over
    its matrices), completed by fixed pseudo-random columns."""
    rng = np.random.default_rng(d)
    block = rng.standard_normal((d, _BLOCK))
    starts = []
    for warm in warms:
        start = block.copy()
        if warm is not None:
            w = to_numpy(warm)
            if w.shape[0] == d and np.isfinite(w).all():
                start[:, -w.shape[1] :] = w[:, -_BLOCK:]
        starts.append(xp.asarray(start, dtype=M.dtype, device=_device(xp, M)))
    if len(starts) == 1:
        return xp.broadcast_to(starts[0], (sizes[0], d, _BLOCK))
    return xp.concat([xp.broadcast_to(V, (size, d, _BLOCK)) for V, size in zip(starts, sizes)], axis=0)


def _scatter(xp, V, todo, U):
    """V with the rows ``todo`` replaced by U (a new array; no item assignment)."""
    if todo.size == V.shape[0]:
        return U
    parts = list(xp.unstack(V, axis=0)) if hasattr(xp, "unstack") else [V[b, ...] for b in range(V.shape[0])]
    for k, b in enumerate(todo.tolist()):
        parts[b] = U[k, ...]
    return xp.stack(parts, axis=0)


def _orthonormal(xp, Ws, bases=None):
    """An orthonormal basis of each W_b of each stack W (B, d, p) of ``Ws``, orthogonal to the
    stack's ``bases`` (B, d, k) if given; the columns of W's numerically null part (below 1e-8 of its
    largest column after the projection, i.e. Krylov directions already in the basis) are zero.
    Products only (a GPU runs them batched, where a batched Householder QR may loop over the
    matrices): block Gram–Schmidt twice, then the whitening W F, F = V Λ^{−1/2} from WᵀW = V Λ Vᵀ
    (p×p, on the host, all stacks in one transfer and one call), then both once more, since
    whitening amplifies what is left of the basis in W."""
    scales = [xp.max(xp.sum(W * W, axis=1), axis=1) for W in Ws]
    for first in (True, False):  # 1e-16: directions below 1e-8 of W; then 0.25: unit columns or zero
        if bases is not None:
            for _ in range(2):
                Ws = [W - xp.matmul(Q, xp.matmul(xp.matrix_transpose(Q), W)) for W, Q in zip(Ws, bases)]
        host = _host(xp, [xp.matmul(xp.matrix_transpose(W), W) for W in Ws] + (scales if first else []))
        G = np.concatenate(host[: len(Ws)])
        lam, V = np.linalg.eigh(0.5 * (G + np.swapaxes(G, 1, 2)))
        floor = 1e-16 * np.concatenate(host[len(Ws) :])[:, None] if first else 0.25
        keep = lam > floor
        F = V * np.where(keep, 1 / np.sqrt(np.where(keep, lam, 1.0)), 0.0)[:, None, :]
        whiten = _device_parts(xp, Ws[0], np.split(F, np.cumsum([W.shape[0] for W in Ws])[:-1]))
        Ws = [xp.matmul(W, Fk) for W, Fk in zip(Ws, whiten)]
    return Ws


def _rayleigh_ritz(xp, Ms, Vs):
    """Per stack M (B, d, d) of ``Ms`` with start V: (θ, ρ², Ritz values (B, qp) ascending, top block
    U (B, d, p)) of M on the block Krylov space of V; the host steps of all stacks together."""
    blocks = [[Q] for Q in _orthonormal(xp, Vs)]
    products = [[] for _ in Ms]
    for k in range(_DEPTH):
        MQs = [xp.matmul(M, chain[-1]) for M, chain in zip(Ms, blocks)]
        for made, MQ in zip(products, MQs):
            made.append(MQ)
        if k == _DEPTH - 1:
            break
        news = _orthonormal(xp, MQs, [xp.concat(chain, axis=2) for chain in blocks])
        for chain, W in zip(blocks, news):
            chain.append(W)
    bases = [xp.concat(chain, axis=2) for chain in blocks]
    products = [xp.concat(made, axis=2) for made in products]
    H = np.concatenate(_host(xp, [xp.matmul(xp.matrix_transpose(Q), P) for Q, P in zip(bases, products)]))
    ritz, S = np.linalg.eigh(0.5 * (H + np.swapaxes(H, 1, 2)))
    cuts = np.cumsum([M.shape[0] for M in Ms])[:-1]
    S_tops = _device_parts(xp, Ms[0], np.split(np.ascontiguousarray(S[:, :, -_BLOCK:]), cuts))
    Us, quotients = [], []
    for Q, P, S_top in zip(bases, products, S_tops):
        U, MU = xp.matmul(Q, S_top), xp.matmul(P, S_top)
        u, Mu = U[:, :, -1], MU[:, :, -1]
        nu = xp.sum(u * u, axis=1)
        theta = xp.sum(u * Mu, axis=1) / nu  # a true Rayleigh quotient: ≤ λ_1
        quotients += [theta, xp.sum((Mu - theta[:, None] * u) ** 2, axis=1) / nu]
        Us.append(U)
    host = _host(xp, quotients)
    return list(zip(host[0::2], host[1::2], np.split(ritz, cuts), Us))


def _cholesky_proves(xp, Ms, thetas, eps):
    """Per matrix of each stack M of ``Ms``, whether (1 + eps)·θ·I − M is positive definite (its
    Cholesky factorisation succeeds); the stacks' verdicts in one transfer."""
    out = [np.zeros(M.shape[0], dtype=bool) for M in Ms]
    work = [k for k, M in enumerate(Ms) if M.shape[0]]
    if not work:
        return out
    As = []
    for k in work:
        M, d = Ms[k], Ms[k].shape[-1]
        shift = xp.asarray((1 + eps) * thetas[k], dtype=M.dtype, device=_device(xp, M))
        As.append(shift[:, None, None] * xp.eye(d, dtype=M.dtype, device=_device(xp, M)) - M)
    torch = _torch_of(As[0])
    if torch is not None:  # one call per stack, a status per matrix
        for k, info in zip(work, _host(xp, [torch.linalg.cholesky_ex(A)[1] for A in As])):
            out[k] = info == 0
        return out
    for k, A in zip(work, As):
        ok = []
        for b in range(A.shape[0]):
            try:
                ok.append(bool(np.isfinite(to_numpy(xp.linalg.cholesky(A[b, ...]))).all()))
            except Exception:  # noqa: BLE001 (each library raises its own LinAlgError)
                ok.append(False)
        out[k] = np.array(ok, dtype=bool)
    return out


def _torch_of(x):
    if type(x).__module__.split(".")[0] != "torch":
        return None
    import torch  # noqa: PLC0415

    return torch
