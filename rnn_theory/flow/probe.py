"""ln ‖P_{T,τ}‖₂ at every lag from k probe vectors: O(T·k·d²), with a two-sided error bound.

Draw Y (d, k) Gaussian, Y = Q_Y R_Y (QR), and stream W_τ = P_{T,τ}ᵀ Q_Y = J_{T−τ+1}ᵀ W_{τ−1} in the
log domain (one renormalisation per lag). Then, for every lag,

    ‖W_τ‖₂ ≤ ‖P_{T,τ}‖₂                          (always: Q_Y has orthonormal columns)
    ‖P_{T,τ}‖₂ ≤ 10·√(2/π)·maxᵢ ‖P_{T,τ}ᵀ yᵢ‖    (probability ≥ 1 − 10^{−k}; Halko,
                                                 Martinsson & Tropp 2011, lemma 4.1)

with P_{T,τ}ᵀ yᵢ = W_τ R_Y[:, i]. ``log_norm`` is the lower bound ln ‖W_τ‖₂ and ``error_bound``
the gap to the upper one, so truth ∈ [log_norm, log_norm + error_bound] (gap typically 3–4).
Both come from the k×k Gram matrix G = W_τᵀW_τ alone, many lags at a time: ‖W_τ‖₂² = λ_max(G)
(proved to 1e-13 relative from below, see ``_topeig.top_eigenvalues``, so the lower bound stays one) and
‖W_τ R_Y e_i‖² = (R_Yᵀ G R_Y)_ii.
The lower bound misses ln‖P‖ by about −ln ‖Q_Yᵀ u_1‖ (u_1 the top left singular vector, on the
s_T side), of order ½·ln(d/k): measured 0.4–1.9 for d = 64 and k = 4..16. Since u_1 settles as τ
grows, that miss becomes a constant offset: the curve's slope, the per-step rate, stays accurate
(tested: the miss varies by < 0.15 over lags 200–500).

For the LSTM family the probes are split by part: Q_Y,h (on h_T) and Q_Y,c (on c_T) are streamed
separately, so the h rows of P_{T,τ}ᵀ[Q_Y,h; 0] probe the h-block, the c rows of P_{T,τ}ᵀ[0; Q_Y,c]
the c-block, and all 2k columns together the full product, with Y = [Y_h; Y_c] for the upper bound.
"""

import math

import numpy as np

from ._batched import chunked_jacobians
from ._topeig import top_eigenvalues

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)
_FLUSH = 128  # lags whose statistics are computed together (memory 128·d·k floats per state part)
_TINY = np.finfo(float).tiny


def probe_curves(cell, xs, states, *, k=8, seed=0):
    """Curves for every lag: dict of log_norm, log_norm_h (, log_norm_c), error_bound."""
    T, d, n = len(xs), cell.state_size, cell.hidden_size
    parts = len(cell.state_parts)
    c_part = cell.state_parts.index("c") if "c" in cell.state_parts else None  # the carousel's part
    rng = np.random.default_rng(seed)
    # One orthonormal probe block per state part, placed on that part's rows.
    QY, RY = [], []
    for _ in range(parts):
        q, r = np.linalg.qr(rng.standard_normal((n, k)))
        QY.append(q)
        RY.append(r)
    kq = QY[0].shape[1]  # min(k, n): with k ≥ n the probes span everything and the estimate is exact
    W = np.zeros((d, parts * kq))
    for a in range(parts):
        W[a * n:(a + 1) * n, a * kq:(a + 1) * kq] = QY[a]
    R_full = np.vstack(RY)
    names = ("log_norm", "log_norm_h", "error_bound") + (("log_norm_c", "log_norm_direct") if c_part is not None else ())
    out = {name: np.empty(T) for name in names}
    log_direct = np.zeros(n)
    # W_τ/e^{logs[l]} for the lags not yet flushed, written in place: W is always a row of Ws.
    Ws, logs = np.empty((_FLUSH, d, parts * kq)), np.empty(_FLUSH)
    log_scale, done, chunk = 0.0, 0, None
    # A sum of squares overflowing in _scale is its signal to fall back to max |W_ij|.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i, (_, Js, j) in enumerate(chunked_jacobians(cell, xs, states, reverse=True)):
            if c_part is not None and Js is not chunk:  # the direct path needs no probes: a whole chunk at once
                chunk, log_direct = Js, _direct_path(Js, log_direct, out["log_norm_direct"], i)
            l = i - done
            W = Js.apply_t(W, j)
            scale = _scale(W)
            if scale > 0:
                np.multiply(W, 1.0 / scale, out=Ws[l])
                log_scale += math.log(scale)
            else:  # P = 0 from this lag on
                Ws[l] = W
                log_scale = -math.inf
            W, logs[l] = Ws[l], log_scale
            if l == _FLUSH - 1 or i == T - 1:  # per-lag statistics, many lags per call
                _statistics(out, slice(done, i + 1), Ws[:l + 1], logs[:l + 1], R_full, n, kq, parts, c_part)
                done = i + 1
    if parts == 1:
        out["log_norm_h"] = out["log_norm"]
    return out


def _direct_path(Js, log_direct, curve, i):
    """curve[i:] = ln‖∏ diag(∂c'/∂c)‖₂ for the lags of a chunk (its steps last to first) from the
    running sums of ln|∂c'/∂c| before it, added in the same order as one lag at a time; returns
    the sums after it."""
    logs = np.log(np.abs([Js.carousel(j) for j in range(Js.steps - 1, -1, -1)]))
    sums = np.cumsum(np.vstack([log_direct, logs]), axis=0)[1:]
    curve[i:i + Js.steps] = sums.max(axis=1)
    return sums[-1]


def _scale(W):
    """A scale s > 0 for W ≠ 0 such that W/s neither overflows nor underflows (and its Gram matrix
    neither): ‖W‖_F from one dot product, or max |W_ij| where the sum of squares would leave
    float64's normal range (entries beyond ~1e±154). 0 for W = 0."""
    w = W.reshape(-1)
    squares = float(w @ w)
    if _TINY <= squares < math.inf:
        return math.sqrt(squares)
    return float(np.abs(w).max())


def _statistics(out, lags, Ws, log_scale, R_full, n, kq, parts, c_part):
    """Lower estimate and bound for the lags ``lags`` from their probe images Ws (c, d, parts·kq).

    All from Gram matrices (k×k per part): the columns of W are Pᵀ applied to the orthonormal
    blockdiag(Q_Y,h, Q_Y,c), so ‖W‖₂ = √λ_max(WᵀW) is a lower bound. The Gaussian
    y_i = [Y_h e_i; Y_c e_i] give Pᵀ y_i = W·R_full[:, i], whose squared norms are the diagonal
    of R_fullᵀ (WᵀW) R_full: the upper bound.
    """
    c, width = len(Ws), parts * kq
    V = Ws.reshape(c * parts, n, width)  # each part's rows: WᵀW = W_hᵀW_h + W_cᵀW_c
    G_rows = (np.swapaxes(V, 1, 2) @ V).reshape(c, parts, width, width)
    G = G_rows.sum(axis=1)
    lower = np.sqrt(top_eigenvalues(G))
    upper = _ALPHA * np.sqrt(np.maximum(((G @ R_full) * R_full).sum(axis=1).max(axis=1), 0.0))
    out["log_norm"][lags] = log_scale + np.log(lower)
    out["error_bound"][lags] = np.where(lower > 0, np.log(upper) - np.log(lower), 0.0)
    if parts > 1:  # block (a, a) of P: part a's rows of the probes on part a, a corner of G_rows[a]
        corners = np.stack([G_rows[:, a, a * kq:(a + 1) * kq, a * kq:(a + 1) * kq] for a in range(parts)], axis=1)
        logs = 0.5 * np.log(top_eigenvalues(corners.reshape(-1, kq, kq))).reshape(c, parts)
        out["log_norm_h"][lags] = log_scale + logs[:, 0]
        if c_part is not None:
            out["log_norm_c"][lags] = log_scale + logs[:, c_part]

