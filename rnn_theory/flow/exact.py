"""ln ‖P_{T,τ}‖₂ at every lag by a streamed, truncated, factored product in the log domain.

Transposed, the product over lags is a forward product: P_{T,τ}ᵀ = J_{T−τ+1}ᵀ P_{T,τ−1}ᵀ, applied to
a basis without forming J (``_batched``). Two phases:

1. Short lags (the rank is near d): dense, Z = P_{T,τ}ᵀ/e^{ℓ_τ}, ‖P‖² = λ_max(ZᵀZ)·e^{2ℓ}. It ends
   once half of ZᵀZ's spectrum is below its resolution (σ_i < 1e-8·σ_1): Z = Q R (Householder),
   K = R, dropping rows below that phase's own rounding level d·2⁻⁵³·‖P‖₂.
2. Factored: P_{T,τ}ᵀ = e^{ℓ_τ}·X_τ K_τ with X_τ (d, r) and K_τ (r, d); only H = K Kᵀ (r, r) is
   stored (and its parts K[:, h]K[:, h]ᵀ, K[:, c]K[:, c]ᵀ for the blocks of the LSTM family). Each
   lag X ← J_{T−τ+1}ᵀ X, and with L Lᵀ = XᵀX (Cholesky), ‖P‖² = e^{2ℓ}·λ_max(Lᵀ H L). Every
   ``_REORTH_EVERY`` lags, or sooner if X becomes ill-conditioned, the basis is re-orthonormalised
   as in Benettin's QR method (1980): X = Q R, X ← Q, H ← R H Rᵀ.

R is upper triangular, so row i of K only ever mixes rows j ≥ i: each row keeps its own relative
accuracy however far the rows' scales spread (the small directions are not rounding noise of the
large ones). After a re-orthonormalisation, trailing rows of K whose Frobenius norm is
≤ ``rtol``·‖K‖₂ are dropped; that changes P by exactly that norm. The default rtol = d·2⁻⁵² is the
rounding bound of one step of a dense product (d·2⁻⁵²·‖P‖, also where the dense phase hands over),
so truncating costs no more accuracy than streaming densely would; measured (tanh RNN, GRU, LSTM,
peephole; n = 64–256, T = 1000) the check below bounds its error by ≤ 1.2e-11 (1e-18: ≤ 5e-13, for 15–20%
more time). Products of Jacobians are numerically low-rank, so r falls from d to a few dozen and a
lag costs O(r·d²). Every λ_max is certified (``_topeig``): |error| ≤ 5e-11 in ln.

Checked as it runs: k Gaussian columns Y are streamed exactly (never truncated) beside X, and
‖E‖₂ ≤ 10·√(2/π)·maxᵢ ‖E yᵢ‖ with probability ≥ 1 − 10^{−k} (Halko, Martinsson & Tropp 2011,
lemma 4.1) bounds the error E of the truncated product, relative to ‖P‖₂, at every lag. As soon as
that bound exceeds ``check_tol`` the curve is recomputed without truncation (graded factored form
from lag 1, no dense phase).
"""

import numpy as np

from ._batched import block_curves, chunked_jacobians
from ._topeig import top_eig

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)  # HMT lemma 4.1 with failure probability 10^(−k)
# Below ~1e-16 of λ_max the Gram matrix's eigenvalues are rounding: it resolves σ_i ≥ 1e-8·σ_1.
_GRAM_RESOLUTION = 1e-16
# The basis X of the factored form is re-orthonormalised every few lags, or sooner if the diagonal
# of XᵀX's Cholesky factor L spreads by _MAX_COND: λ_max(Lᵀ H L) is accurate to ~u·cond(X)².
_REORTH_EVERY, _MAX_COND = 8, 100.0


def exact_curves(cell, xs, states, *, rtol=None, checks=3, check_tol=1e-9, seed=0):
    """Curves for every lag: dict of log_norm, log_norm_h (, log_norm_c, log_norm_direct), error_bound, rank.

    ``cell``: a cell, or a system with its own step operators and blocks (a stack, ``flow.stack``:
    then one curve per block it names, ``_batched.block_curves``)."""
    if rtol is None:
        rtol = cell.state_size * np.finfo(float).eps
    curves = _stream(cell, xs, states, rtol, checks, seed, check_tol)
    return curves if curves is not None else _stream(cell, xs, states, 0.0, checks, seed, np.inf)


def _stream(cell, xs, states, rtol, checks, seed, check_tol):
    """The curves, or None as soon as the truncation check exceeds ``check_tol``."""
    T, d, n = len(xs), cell.state_size, cell.hidden_size
    # One row block per state part; the norms of the blocks (name, a, b) that ``block_curves``
    # names are reported (a cell's (h, h) and (c, c)), the other parts (the sLSTM's n, m) only
    # complete the partition of the Gram matrix.
    blocks = len(cell.state_parts) > 1
    rows = cell.part_slices() if blocks else (slice(0, d),)
    curves = block_curves(cell)
    names = tuple(name for name, _, _ in curves)
    out = {name: np.full(T, -np.inf) for name in ("log_norm", "log_norm_h", "log_norm_c", "log_norm_direct", *names)}
    out["error_bound"], out["rank"] = np.zeros(T), np.full(T, d)
    Y = np.random.default_rng(seed).standard_normal((d, checks))
    # Short lags: a dense phase, Z = Pᵀ/e^ℓ (the rank is near d there). Without truncation
    # (rtol = 0, the fallback) the graded factored form is used from the start.
    log_scale, dense = 0.0, rtol > 0
    Z, KY, parts, R0 = (np.eye(d), None, None, None) if dense else _factor(np.eye(d), Y, rows, 0.0)
    # Warm starts for λ_max. Dense phase: top eigenvectors on the s_T side. Factored phase: the
    # same vector v in K's coordinates, k = K·v (K changes only at a re-orthonormalisation, k ← R k);
    # the start of an r×r problem Lᵀ H L is then Lᵀ k, nearly converged once v has settled.
    warm, since = {}, 0  # lags since the last QR
    log_direct = np.zeros(n)
    with np.errstate(divide="ignore"):
        for i, (_, Js, j) in enumerate(chunked_jacobians(cell, xs, states, reverse=True)):
            if "c" in cell.state_parts:
                log_direct += np.log(np.abs(Js.carousel(j)))
                out["log_norm_direct"][i] = log_direct.max()
            if log_scale == -np.inf:  # P was exactly 0 at a shorter lag, so it is 0 here too
                continue
            Z = Js.apply_t(Z, j)
            r = d if dense else KY.shape[0]
            G, Gb, log_scale = _gram(Z, r, log_scale, i, rows if blocks and not dense else None)
            if dense:  # G = P Pᵀ/e^{2ℓ}: its top eigenvector, on the s_T side, settles with τ
                lam, warm["P"] = top_eig(G, warm.get("P"))
            else:
                L = _gram_factor(G)
                since += 1
                diag = None if L is None else np.diagonal(L)  # > 0: a proxy for cond(X)
                reorth = diag is None or since >= _REORTH_EVERY or diag.max() >= _MAX_COND * diag.min()
                if reorth:  # Z[:, :r] = Q R: move R into K (H ← R H Rᵀ); Q is the new basis
                    Q, R = _orthonormalise(Z[:, :r])
                    parts = [R @ Hp @ R.T for Hp in parts]
                    Z[:, :r], KY, since = Q, R @ KY, 0
                    warm = {key: None if k is None else R @ k for key, k in warm.items()}
                    lam, u = top_eig(sum(parts), warm.get("K"))
                    warm["K"] = u
                else:  # ‖X K‖² = λ_max(Lᵀ H L) with L Lᵀ = XᵀX: no new basis needed yet
                    H = sum(parts)
                    k = warm.get("K")
                    lam, u = top_eig(H, None if k is None else L.T @ k, F=L, Gram=G)
                    warm["K"] = None if u is None else H @ (L @ u)  # Lᵀ H L u = λu: K v ∝ L⁻ᵀu = H L u/λ
            if lam <= 0:
                log_scale = -np.inf
                continue
            log_scale += 0.5 * np.log(lam)
            out["log_norm"][i] = log_scale
            if dense:
                Z /= np.sqrt(lam)
                for name, a, b in curves:  # P = Zᵀ, so block (a, b) of P is Z[b, a]ᵀ
                    Zba = Z[rows[b], rows[a]]
                    lam_a, warm[name] = top_eig(Zba.T @ Zba, warm.get(name))
                    out[name][i] = log_scale + 0.5 * np.log(lam_a)
                # Now and then (an eigensolve), the spectrum decides whether the factored form is cheaper.
                if (
                    i % (1 if d <= 64 else 16) == 0
                    and np.count_nonzero(np.linalg.eigvalsh(G) > _GRAM_RESOLUTION * lam) <= d // 2
                ):
                    Z, KY, parts, R0 = _factor(Z, Y, rows, rtol)
                    dense = False
                    # v on the s_T side (columns of K = R0) becomes k = K v
                    warm = {
                        "K": _mapped(R0, warm.get("P")),
                        **{name: _mapped(R0[:, rows[a]], warm.get(name)) for name, a, _ in curves},
                    }
                continue
            parts = [Hp / lam for Hp in parts]
            Z[:, r:], KY = Z[:, r:] / np.sqrt(lam), KY / np.sqrt(lam)
            keep = _truncate(parts, rtol) if reorth else r  # row norms of K need an orthonormal basis
            if keep < r:
                Z, KY, parts = np.hstack([Z[:, :keep], Z[:, r:]]), KY[:keep], [Hp[:keep, :keep] for Hp in parts]
                # Warm starts lose the dropped coordinates (any start is safe).
                warm = {key: v[:keep] if v is not None and len(v) == r else v for key, v in warm.items()}
                r = keep
            out["rank"][i] = r
            out["error_bound"][i] = _ALPHA * np.linalg.norm(Z[:, r:] - Z[:, :r] @ KY, axis=0).max(initial=0.0)
            if out["error_bound"][i] > check_tol:
                return None
            fresh = Gb is not None and not reorth and keep == Gb[0].shape[0]
            for name, a, b in curves:  # block (a, b) of P: (Xᵀ[b] K_a)ᵀ, with H_a = K_a K_aᵀ
                lam_b, warm[name] = _block_lambda(Z[rows[b], :r], parts[a], warm.get(name), Gb[b] if fresh else None)
                out[name][i] = log_scale + 0.5 * np.log(lam_b)
    if not blocks:
        out["log_norm_h"], out["log_norm_c"], out["log_norm_direct"] = out["log_norm"], None, None
    if "c" not in cell.state_parts:
        out["log_norm_c"] = out["log_norm_direct"] = None
    if "log_norm_h" not in names and blocks:  # a system whose blocks are its own (a stack's)
        out["log_norm_h"] = None
    return out


def _mapped(K, v):
    """k = K v: a warm start v on the s_T side in the coordinates of K (None stays None)."""
    return None if v is None else K @ v


def _factor(X, Y, rows, rtol):
    """Leave the dense phase: X = Pᵀ/e^ℓ = Q R (Householder), K = R. Rows of R below the dense
    phase's own rounding level (d·2⁻⁵³·‖P‖₂) carry no information and are dropped with the rest."""
    Q, R = np.linalg.qr(X)
    parts = [R[:, a] @ R[:, a].T for a in rows]
    r = _truncate(parts, max(rtol, X.shape[0] * np.finfo(float).eps) if rtol > 0 else 0.0)
    KY = R[:r] @ Y
    return np.hstack([Q[:, :r], X @ Y]), KY, [Hp[:r, :r] for Hp in parts], R[:r]


def _gram(Z, r, log_scale, i, rows=None):
    """(XᵀX for X = Z[:, :r], its parts X[b]ᵀX[b] over ``rows`` (or None), log scale): Z is
    rescaled (in place, into the log scale) only when its Gram matrix would leave float64's
    comfortable range (huge or tiny Jacobians)."""
    G, Gb = _gram_parts(Z[:, :r], rows)
    if 1e-200 < np.trace(G) < 1e200:
        return G, Gb, log_scale
    peak = np.abs(Z).max()
    if not np.isfinite(peak):
        raise ValueError(f"gradient_norms: a step Jacobian overflows float64 at lag {i + 1}")
    if peak == 0:
        return G, Gb, log_scale
    Z /= peak
    return (*_gram_parts(Z[:, :r], rows), log_scale + np.log(peak))


def _gram_parts(X, rows):
    if rows is None:
        return X.T @ X, None
    Gb = [X[b].T @ X[b] for b in rows]  # the blocks' Gram matrices, reused for their norms
    return sum(Gb), Gb


def _gram_factor(G):
    """L with L Lᵀ = G (lower triangular), or None if G is not numerically positive definite."""
    try:
        return np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        return None


def _orthonormalise(X):
    """X = Q R with R upper triangular: Cholesky of XᵀX (GEMM speed), Householder QR if XᵀX is
    not numerically positive definite (a singular J_t, e.g. dead relu units)."""
    try:
        R = np.linalg.cholesky(X.T @ X).T
        Q = X @ np.linalg.inv(R)
        if np.isfinite(Q).all():
            return Q, R
    except np.linalg.LinAlgError:
        pass
    return np.linalg.qr(X)


def _truncate(parts, rtol):
    """The rank kept: drop the longest tail of rows of K with ‖K[j:]‖_F ≤ rtol·‖K‖₂ (= rtol here)."""
    rows2 = sum(np.diagonal(Hp) for Hp in parts)
    tail = np.sqrt(np.maximum(np.cumsum(rows2[::-1])[::-1], 0.0))
    big = np.nonzero(tail > rtol)[0]
    return int(big[-1]) + 1 if big.size else 1


def _block_lambda(Q_b, H_a, k=None, G_b=None):
    """λ_max of (Q_b K_a)(Q_b K_a)ᵀ = ‖block of P‖² in units of e^{2ℓ}: Q_b = Q[rows b], H_a = K_a K_aᵀ.

    With C Cᵀ = Q_bᵀ Q_b (= G_b if given; Cholesky, r ≤ |b|) it is λ_max(Cᵀ H_a C), an r×r problem;
    otherwise λ_max(Q_b H_a Q_bᵀ), |b|×|b|. k: the block's top vector v_a in K's coordinates,
    K_a v_a (warm start). Returns (λ, new k).
    """
    r, n = Q_b.shape[1], Q_b.shape[0]
    if r <= n:
        try:
            Gram = Q_b.T @ Q_b if G_b is None else G_b
            C = np.linalg.cholesky(Gram)
            lam, u = top_eig(H_a, None if k is None or len(k) != r else C.T @ k, F=C, Gram=Gram)
            return lam, None if u is None else H_a @ (C @ u)  # Cᵀ H_a C u = λu: K_a v_a ∝ C⁻ᵀu = H_a C u/λ
        except np.linalg.LinAlgError:
            pass
    lam, u = top_eig(Q_b @ H_a @ Q_b.T, None if k is None or len(k) != r else Q_b @ k)
    return lam, None if u is None else H_a @ (Q_b.T @ u)  # u ∝ Q_b K_a v_a, so K_a v_a ∝ H_a Q_bᵀ u
