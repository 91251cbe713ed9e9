"""ln ‖P_{T,τ}‖₂ at every lag from a few probe vectors: O(T·k·d²), with a two-sided error bound.

Stream W_τ = P_{T,τ}ᵀ Q = J_{T−τ+1}ᵀ W_{τ−1} for a Q (d, c) with orthonormal columns, in the log
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

The lower bound misses ln‖P‖ by about −ln ‖Qᵀu_1‖, u_1 = u_1(τ) the top left singular vector of
P_{T,τ} (on the s_T side). Random probes meet it only at ~√(c/d): a miss of ½·ln(d/c), 0.4–1.75
nats. So Q is started where u_1 lies (``probe_start``): all P_{T,τ} share their left factors at
the T end, and u_1(τ) settles, as τ grows, to the direction that vectors carried forward to T align
with (Benettin's iteration). Until it settles, and where the top of the spectrum is flat (several
directions grow alike, so that the inputs decide which is on top at a given lag), it wanders, and
Q must hold the directions it passes through. Q is built in tiers, each streamed from lag 1 for as
long as it serves, all in one product, dropped after their lags:

- the groups, for every lag: max(k − checks, 1) vectors carried forward over the last 384 steps,
  split by state part (their rows of each part, orthonormalised: the blocks' probes), and the
  ``checks`` Gaussian yᵢ (their part outside the groups);
- the middle tier, for lags ≤ 384: up to 2k vectors carried over the last 128 steps;
- the short tier, for lags ≤ 128: up to 2k top left singular vectors of the product of the last
  16 steps (subspace iteration, two passes).

A tier holds fewer columns where its work would exceed 5·10⁹ flops (short tier first; ~0.12 s on
one core): 16 and 16 for k = 8 up to an LSTM with n ≈ 230 or a tanh RNN with n ≈ 460; an LSTM with
n = 512 streams 11 short columns and no middle ones. The lower bound at lag τ is over every column
still streamed. Measured miss (exact − probe, every lag ≥ 10; ``tests/test_flow_probe_level.py``):
≤ 0.03 nats on random tanh RNN (n = 256), LSTM and GRU (n = 128), gains 0.8–2, m = 8 and 32,
T = 1000, and on every shipped trained checkpoint (T = 300; the forget-gate-free LSTM's flat
spectrum and the IndRNN's units switching off included); random LSTM n = 512 (the narrower tiers):
0.063. Not everywhere: a random forget-gate-free LSTM with n = 64 (T = 500; a flat top spectrum
past the middle tier's lags) misses by 0.09. Time (one thread, T = 1000, the run included): tanh
RNN n = 256 0.12 s, LSTM n = 128 0.24 s, LSTM n = 512 1.34 s.

For multi-part states (the LSTM family) the groups give the blocks' curves: the h rows of
P_{T,τ}ᵀ[Q_h; 0] probe the h-block, the c rows of P_{T,τ}ᵀ[0; Q_c] the c-block (lower estimates
from their part's carried directions alone, no tiers: misses up to ~0.6 at short lags), all
columns together the full product.
"""

import math

import numpy as np

from ._batched import block_curves, chunked_jacobians, step_jacobians
from ._topeig import top_eigenvalues

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)
# The probes' start (see above): the steps carried forward for the long lags' directions; the
# middle tier's (carried over its last steps, streamed for lags up to its pass) and the short
# tier's (the top left singular vectors of the product of its last steps, _SHORT_PASSES passes).
# Each tier has up to _TIER_WIDTH·k columns, fewer where its work would exceed what is left of
# _TIER_FLOPS (short tier first): 5·10⁹ flops, ~0.12 s on one core at 40 GFLOP/s. Measured on
# the grid of the level test: narrower or shorter tiers missed by 0.06–0.3 nats on some of it.
_LONG_START = 384
_MID_START, _MID_PASS = 128, 384
_SHORT_START, _SHORT_PASSES, _SHORT_PASS = 16, 2, 128
_TIER_WIDTH, _TIER_FLOPS = 2, 5e9
_QR_EVERY = 8  # the columns of 8 steps' product stay far from rank-deficient in float64
_FLUSH = 128  # lags whose statistics are computed together (memory 128·d floats per streamed column)
_TINY = np.finfo(float).tiny
# A part of Y outside the probes' span counts where it exceeds 1e-8·‖Y‖₂: below, its direction is
# rounding's (a tier's span inside the columns before it leaves σ ~ 1e-10..1e-16, real parts ~0.1–1)
_RANK_TOL = 1e-8


def probe_curves(cell, xs, states, *, k=8, checks=3, seed=0, make=None):
    """Curves for every lag: dict of log_norm, log_norm_h (, log_norm_c, log_norm_direct), error_bound.

    ``make(xs, states)``: the step Jacobians of those steps (default ``_batched.step_jacobians``;
    on another array library ``_dense_steps.DenseSteps``)."""
    T = len(xs)
    make = step_jacobians(cell) if make is None else make
    tail = _tail(xs, states, make)
    groups, R_full, tiers = probe_start(cell, xs, states, k=k, checks=checks, seed=seed, tail=tail)
    return _stream(cell, _lags(cell, xs, states, tail, T, make), T, groups, R_full, tiers)


def probe_start(cell, xs, states, *, k=8, checks=3, seed=0, tail=None):
    """The probes: (groups, R_full, tiers). groups = [(rows, Q)], Q orthonormal on those rows of
    s_T, streamed for every lag; tiers = [(Q, lags)], columns on all of s_T streamed for the lags
    up to ``lags`` (the full curve's lower bound only); all columns orthonormal together.

    With rng = default_rng(seed) and t = max(k − checks, 1): Y = rng.standard_normal((d,
    checks)) (the Gaussian checks), then Ω (d, t), Ω_mid (d, m) and Ω_short (d, s) likewise (m, s:
    the tiers' widths, ``_tier_widths``). V = Ω carried forward over the last min(T, 384) steps
    (V ← J_t V, orthonormalised now and then: Benettin's iteration). Groups: per state part, an
    orthonormal basis of V's rows of it; then, on all rows, one of Y's part outside them, so that
    [groups]·R_full = Y. Tiers: Ω_mid carried over the last min(T, 128) steps, for lags ≤ 384;
    Ω_short by subspace iteration on the product of the last min(T, 16) steps (its range, then two
    passes of Pᵀ and P), for lags ≤ 128; each the part of its span outside the columns before it.
    ``tail``: the step Jacobians of the last steps (``_tail``), if already built.
    """
    d, parts = cell.state_size, cell.part_slices()
    tail = _tail(xs, states, step_jacobians(cell)) if tail is None else tail
    rng = np.random.default_rng(seed)
    m, s = _tier_widths(tail, len(xs), k)
    Y = rng.standard_normal((d, checks))
    V, V_mid = _carried_together(
        tail, [(rng.standard_normal((d, max(k - checks, 1))), _LONG_START), (rng.standard_normal((d, m)), _MID_START)]
    )
    V_short = rng.standard_normal((d, s))
    for reverse in (False,) + (True, False) * _SHORT_PASSES:
        V_short = _carried(tail, V_short, _SHORT_START, reverse)
    groups = [(rows, np.linalg.qr(V[rows])[0]) for rows in parts]
    coefficients, Q_Y, R_Y = _outside(groups, Y)
    groups.append((slice(0, d), Q_Y))
    tiers, before = [], list(groups)
    for V_tier, lags in ((V_mid, _MID_PASS), (V_short, _SHORT_PASS)):
        Q_tier = _outside(before, V_tier)[1]
        tiers.append((Q_tier, lags))
        before.append((slice(0, d), Q_tier))
    return groups, np.vstack(coefficients + [R_Y]), tiers


def _tier_widths(tail, T, k):
    """(m, s): the middle and short tiers' widths, _TIER_WIDTH·k each where their work (flops:
    columns × the steps they are carried and streamed × the flops of one column through J_t) fits
    in _TIER_FLOPS, the short tier's first; fewer where it does not."""
    per_column = tail.column_flops()
    steps_short = min(T, _SHORT_PASS) + min(T, _SHORT_START) * (1 + 2 * _SHORT_PASSES)
    steps_mid = min(T, _MID_PASS) + min(T, _MID_START)
    widest = _TIER_WIDTH * k
    if per_column == 0:  # J_t without a weight matrix (diagonal cells): the tiers cost O(d) a column
        return widest, widest
    s = min(widest, int(_TIER_FLOPS // (per_column * steps_short)))
    m = min(widest, int((_TIER_FLOPS - s * per_column * steps_short) // (per_column * steps_mid)))
    return m, s


def _outside(groups, Y):
    """Y = [groups]·C + U·R (+ a remainder below 1e-8·‖Y‖₂) with U (d, r) orthonormal and
    orthogonal to the groups' columns to rounding, r the rank of Y's part outside their span
    (none where they span s_T): returns ([C_g per group], U, R). U must be orthogonal to them for
    ‖W‖₂ to stay a lower bound; a direction only just outside their span would not be, to
    rounding, without its second projection (Gram–Schmidt twice: Kahan–Parlett)."""
    coefficients, rest = [np.zeros((Q.shape[1], Y.shape[1])) for _, Q in groups], Y.copy()
    _project_out(groups, rest, coefficients)
    U, sigma, _ = np.linalg.svd(rest, full_matrices=False)
    U = U[:, : int(np.sum(sigma > _RANK_TOL * max(np.linalg.norm(Y, 2), _TINY)))]
    _project_out(groups, U)
    U = np.linalg.qr(U)[0]
    return coefficients, U, U.T @ rest


def _project_out(groups, A, coefficients=None):
    """A ← A minus its projection on the groups' columns, twice (in place), adding the
    coefficients to ``coefficients`` if given."""
    for _ in range(2):
        for g, (rows, Q) in enumerate(groups):
            step = Q.T @ A[rows]
            A[rows] -= Q @ step
            if coefficients is not None:
                coefficients[g] += step


def _tail(xs, states, make):
    """The step Jacobians J_t of the last min(T, _LONG_START) steps as one chunk: every pass of
    the probes runs over them (the carried and short passes only over them), so they are built
    once."""
    T = len(xs)
    L = min(T, _LONG_START)
    return make(xs[T - L :], states[T - L : T])


def _lags(cell, xs, states, tail, lags, make):
    """(Js, j) for J_T, J_{T−1}, ..., J_{T−lags+1}, J_t being step j of chunk Js: from ``tail``, then
    (lags beyond it) the rest of the run chunk by chunk."""
    T, L = len(xs), tail.steps
    for j in range(L - 1, L - 1 - min(lags, L), -1):
        yield tail, j
    if lags > L:
        for _, Js, j in chunked_jacobians(cell, xs[: T - L], states[: T - L], reverse=True, make=make):
            yield Js, j


def _carried(tail, V, steps, reverse):
    """V (d, c) carried through the last ``steps`` step Jacobians of ``tail``, V ← J_t V for
    t = T−steps+1..T (V ← J_tᵀ V for t = T..T−steps+1 when ``reverse``): ``_carried_together``
    with one set."""
    return _carried_together(tail, [(V, steps)], reverse)[0]


def _carried_together(tail, sets, reverse=False):
    """Each V (d, c) of ``sets`` [(V, steps)] carried through its last ``steps`` step Jacobians
    of ``tail`` as ``_carried`` says, all sets that a step reaches in one product (one GEMM for
    several sets: cheaper than one each), each rescaled every step and orthonormalised every
    ``_QR_EVERY`` of its steps and at the end (its span is that of the product applied to it).
    A set whose product leaves float64's range keeps its columns so far: any start keeps both
    bounds valid."""
    L = tail.steps
    out = [np.linalg.qr(V)[0] for V, _ in sets]
    first = [L - min(L, steps) for _, steps in sets]  # a set's first step (forwards; its last backwards)
    live = [V.shape[1] > 0 for V in out]
    order = range(min(first, default=L), L)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for j in reversed(order) if reverse else order:
            now = [a for a in range(len(out)) if live[a] and j >= first[a]]
            if not now:
                continue
            block = np.hstack([out[a] for a in now])
            block = tail.apply_t(block, j) if reverse else tail.apply(block, j)
            ends = np.cumsum([out[a].shape[1] for a in now])
            for a, end in zip(now, ends):
                step = block[:, end - out[a].shape[1] : end]
                scale = _scale(step)
                if not 0 < scale < math.inf or not np.isfinite(step).all():
                    live[a] = False
                    continue
                out[a] = step / scale
                if (L - j if reverse else j - first[a] + 1) % _QR_EVERY == 0:
                    out[a] = np.linalg.qr(out[a])[0]
    return [np.linalg.qr(V)[0] for V in out]


def _stream(cell, steps, T, groups, R_full, tiers=()):
    """The curves for the lags 1..T from the probes ``groups`` [(rows, Q)] and, for the lags up to
    its ``lags``, each tier (Q, lags) of ``tiers`` (columns on all of s_T, for the full curve's
    lower bound only, in order of decreasing ``lags``); the block curves from the groups on a state
    part's rows (none: log_norm_h = log_norm). ``steps``: (Js, j) for J_T, ..., J_1 (``_lags``);
    with the carousel, whole chunks, each from its last step to its first."""
    d, n = cell.state_size, cell.hidden_size
    ends = np.cumsum([Q.shape[1] for _, Q in groups])
    cols = [slice(int(end - Q.shape[1]), int(end)) for end, (_, Q) in zip(ends, groups)]
    slices = cell.part_slices()
    # Each block (a, b)'s probes: the group on exactly part a's rows (of s_T), read on part b's rows.
    group = [next(c for (r, _), c in zip(groups, cols) if r == rows) for rows in slices]
    block = [(name, slices[b], group[a]) for name, a, b in block_curves(cell)]
    c_part = "c" if "c" in cell.state_parts and len(slices) > 1 else None
    narrow = int(ends[-1])
    W = np.hstack([np.zeros((d, narrow))] + [Q for Q, _ in tiers])
    for (rows, Q), c in zip(groups, cols):
        W[rows, c] = Q
    names = ("log_norm", "log_norm_h", "error_bound") + (("log_norm_c", "log_norm_direct") if c_part else ())
    out = {name: np.empty(T) for name in names + tuple(name for name, _, _ in block)}
    log_direct = np.zeros(n)
    # W_τ/e^{logs[l]} for the lags not yet flushed, written in place: W is always a row of Ws.
    Ws, logs = np.empty((_FLUSH, d, W.shape[1])), np.empty(_FLUSH)
    log_scale, done, chunk = 0.0, 0, None
    # A sum of squares overflowing in _scale is its signal to fall back to max |W_ij|.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i, (Js, j) in enumerate(steps):
            if c_part and Js is not chunk:  # the direct path needs no probes: a whole chunk at once
                chunk, log_direct = Js, _direct_path(Js, log_direct, out["log_norm_direct"], i)
            # past a tier's lags its columns go (the tiers' lags decrease: the last columns first)
            width = narrow + sum(Q.shape[1] for Q, lags in tiers if i < lags)
            if width < W.shape[1]:
                Ws, W = np.empty((_FLUSH, d, width)), np.ascontiguousarray(W[:, :width])
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
            if l == _FLUSH - 1 or i == T - 1 or any(i == lags - 1 for _, lags in tiers):  # many lags per call
                R = np.vstack([R_full, np.zeros((W.shape[1] - narrow, R_full.shape[1]))])
                _statistics(out, slice(done, i + 1), Ws[: l + 1], logs[: l + 1], R, block)
                done = i + 1
    if not block:
        out["log_norm_h"] = out["log_norm"]
    elif all(name != "log_norm_h" for name, _, _ in block):  # a system whose blocks are its own (a stack's)
        out["log_norm_h"] = None
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


def _statistics(out, lags, Ws, log_scale, R_full, block):
    """Lower estimate and bound for the lags ``lags`` from their probe images Ws (c, d, columns).

    All from Gram matrices (columns × columns): the columns of W are Pᵀ applied to the orthonormal
    probes, so ‖W‖₂ = √λ_max(WᵀW) is a lower bound. The Gaussian checks y_i give
    Pᵀ y_i = W·R_full[:, i], whose squared norms are the diagonal of R_fullᵀ (WᵀW) R_full: the
    upper bound. ``block``: (name, rows of part b, the columns of part a's group) per block (a, b)
    of P, whose transpose's rows b of the probes on part a of s_T bound its norm from below.
    """
    G = np.swapaxes(Ws, 1, 2) @ Ws
    lower = np.sqrt(top_eigenvalues(G))
    out["log_norm"][lags] = log_scale + np.log(lower)
    if R_full.shape[1] == 0:  # no check vectors: no upper bound
        out["error_bound"][lags] = np.inf
    else:
        upper = _ALPHA * np.sqrt(np.maximum(((G @ R_full) * R_full).sum(axis=1).max(axis=1), 0.0))
        out["error_bound"][lags] = np.where(lower > 0, np.log(upper) - np.log(lower), 0.0)
    for name, r, c in block:
        W_a = Ws[:, r, c]
        out[name][lags] = log_scale + 0.5 * np.log(top_eigenvalues(np.swapaxes(W_a, 1, 2) @ W_a))
