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
Q must hold the directions it passes through; Q is built in tiers (below).

Every column lies on the rows of one state part (s_T's h or c of an LSTM, each layer's h and c
of a stack; one part for a one-part state), so the columns of part a also probe the blocks P[a, b]
(rows a on the s_T side, columns b on the s_{T−τ} side) that the system names:
‖W_τ[b, part a's columns]‖₂ ≤ ‖P[a, b]‖₂, since Q_a is orthonormal. A block's top left singular
vector is not the full product's, so each tier is split by part (its rows of each part,
orthonormalised within the part: up to as many columns per part as the tier has), and so are the
checks: Y's rows of part a, Y[a], lie in part a's span, so ‖P[a, b]‖₂ ≤ 10·√(2/π)·maxᵢ
‖P[a, b]ᵀ yᵢ[a]‖ bounds each block from above as Y bounds P (``block_error_bounds``; each bound
with probability ≥ 1 − 10^{−checks}). The tiers, each streamed from lag 1 for as long as it
serves, all in one product, dropped after their lags:

- the groups, for every lag: max(k − checks, 1) vectors carried forward over the last 384 steps
  per part (for a part in several blocks, such as a stack's upper h, that many per block (a, b),
  started on rows b; each set orthonormalised graded toward its part, ``_orthonormalised``), and
  the ``checks`` Gaussian yᵢ (each part's rows outside its carried columns);
- the middle tier, for lags ≤ 384: up to 2k vectors carried over the last 128 steps;
- the short tier, for lags ≤ 128: up to 2k top left singular vectors of the product of the last
  16 steps' rows of each part, E_a P (subspace iteration on (E_a P)(E_a P)ᵀ, two passes).

A tier holds fewer columns where its work (its columns carried and streamed once per part) would
exceed 3·10¹⁰ flops (short tier first; ~0.75 s on one core): 16 and 16 for k = 8 up to an LSTM with
n ≈ 420 or a tanh RNN with n ≈ 1140; an LSTM with n = 512 streams 2·16 short and 2·8 middle
columns. The lower bound at lag τ is over every column still streamed (a block's: over its part's).

Measured miss (exact − probe, every lag ≥ 10; ``tests/test_flow_probe_level.py``), every curve (the
full one; a cell's h and c blocks; a stack's layer pairs and c blocks): ≤ 0.022 nats on random tanh
RNN (n = 256), LSTM and GRU (n = 128), gains 0.8–2, m = 8 and 32, T = 1000; ≤ 0.028 on every
shipped trained checkpoint (T = 300; the forget-gate-free LSTM's flat spectrum and the IndRNN's
units switching off included); ≤ 0.002 on random peephole, CIFG and LSTM cells (n = 64, T = 500)
and on 2- and 3-layer stacks of LSTM and GRU layers (n = 16–64 per layer, T = 300–1000); random
LSTM n = 512 (T = 1000; the narrower tiers): full 0.031, h 0.048, c 0.034. (Before the tiers were
split by part, the blocks missed by 0.06–0.33 on the LSTM n = 128 of the grid and 0.48 at n = 512.)
Not everywhere, mostly past the middle tier's lags (groups alone): random forget-gate-free LSTMs
(n = 64, T = 500, gains 0.8, 1, 1.4, 2; a flat top spectrum) 0.06–0.12 on the full curve, 0.04–0.12 on
the c block (before: 0.04–0.22 and 0.23–0.64; at gain 1 the full curve's 0.092 is now 0.106); a
2-layer LSTM stack with n = 128 per layer, the lower layer's c block 0.092 at lag 627; an LSTM +
GRU + LSTM stack with n = 48, the GRU's own block 0.069 at lag 412.

Time (one thread, T = 1000, the run included; CPU, best of 3, on a loaded 2-core machine, beside
the probe before the split in the same run): tanh RNN n = 256 0.24 s (0.96×), LSTM n = 128 0.53 s
(1.42×), LSTM n = 512 4.1 s (1.37×), a 2-layer LSTM stack n = 256 per layer 6.0 s (1.62×).
"""

import math

import numpy as np

from ._batched import chunked_jacobians
from ._cell_system import as_system
from ._topeig import top_eigenvalues
from .result import CarouselPath
from .system import part_size

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)
# The probes' start (see above): the steps carried forward for the long lags' directions; the
# middle tier's (carried over its last steps, streamed for lags up to its pass) and the short
# tier's (the top left singular vectors of the product of its last steps, _SHORT_PASSES passes).
# Each tier has up to _TIER_WIDTH·k columns, fewer where its work (streamed once per state part)
# would exceed what is left of _TIER_FLOPS (short tier first): 3·10¹⁰ flops, ~0.75 s on one core
# at 40 GFLOP/s. Measured on the grid of the level test: narrower or shorter tiers missed by
# 0.06–0.3 nats on some of it; on a random LSTM n = 512 (T = 1000) the cap 5·10⁹ (2·7 short
# columns, no middle ones) missed by 0.16, 1.5·10¹⁰ by 0.10 (its h block), 3·10¹⁰ by 0.045.
_LONG_START = 384
_MID_START, _MID_PASS = 128, 384
_SHORT_START, _SHORT_PASSES, _SHORT_PASS = 16, 2, 128
_TIER_WIDTH, _TIER_FLOPS = 2, 3e10
_GRADE = 1e-4  # the weight of the other rows in a QR graded toward a part's (``_orthonormalised``)
_QR_EVERY = 8  # the columns of 8 steps' product stay far from rank-deficient in float64
_FLUSH = 128  # lags whose statistics are computed together (memory 128·d floats per streamed column)
_TINY = np.finfo(float).tiny
# A part of Y outside the probes' span counts where it exceeds 1e-8·‖Y‖₂: below, its direction is
# rounding's (a tier's span inside the columns before it leaves σ ~ 1e-10..1e-16, real parts ~0.1–1)
_RANK_TOL = 1e-8


def probe_curves(system, xs, states, *, k=8, checks=3, seed=0, make=None):
    """``GradientFlow``'s curves for every lag: log_norm, blocks (, log_norm_direct), error_bound.

    ``system``: a ``system.RecurrentSystem`` (or a cell); ``make(xs, states)``: the step operators
    of those steps (default ``system.step_operators``; on another array library
    ``_dense_steps.DenseSteps``)."""
    T, system = len(xs), as_system(system)
    make = system.step_operators if make is None else make
    tail = _tail(xs, states, make)
    groups, R_full, tiers = probe_start(system, xs, states, k=k, checks=checks, seed=seed, tail=tail)
    return _stream(system, _lags(xs, states, tail, T, make), T, groups, R_full, tiers)


def probe_start(system, xs, states, *, k=8, checks=3, seed=0, tail=None):
    """The probes: (groups, R_full, tiers). groups = [(rows, Q)], one per state part, Q orthonormal
    on those rows of s_T, streamed for every lag; tiers = [(parts, lags)], parts = [(rows, Q)] one
    per state part likewise, streamed for the lags up to ``lags``; the columns of a part orthonormal
    together (those of different parts are, having disjoint rows). [groups]·R_full = Y.

    With rng = default_rng(seed) and t = max(k − checks, 1): Y = rng.standard_normal((d,
    checks)) (the Gaussian checks), then, likewise, Ω_ab (d, t) for each part a and each of its
    source rows b (``_sources``; Ω_ab's rows outside b set to 0, b = None: none), Ω_mid (d, m) and
    Ω_short,a (d, s) for each part a (m, s: the tiers' widths, ``_tier_widths``). V_ab = Ω_ab
    carried forward over the last min(T, 384) steps (V ← J_t V, orthonormalised now and then,
    graded toward rows a where the state has several parts: Benettin's iteration). Group of part
    a: an orthonormal basis of the rows a of [V_ab for its b], then of Y's rows a outside it.
    Tiers: Ω_mid carried over the last min(T, 128) steps, for lags ≤ 384; Ω_short,a by subspace
    iteration on the product P of the last min(T, 16) steps (P Ω, then two passes of Pᵀ and P,
    the rows outside a set to 0 after each pass of P where the state has several parts), for
    lags ≤ 128; each tier's rows of part a outside part a's columns before it.
    ``tail``: the step Jacobians of the last steps (``_tail``), if already built.
    """
    system = as_system(system)
    d, parts = system.state_size, tuple(system.layout.values())
    tail = _tail(xs, states, system.step_operators) if tail is None else tail
    rng = np.random.default_rng(seed)
    m, s = _tier_widths(tail, len(xs), k, len(parts))
    Y = rng.standard_normal((d, checks))
    t, sources = max(k - checks, 1), _sources(system)
    graded = len(parts) > 1
    long = [
        (_on(rng.standard_normal((d, t)), b), _LONG_START, a if graded else None)
        for a, bs in zip(parts, sources)
        for b in bs
    ]
    carried = _carried_together(tail, long + [(rng.standard_normal((d, m)), _MID_START, None)])
    V_mid, Vs = carried.pop(), []
    for bs in sources:  # part a's sets side by side
        Vs.append(np.hstack(carried[: len(bs)]))
        del carried[: len(bs)]
    V_shorts = [rng.standard_normal((d, s)) for _ in parts]
    for reverse in (False,) + (True, False) * _SHORT_PASSES:
        V_shorts = _carried_together(tail, [(V, _SHORT_START, None) for V in V_shorts], reverse)
        if not reverse and graded:  # each part's: subspace iteration on (E_a P)(E_a P)ᵀ
            V_shorts = [_on(V, rows) for V, rows in zip(V_shorts, parts)]
    groups, coefficients, before = [], [], []
    for rows, V in zip(parts, Vs):
        Q = np.linalg.qr(V[rows])[0]
        (C,), U, R = _outside([Q], Y[rows])
        groups.append((rows, np.hstack([Q, U])))
        coefficients.append(np.vstack([C, R]))
        before.append([groups[-1][1]])
    tiers = []
    for V_tier, lags in (([V_mid] * len(parts), _MID_PASS), (V_shorts, _SHORT_PASS)):
        tiers.append(([(rows, _outside(Qs, V[rows])[1]) for rows, Qs, V in zip(parts, before, V_tier)], lags))
        for Qs, (_, U) in zip(before, tiers[-1][0]):
            Qs.append(U)
    return groups, np.vstack(coefficients), tiers


def _sources(system):
    """Per state part a, the rows its carried sets start on: for a part in several blocks (a, b)
    (a stack's h of an upper layer: one per layer below and its own), one set on each block's rows
    b, since a block's top left singular vectors are those of P[a, b] and another block (a, b')
    may dominate the rows a of P Ω (measured: 0.3 nats low past lag 384 on the middle layer of an
    LSTM + GRU + LSTM stack, n = 32); else one set on all rows (None), which on a forget-gate-free
    LSTM (n = 64, T = 500) did better than one on rows a (its full curve 0.11 nats low against
    0.17)."""
    parts = tuple(system.layout.values())
    on = [[system.layout[b] for _, a_, b in system.blocks if system.layout[a_] == a] for a in parts]
    return [bs if len(bs) > 1 else [None] for bs in on]


def _on(V, rows):
    """V with its rows outside ``rows`` set to 0 (V itself where rows is None)."""
    if rows is not None:
        V[: rows.start], V[rows.stop :] = 0.0, 0.0
    return V


def _tier_widths(tail, T, k, parts=1):
    """(m, s): the middle and short tiers' widths (columns before the split by ``parts`` state
    parts, which streams up to ``parts`` times as many), _TIER_WIDTH·k each where their work
    (flops: columns × the steps they are carried and streamed × the flops of one column through
    J_t) fits in _TIER_FLOPS, the short tier's first; fewer where it does not."""
    per_column = tail.column_flops()
    steps_short = (min(T, _SHORT_PASS) + min(T, _SHORT_START) * (1 + 2 * _SHORT_PASSES)) * parts
    steps_mid = min(T, _MID_PASS) * parts + min(T, _MID_START)
    widest = _TIER_WIDTH * k
    if per_column == 0:  # J_t without a weight matrix (diagonal cells): the tiers cost O(d) a column
        return widest, widest
    s = min(widest, int(_TIER_FLOPS // (per_column * steps_short)))
    m = min(widest, int((_TIER_FLOPS - s * per_column * steps_short) // (per_column * steps_mid)))
    return m, s


def _outside(Qs, Y):
    """Y = [Qs]·C + U·R (+ a remainder below 1e-8·‖Y‖₂) with U (d, r) orthonormal and orthogonal
    to the columns of the matrices ``Qs`` (orthonormal together, on Y's rows) to rounding, r the
    rank of Y's part outside their span (none where they span it): returns ([C per Q], U, R). U
    must be orthogonal to them for ‖W‖₂ to stay a lower bound; a direction only just outside their
    span would not be, to rounding, without its second projection (Gram–Schmidt twice:
    Kahan–Parlett)."""
    coefficients, rest = [np.zeros((Q.shape[1], Y.shape[1])) for Q in Qs], Y.copy()
    _project_out(Qs, rest, coefficients)
    U, sigma, _ = np.linalg.svd(rest, full_matrices=False)
    U = U[:, : int(np.sum(sigma > _RANK_TOL * max(np.linalg.norm(Y, 2), _TINY)))]
    _project_out(Qs, U)
    U = np.linalg.qr(U)[0]
    return coefficients, U, U.T @ rest


def _project_out(Qs, A, coefficients=None):
    """A ← A minus its projection on the columns of ``Qs``, twice (in place), adding the
    coefficients to ``coefficients`` if given."""
    for _ in range(2):
        for g, Q in enumerate(Qs):
            step = Q.T @ A
            A -= Q @ step
            if coefficients is not None:
                coefficients[g] += step


def _tail(xs, states, make):
    """The step Jacobians J_t of the last min(T, _LONG_START) steps as one chunk: every pass of
    the probes runs over them (the carried and short passes only over them), so they are built
    once."""
    T = len(xs)
    L = min(T, _LONG_START)
    return make(xs[T - L :], states[T - L : T])


def _lags(xs, states, tail, lags, make):
    """(Js, j) for J_T, J_{T−1}, ..., J_{T−lags+1}, J_t being step j of chunk Js: from ``tail``, then
    (lags beyond it) the rest of the run chunk by chunk."""
    T, L = len(xs), tail.steps
    for j in range(L - 1, L - 1 - min(lags, L), -1):
        yield tail, j
    if lags > L:
        for _, Js, j in chunked_jacobians(make, xs[: T - L], states[: T - L], reverse=True):
            yield Js, j


def _carried_together(tail, sets, reverse=False):
    """Each V (d, c) of ``sets`` [(V, steps, rows)] carried through its last ``steps`` step
    Jacobians of ``tail``, V ← J_t V for t = T−steps+1..T (V ← J_tᵀ V for t = T..T−steps+1 when
    ``reverse``), all sets that a step reaches in one product (one
    GEMM for several sets: cheaper than one each), each rescaled every step and orthonormalised
    (``_orthonormalised``, graded toward its ``rows`` where given) every ``_QR_EVERY`` of its steps
    and at the end (its span is that of the product applied to it). A set whose product leaves
    float64's range keeps its columns so far: any start keeps both bounds valid."""
    L = tail.steps
    out = [_orthonormalised(V, rows) for V, _, rows in sets]
    first = [L - min(L, steps) for _, steps, _ in sets]  # a set's first step (forwards; its last backwards)
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
                    out[a] = _orthonormalised(out[a], sets[a][2])
    return [_orthonormalised(V, rows) for V, (_, _, rows) in zip(out, sets)]


def _orthonormalised(V, rows=None):
    """V R⁻¹ (the same span) with R from the QR factorisation D V = Q R: D = I (V R⁻¹ = Q) where
    ``rows`` is None, else D scales ``rows`` to norm 1 and the other rows to norm _GRADE, so that
    the rows of that part are orthonormalised as if alone (well conditioned, to rounding relative
    to their own size however small it is beside the rest: a plain QR keeps them only to rounding
    relative to all of V, and a lower layer of a stack decays faster than the layer above)."""
    if rows is None:
        return np.linalg.qr(V)[0]
    inside = np.zeros(len(V), dtype=bool)
    inside[rows] = True
    size_in, size_out = (np.linalg.norm(V[part]) for part in (inside, ~inside))
    weights = np.where(
        inside, 1.0 / size_in if size_in >= _TINY else 1.0, _GRADE / size_out if size_out >= _TINY else 1.0
    )[:, None]
    return np.linalg.qr(V * weights)[0] / weights


def _stream(system, steps, T, groups, R_full, tiers=()):
    """The curves for the lags 1..T from the probes ``groups`` [(rows, Q)], one per state part, and,
    for the lags up to its ``lags``, each tier (parts, lags) of ``tiers`` (parts = [(rows, Q)] as the
    groups; in order of decreasing ``lags``): the full curve from all columns streamed, the curve of
    each block (a, b) the system names from part a's columns, read on part b's rows. ``steps``:
    (Js, j) for J_T, ..., J_1 (``_lags``); with the carousel, whole chunks, each from its last step
    to its first."""
    d, names = system.state_size, tuple(system.layout)
    # the columns of W: the groups', then each tier's, part by part; segment = (part, columns, lags)
    segments, probes, end = [], [], 0
    for parts, lags in [(groups, T)] + list(tiers):
        for part, (rows, Q) in zip(names, parts):
            segments.append((part, np.arange(end, end + Q.shape[1]), lags))
            probes.append((rows, Q))
            end += Q.shape[1]
    W = np.zeros((d, end))
    for (rows, Q), (_, cols, _) in zip(probes, segments):
        W[rows, cols] = Q
    # the checks' coefficients on every column (Y = [groups]·R_full: none on the tiers')
    R = np.vstack([R_full, np.zeros((end - R_full.shape[0], R_full.shape[1]))])
    carousel = CarouselPath(T, part_size(system, "c")) if "c" in names and len(names) > 1 else None
    out = {name: np.empty(T) for name in ("log_norm", "error_bound")}
    blocks = {name: np.empty(T) for name, _, _ in system.blocks}
    block_bounds = {name: np.empty(T) for name, _, _ in system.blocks}
    # W_τ/e^{logs[l]} for the lags not yet flushed, written in place: W is always a row of Ws.
    Ws, logs = np.empty((_FLUSH, d, W.shape[1])), np.empty(_FLUSH)
    log_scale, done, chunk = 0.0, 0, None
    # A sum of squares overflowing in _scale is its signal to fall back to max |W_ij|.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i, (Js, j) in enumerate(steps):
            if carousel is not None and Js is not chunk:  # the direct path needs no probes: a whole chunk at once
                chunk = Js
                carousel.add([Js.carousel(j) for j in range(Js.steps - 1, -1, -1)])
            # past a tier's lags its columns go (the tiers' lags decrease: the last columns first)
            width = sum(len(cols) for _, cols, lags in segments if i < lags)
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
                lags = slice(done, i + 1)
                G = np.swapaxes(Ws[: l + 1], 1, 2) @ Ws[: l + 1]
                out["log_norm"][lags], out["error_bound"][lags] = _statistics(G, logs[: l + 1], R[:width])
                for name, a, b in system.blocks:  # part a's columns still streamed, read on part b's rows
                    cols = np.concatenate([c for part, c, last in segments if part == a and i < last])
                    W_a = Ws[: l + 1, system.layout[b]][:, :, cols]
                    blocks[name][lags], block_bounds[name][lags] = _statistics(
                        np.swapaxes(W_a, 1, 2) @ W_a, logs[: l + 1], R[cols]
                    )
                done = i + 1
    curves = {**out, "blocks": blocks, "log_norm_direct": None if carousel is None else carousel.curve}
    return curves | ({"block_error_bounds": block_bounds} if blocks else {})


def _scale(W):
    """A scale s > 0 for W ≠ 0 such that W/s neither overflows nor underflows (and its Gram matrix
    neither): ‖W‖_F from one dot product, or max |W_ij| where the sum of squares would leave
    float64's normal range (entries beyond ~1e±154). 0 for W = 0."""
    w = W.reshape(-1)
    squares = float(w @ w)
    if _TINY <= squares < math.inf:
        return math.sqrt(squares)
    return float(np.abs(w).max())


def _statistics(G, log_scale, R):
    """(lower estimate, error bound) in ln for a run of lags from the Gram matrices G (lags,
    columns, columns) of their probe images W/e^{log_scale} (the columns of W: Pᵀ, or a block's,
    applied to orthonormal probes, so ‖W‖₂ = √λ_max(WᵀW) is a lower bound). The Gaussian checks
    y_i = [probes]·R[:, i] give Pᵀ y_i = W·R[:, i], whose squared norms are the diagonal of
    Rᵀ G R: the upper bound α·maxᵢ ‖Pᵀ yᵢ‖ (HMT lemma 4.1), inf without checks."""
    lower = np.sqrt(top_eigenvalues(G))
    if R.shape[1] == 0:  # no check vectors: no upper bound
        return log_scale + np.log(lower), np.full(len(G), np.inf)
    upper = _ALPHA * np.sqrt(np.maximum(((G @ R) * R).sum(axis=1).max(axis=1), 0.0))
    return log_scale + np.log(lower), np.where(lower > 0, np.log(upper) - np.log(lower), 0.0)
