"""ln ‖P_{T,τ}‖₂ at every lag from a few probe vectors: O(T·k·d²), with a two-sided error bound.

Stream W_τ = P_{T,τ}ᵀ Q = J_{T−τ+1}ᵀ W_{τ−1} for a Q (d, k) with orthonormal columns, in the log
domain (one renormalisation per lag). Then, for every lag,

    ‖W_τ‖₂ ≤ ‖P_{T,τ}‖₂                          (always, for any orthonormal Q)
    ‖P_{T,τ}‖₂ ≤ 10·√(2/π)·maxᵢ ‖P_{T,τ}ᵀ yᵢ‖    (probability ≥ 1 − 10^{−checks}; Halko,
                                                 Martinsson & Tropp 2011, lemma 4.1)

for Gaussian yᵢ drawn independently of P, taken inside the span of Q: Y = Q R_Y, so
P_{T,τ}ᵀ yᵢ = W_τ R_Y[:, i]. ``log_norm`` is the lower bound ln ‖W_τ‖₂ and ``error_bound`` the gap
to the upper one, so truth ∈ [log_norm, log_norm + error_bound] (gap typically 3–4). Both come from
the Gram matrix G = W_τᵀW_τ alone, many lags at a time: ‖W_τ‖₂² = λ_max(G) (proved to 1e-13
relative from below, see ``_topeig.top_eigenvalues``, so the lower bound stays one) and
‖W_τ R_Y e_i‖² = (R_Yᵀ G R_Y)_ii.

The lower bound misses ln‖P‖ by about −ln ‖Qᵀu_1‖, u_1 the top left singular vector of P_{T,τ} (on
the s_T side). Random probes meet it only at ~√(k/d): a miss of ½·ln(d/k), 0.4–1.75 nats. So Q is
started where u_1 lies (``probe_start``): all P_{T,τ} share their left factors at the T end, and
their u_1 settle as τ grows to the direction that vectors carried forward to T align with
(Benettin's iteration). Q spans k − checks such vectors, carried over the last 384 steps, plus the
checks yᵢ. For short lags, where u_1 has not settled, a second set of 3k vectors, the top left
singular vectors of the product of the last 16 steps (subspace iteration, two passes), is streamed
for lags ≤ 128 on all of s_T (not split by part), and each lag keeps the larger of the two lower
bounds of ‖P‖ (the blocks' curves are the long probes' alone). Measured miss (exact − probe,
every lag ≥ 10; ``tests/test_flow_probe_level.py``): ≤ 0.03 nats on random tanh RNN (n = 256), LSTM
and GRU (n = 128), gains 0.8–2, m = 8 and 32, T = 1000; ≤ 0.006 on the shipped trained checkpoints
(T = 300) except three: the forget-gate-free LSTM's (∂c'/∂c = I: a flat top spectrum whose u_1
settles slowly), 0.098 and 0.26, and the IndRNN's at lag 10, 1.69 (a diagonal J whose relu units
switch off along the run: the coordinate that survives to long lags is not among the start's top
directions). Random LSTM n = 512: 0.07 at lags 20–128. Cost: 1.6–1.9× the random probes' (one
thread, T = 1000).

For the LSTM family the probes are split by part: Q_h (on h_T) and Q_c (on c_T), each orthonormal
on its part's rows, are streamed separately, so the h rows of P_{T,τ}ᵀ[Q_h; 0] probe the h-block, the
c rows of P_{T,τ}ᵀ[0; Q_c] the c-block, and all columns together the full product, with
Y = [Y_h; Y_c] for the upper bound.
"""

import math

import numpy as np

from ._batched import StepJacobians, chunked_jacobians
from ._topeig import top_eigenvalues

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)
# The probes' start (see above), tuned on the grid of the level test: steps carried forward for
# the long lags' directions; the short product whose top left singular vectors (_SHORT_WIDTH·k of
# them, _SHORT_PASSES passes) serve the lags up to _SHORT_PASS. Shorter or narrower missed by
# 0.06–0.19 nats on some of the grid.
_LONG_START, _SHORT_START, _SHORT_PASSES, _SHORT_PASS, _SHORT_WIDTH = 384, 16, 2, 128, 3
_QR_EVERY = 8  # the columns of 8 steps' product stay far from rank-deficient in float64
_FLUSH = 128  # lags whose statistics are computed together (memory 128·d·k floats per state part)
_TINY = np.finfo(float).tiny


def probe_curves(cell, xs, states, *, k=8, checks=3, seed=0):
    """Curves for every lag: dict of log_norm, log_norm_h (, log_norm_c, log_norm_direct), error_bound."""
    T = len(xs)
    tail = _tail(cell, xs, states)
    Q, R_full, Q_short = probe_start(cell, xs, states, k=k, checks=checks, seed=seed, tail=tail)
    out = _stream(cell, _lags(cell, xs, states, tail, T), T, Q, R_full)
    # Short lags: the better of two lower bounds; the upper bound is the long pass's.
    S = min(T, _SHORT_PASS)
    short = _stream(cell, _lags(cell, xs, states, tail, S), S, Q_short, R_full[:0, :0])
    upper = out["log_norm"][:S] + out["error_bound"][:S]
    np.maximum(out["log_norm"][:S], short["log_norm"], out=out["log_norm"][:S])
    with np.errstate(invalid="ignore"):  # −∞ − (−∞) where P = 0: that branch is not taken
        out["error_bound"][:S] = np.where(np.isfinite(upper), upper - out["log_norm"][:S], out["error_bound"][:S])
    return out


def probe_start(cell, xs, states, *, k=8, checks=3, seed=0, tail=None):
    """The probes: ([Q_a] per state part, R_full, [Q_short] on all of s_T).

    With rng = default_rng(seed) and t = max(k − checks, 0): Y_a = rng.standard_normal((n, checks))
    for each part in turn (the Gaussian checks), then Ω (d, t) and Ω' (d, 3k) likewise. V = Ω
    carried forward over the last L = min(T, 384) steps (V ← J_t V, t = T−L+1..T, orthonormalised
    now and then: Benettin's iteration), and [V[rows of a], Y_a] = Q_a R_a (QR), so that
    blockdiag(Q_a) R_full = [Y_h; Y_c] with R_full = vstack(R_a[:, t:]). V' = Ω' by subspace
    iteration on the product of the last min(T, 16) steps (its range, then two passes of Pᵀ and
    P), orthonormal: Q_short. ``tail``: the step Jacobians of the last steps (``_tail``), if
    already built.
    """
    d, parts = cell.state_size, cell.part_slices()
    tail = _tail(cell, xs, states) if tail is None else tail
    rng = np.random.default_rng(seed)
    Y = [rng.standard_normal((rows.stop - rows.start, checks)) for rows in parts]
    V = _carried(tail, rng.standard_normal((d, max(k - checks, 0))), _LONG_START, False)
    V_short = rng.standard_normal((d, _SHORT_WIDTH * k))
    for reverse in (False,) + (True, False) * _SHORT_PASSES:
        V_short = _carried(tail, V_short, _SHORT_START, reverse)
    QY, RY = zip(*(np.linalg.qr(np.hstack([V[rows], Y_a])) for rows, Y_a in zip(parts, Y)))
    R_full = np.vstack([R[:, R.shape[1] - checks :] for R in RY])
    return list(QY), R_full, [V_short]


def _tail(cell, xs, states):
    """The step Jacobians J_t of the last min(T, _LONG_START) steps as one chunk: every pass of
    the probes runs over them (the carried and short passes only over them), so they are built
    once."""
    T = len(xs)
    L = min(T, _LONG_START)
    return StepJacobians(cell, xs[T - L :], states[T - L : T])


def _lags(cell, xs, states, tail, lags):
    """(Js, j) for J_T, J_{T−1}, ..., J_{T−lags+1}, J_t being step j of chunk Js: from ``tail``, then
    (lags beyond it) the rest of the run chunk by chunk."""
    T, L = len(xs), tail.steps
    for j in range(L - 1, L - 1 - min(lags, L), -1):
        yield tail, j
    if lags > L:
        for _, Js, j in chunked_jacobians(cell, xs[: T - L], states[: T - L], reverse=True):
            yield Js, j


def _carried(tail, V, steps, reverse):
    """V (d, c) carried through the last ``steps`` step Jacobians of ``tail``, V ← J_t V for
    t = T−steps+1..T (V ← J_tᵀ V for t = T..T−steps+1 when ``reverse``), rescaled every step and
    orthonormalised every ``_QR_EVERY`` steps and at the end (the span is that of the product
    applied to V)."""
    L = tail.steps
    V = np.linalg.qr(V)[0]
    if V.shape[1] == 0:
        return V
    last = range(L - min(L, steps), L)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for i, j in enumerate(reversed(last) if reverse else last):
            step = tail.apply_t(V, j) if reverse else tail.apply(V, j)
            scale = _scale(step)
            if not 0 < scale < math.inf or not np.isfinite(step).all():
                break  # keep the V so far: any start keeps both bounds valid
            V = step / scale
            if i % _QR_EVERY == _QR_EVERY - 1:
                V = np.linalg.qr(V)[0]
    return np.linalg.qr(V)[0]


def _stream(cell, steps, T, QY, R_full):
    """The curves for the lags 1..T from the probes blockdiag(QY) (see above): one block per state
    part, or a single one on all of s_T (then only log_norm, log_norm_h = log_norm). ``steps``:
    (Js, j) for J_T, ..., J_1 (``_lags``); with the carousel, whole chunks, each from its last step
    to its first."""
    d, parts = cell.state_size, len(QY)
    n = cell.hidden_size
    # Part a's probes: its rows of s_T, its columns of W (fewer than k where the part has fewer entries).
    rows = cell.part_slices() if parts > 1 else (slice(0, d),)
    ends = np.cumsum([Q.shape[1] for Q in QY])
    cols = [slice(int(end - Q.shape[1]), int(end)) for end, Q in zip(ends, QY)]
    # The carousel's part, on the per-part probes only (the single block of the short pass has none).
    c_part = cell.state_parts.index("c") if parts > 1 and "c" in cell.state_parts else None
    W = np.zeros((d, int(ends[-1])))
    for a in range(parts):
        W[rows[a], cols[a]] = QY[a]
    names = ("log_norm", "log_norm_h", "error_bound") + (
        ("log_norm_c", "log_norm_direct") if c_part is not None else ()
    )
    out = {name: np.empty(T) for name in names}
    log_direct = np.zeros(n)
    # W_τ/e^{logs[l]} for the lags not yet flushed, written in place: W is always a row of Ws.
    Ws, logs = np.empty((_FLUSH, d, W.shape[1])), np.empty(_FLUSH)
    log_scale, done, chunk = 0.0, 0, None
    # A sum of squares overflowing in _scale is its signal to fall back to max |W_ij|.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i, (Js, j) in enumerate(steps):
            if c_part is not None and Js is not chunk:  # the direct path needs no probes: a whole chunk at once
                chunk, log_direct = Js, _direct_path(Js, log_direct, out["log_norm_direct"], i)
            l = i - done
            W = Js.apply_t(W, j)
            scale = _scale(W)
            if scale > 0:
                if scale >= _TINY:
                    np.multiply(W, 1.0 / scale, out=Ws[l])
                else:  # a subnormal scale (weights near 1e-310): 1/scale would overflow to inf
                    np.divide(W, scale, out=Ws[l])
                log_scale += math.log(scale)
            else:  # P = 0 from this lag on
                Ws[l] = W
                log_scale = -math.inf
            W, logs[l] = Ws[l], log_scale
            if l == _FLUSH - 1 or i == T - 1:  # per-lag statistics, many lags per call
                _statistics(out, slice(done, i + 1), Ws[: l + 1], logs[: l + 1], R_full, rows, cols, c_part)
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
    curve[i : i + Js.steps] = sums.max(axis=1)
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


def _statistics(out, lags, Ws, log_scale, R_full, rows, cols, c_part):
    """Lower estimate and bound for the lags ``lags`` from their probe images Ws (c, d, Σ_a k_a: part a's k_a columns).

    All from Gram matrices (k×k per part): the columns of W are Pᵀ applied to the orthonormal
    blockdiag(Q_Y,h, Q_Y,c), so ‖W‖₂ = √λ_max(WᵀW) is a lower bound. The Gaussian
    y_i = [Y_h e_i; Y_c e_i] give Pᵀ y_i = W·R_full[:, i], whose squared norms are the diagonal
    of R_fullᵀ (WᵀW) R_full: the upper bound.
    """
    G_rows = [np.swapaxes(Ws[:, r], 1, 2) @ Ws[:, r] for r in rows]  # each part's rows: WᵀW = W_hᵀW_h + W_cᵀW_c
    G = sum(G_rows)
    lower = np.sqrt(top_eigenvalues(G))
    out["log_norm"][lags] = log_scale + np.log(lower)
    if R_full.shape[1] == 0:  # no check vectors: no upper bound
        out["error_bound"][lags] = np.inf
    else:
        upper = _ALPHA * np.sqrt(np.maximum(((G @ R_full) * R_full).sum(axis=1).max(axis=1), 0.0))
        out["error_bound"][lags] = np.where(lower > 0, np.log(upper) - np.log(lower), 0.0)
    if len(rows) > 1:  # block (a, a) of P: part a's rows of the probes on part a, a corner of G_rows[a]
        out["log_norm_h"][lags] = log_scale + 0.5 * np.log(top_eigenvalues(G_rows[0][:, cols[0], cols[0]]))
        if c_part is not None:
            c = cols[c_part]
            out["log_norm_c"][lags] = log_scale + 0.5 * np.log(top_eigenvalues(G_rows[c_part][:, c, c]))
