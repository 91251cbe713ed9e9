"""ln ‖P_{T,τ}‖₂ at every lag by a streamed, truncated, QR-factored product (log domain).

Transposed, the product over lags is a forward product: P_{T,τ}ᵀ = J_{T−τ+1}ᵀ P_{T,τ−1}ᵀ. It is kept
as P_{T,τ}ᵀ = e^{ℓ_τ}·Q_τ K_τ with Q_τ (d, r) orthonormal and K_τ (r, d), so ‖P_{T,τ}‖₂ = e^{ℓ_τ}‖K_τ‖₂.
One lag costs one QR (Benettin 1980):

    Q_τ R_τ = J_{T−τ+1}ᵀ Q_{τ−1},     K_τ = R_τ K_{τ−1} / σ_1,     ℓ_τ = ℓ_{τ−1} + ln σ_1.

R_τ is upper triangular, so row i of K only mixes rows j ≥ i: each row keeps its own relative
accuracy however far the rows' scales spread (the small directions are not rounding noise of the
large ones). Trailing rows of K whose Frobenius norm is ≤ ``rtol``·‖K‖₂ are dropped; that changes
P by exactly that norm, far below the rounding of one dense product step (≈ d·2⁻⁵³·‖P‖). Products of
Jacobians are numerically low-rank, so r falls from d to a few dozen and a lag costs O(r·d²).

Checked as it runs: k Gaussian columns Y are streamed exactly (no truncation) beside Q, and
‖E‖₂ ≤ 10·√(2/π)·maxᵢ ‖E yᵢ‖ with probability ≥ 1 − 10^{−k} (Halko, Martinsson & Tropp 2011,
lemma 4.1) bounds the error E of the truncated product. If the bound ever exceeds ``check_tol``
the whole curve is recomputed without truncation.
"""

import numpy as np

from ._batched import chunked_jacobians

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)  # HMT lemma 4.1 with failure probability 10^(−k)


def exact_curves(cell, xs, states, *, rtol=1e-18, checks=3, check_tol=1e-9, seed=0):
    """Curves for every lag: dict of log_norm, log_norm_h (, log_norm_c, log_norm_direct), error_bound, rank."""
    curves = _stream(cell, xs, states, rtol, checks, seed)
    if rtol > 0 and np.nanmax(curves["error_bound"], initial=0.0) > check_tol:
        curves = _stream(cell, xs, states, 0.0, checks, seed)
    return curves


def _stream(cell, xs, states, rtol, checks, seed):
    T, d, n = len(xs), cell.state_size, cell.hidden_size
    blocks = len(cell.state_parts) == 2
    out = {name: np.empty(T) for name in ("log_norm", "log_norm_h", "error_bound")}
    out["rank"] = np.empty(T, dtype=np.int64)
    if blocks:
        out["log_norm_c"], out["log_norm_direct"] = np.empty(T), np.empty(T)
        log_direct = np.zeros(n)
    Y = np.random.default_rng(seed).standard_normal((d, checks))
    Q, K, KY, V = np.eye(d), np.eye(d), Y.copy(), Y.copy()  # P_{T,0} = I
    log_scale = 0.0
    with np.errstate(divide="ignore"):
        for i, (_, J) in enumerate(chunked_jacobians(cell, xs, states, reverse=True)):
            if blocks:
                log_direct += np.log(np.abs(np.diagonal(J[n:, n:])))
                out["log_norm_direct"][i] = log_direct.max()
            if log_scale == -np.inf:  # P was exactly 0 at a shorter lag, so it is 0 here too
                out["log_norm"][i] = out["log_norm_h"][i] = -np.inf
                out["rank"][i], out["error_bound"][i] = 0, 0.0
                if blocks:
                    out["log_norm_c"][i] = -np.inf
                continue
            r = Q.shape[1]
            X = J.T @ np.hstack([Q, V])
            Q, R = np.linalg.qr(X[:, :r])
            K, KY, V = R @ K, R @ KY, X[:, r:]
            sigma = np.sqrt(max(np.linalg.eigvalsh(K @ K.T)[-1], 0.0))
            log_scale += np.log(sigma)
            if sigma > 0:
                K, KY, V = K / sigma, KY / sigma, V / sigma
            keep = _kept_rank(K, rtol)
            Q, K, KY = Q[:, :keep], K[:keep], KY[:keep]
            out["log_norm"][i], out["rank"][i] = log_scale, keep
            out["error_bound"][i] = _ALPHA * np.linalg.norm(V - Q @ KY, axis=0).max(initial=0.0)
            if blocks:
                h_norm, c_norm = _block_norms(Q, K, n)
                out["log_norm_h"][i], out["log_norm_c"][i] = log_scale + np.log(h_norm), log_scale + np.log(c_norm)
    if not blocks:
        out["log_norm_h"] = out["log_norm"]
    return out


def _kept_rank(K, rtol):
    """Rows kept: drop the longest tail of rows with ‖K[j:]‖_F ≤ rtol (‖K‖₂ = 1 here); keep ≥ 1."""
    tail = np.sqrt(np.cumsum(np.einsum("ij,ij->i", K, K)[::-1])[::-1])
    small = np.nonzero(tail > rtol)[0]
    return max(1, small[-1] + 1) if small.size else 1


def _block_norms(Q, K, n):
    """‖∂h_T/∂h_{T−τ}‖₂ and ‖∂c_T/∂c_{T−τ}‖₂ relative to ‖K‖₂, from P = Kᵀ Qᵀ.

    Block (a, b) of P is K[:, a]ᵀ Q[b]ᵀ; its squared norm is λ_max(C_bᵀ K_a K_aᵀ C_b) with
    C_b C_bᵀ = Q[b]ᵀ Q[b]. Since Q is orthonormal, Q[c]ᵀQ[c] = I − Q[h]ᵀQ[h]: one eigh serves both.
    """
    w, E = np.linalg.eigh(Q[:n].T @ Q[:n])
    w = np.clip(w, 0.0, 1.0)
    norms = []
    for sqrt_w, cols in ((np.sqrt(w), slice(0, n)), (np.sqrt(1.0 - w), slice(n, None))):
        C = E * sqrt_w
        Ka = C.T @ K[:, cols]
        norms.append(np.sqrt(max(np.linalg.eigvalsh(Ka @ Ka.T)[-1], 0.0)))
    return norms
