"""ln ‖P_{T,τ}‖₂ at every lag by the dense stream, on any array-API namespace (a GPU's algorithm).

The product over lags, transposed, is a forward product of d×d matrices:

    Z_0 = I,   Ẑ_τ = J_{T−τ+1}ᵀ Z_{τ−1},   Z_τ = Ẑ_τ / s_τ,   ℓ_τ = ℓ_{τ−1} + ln s_τ,   s_τ = max(‖Ẑ_τ‖_F, ν)

(ν the smallest normal number: only a product that is 0, or below ν, is not scaled to norm 1),
with the invariant Z_τ·e^{ℓ_τ} = P_{T,τ}ᵀ (P_{T,τ} = J_T ··· J_{T−τ+1}) and ‖Z_τ‖_F ≤ 1, so no lag
under- or overflows at any T (the scale lives in ℓ_τ, a sum of logarithms). Then
ln ‖P_{T,τ}‖₂ = ℓ_τ + ½ ln λ_max(Z_τᵀ Z_τ), and block (a, a) of P (the h- and c-curves) is
e^{ℓ_τ}·Z_τ[a, a]ᵀ.

The work fits a GPU: the step Jacobians of a chunk of C steps are built at once, (C, d, d), from the
cells' own ``jacobian_blocks`` (``cells._array_ops``); the stream is one d×d GEMM per lag (the dense
GEMM bound T·2d³); a stack of B consecutive Z_τ stays on the device and their λ_max are certified
together, those of the h and c blocks in the same call (``_topeig_batched``: block Krylov from the
previous stack's top vectors, Kato–Temple or Cholesky proofs, the eigensolver where neither proves;
one host step for all the curves), every lag of every curve to ``_certificate.EPS_BATCHED``; how many each route decided is the
result's ``proofs``.
The run itself goes through the namespace too (``cell.update`` with ``ArrayOps``).
"""

from collections import Counter

import numpy as np

from ..cells._array_ops import ArrayOps, column_params, dense_jacobians
from . import _namespace
from ._arguments import run_inputs
from ._batched import blas_threads
from ._certificate import eps_batched
from ._dense_steps import DenseSteps
from ._namespace import to_numpy
from ._topeig_batched import top_eigenvalues
from .probe import probe_curves
from .result import REPORTED_PARTS, CarouselPath


def chunk_size(d):
    """Steps whose Jacobians (and lags whose Z_τ) are held at once, C·d² numbers each: 32 (enough
    to fill a GPU with batched GEMMs at d ≥ 256), more for small d (fewer calls), at most 256."""
    return min(256, max(32, 2**20 // d**2))


def namespace_curves(cell, xs, s0, method, device, dtype, *, k=8, checks=3, seed=0):
    """``gradient_norms``' fields (lags and curves) on the namespace of xs or ``device``, checked as
    ``gradient_norms`` checks its arguments: the dense stream (``exact``) or the probe."""
    xp, where, kind = _namespace.namespace("gradient_norms", xs, device, dtype)
    xs, s0 = run_inputs("gradient_norms", cell, to_numpy(xs), None if s0 is None else to_numpy(s0))
    if not len(xs):
        raise ValueError("gradient_norms: xs must have at least one step")
    lags = np.arange(1, len(xs) + 1)
    if method == "probe":
        s0 = None if s0 is None else xp.asarray(s0, dtype=kind, device=where)
        states = to_numpy(namespace_run(cell, xp, where, kind, xp.asarray(xs, dtype=kind, device=where), s0))
        params = column_params(cell, xp, where, kind)

        def make(xs, states):
            return DenseSteps(cell, xp, where, kind, params, xs, states)

        with blas_threads(2 * cell.state_size**2 * (2 * k)):  # NumPy's share: the probes' QR factors
            return {
                "lags": lags,
                **probe_curves(cell, xs, states.astype(float), k=k, checks=checks, seed=seed, make=make),
            }
    with blas_threads(2 * cell.state_size**3):  # NumPy's share: the small Rayleigh–Ritz problems
        return {"lags": lags, **dense_stream_curves(cell, xp, where, kind, xs, s0)}


def namespace_run(cell, xp, device, dtype, xs, s0):
    """S = cell.run(xs, s0) with the namespace's arrays: (T+1, d) on ``device``."""
    p = column_params(cell, xp, device, dtype, columns=False)
    ops = ArrayOps(xp, device)
    s = xp.zeros(cell.state_size, dtype=dtype, device=device) if s0 is None else s0
    parts = tuple(s[part] for part in cell.part_slices())
    history = [parts]
    for x in xp.unstack(xs) if hasattr(xp, "unstack") else (xs[t, :] for t in range(xs.shape[0])):
        parts = tuple(cell.update(p, x, *parts, ops=ops))
        history.append(parts)
    # the parts stay apart in the loop (a GPU launches each kernel on its own): one stack each at the end
    states = xp.concat([xp.stack(list(part)) for part in zip(*history)], axis=1)
    bad = np.nonzero(~to_numpy(xp.all(xp.isfinite(states), axis=1)))[0]
    if bad.size:
        raise ValueError(f"{cell.key}: the state overflows at step t = {bad[0]} of the run")
    _namespace.refuse_relu_underflow(cell, xp, xs, states)
    return states


def dense_stream_curves(cell, xp, device, dtype, xs, s0):
    """The curves of ``GradientFlow`` (NumPy arrays) for xs (T, m), s0 (d,) or None on the namespace."""
    xs = xp.asarray(xs, dtype=dtype, device=device)
    s0 = None if s0 is None else xp.asarray(s0, dtype=dtype, device=device)
    states = namespace_run(cell, xp, device, dtype, xs, s0)
    T, d = xs.shape[0], cell.state_size
    parts = cell.state_parts
    # the curves GradientFlow carries, as the NumPy route (``exact``): the h block, and the c block if any
    names = ("log_norm",) + tuple(part for part in REPORTED_PARTS if len(parts) > 1 and part in parts)
    views = {"log_norm": slice(0, d), **dict(zip(parts, cell.part_slices()))}
    params = column_params(cell, xp, device, dtype)
    Z = xp.eye(d, dtype=dtype, device=device)
    log_steps, carousel = [], []
    curves = {name: np.full(T, -np.inf) for name in names}
    width, warm, proofs = np.zeros(T), {}, Counter()
    c = parts.index("c") if "c" in parts else None

    def certify(i_end, held):  # λ_max of the Z_τ held, for lags i_end − held + 1 .. i_end
        Zs, lags = stack[:held, ...], np.arange(i_end - held + 1, i_end + 1)
        blocks = [Zs if views[name] == slice(0, d) else Zs[:, views[name], views[name]] for name in names]
        found, decided = top_eigenvalues(xp, blocks, [warm.get(name) for name in names], eps=eps_batched(xp, dtype))
        proofs.update(decided)
        for name, (low, high, warm[name]) in zip(names, found):
            with np.errstate(divide="ignore"):
                curves[name][lags] = 0.5 * np.log(low)
                # ½ ln(high/low): the certified width (0 where λ = 0 exactly)
                w = np.where(high > low, 0.5 * np.log1p((high - low) / np.where(low > 0, low, 1.0)), 0.0)
            width[lags] = np.maximum(width[lags], np.where(low > 0, w, 0.0))

    i, chunk = 0, chunk_size(d)
    # Z_τ are written in place of the last stack's (certified by then; a GPU runs the writes after the
    # reads): one copy each while it is in cache, no stack of C arrays
    stack, held = xp.empty((min(chunk, T), d, d), dtype=dtype, device=device), 0
    floor = xp.asarray(xp.finfo(dtype).smallest_normal, dtype=dtype, device=device)
    for start in reversed(range(0, T, chunk)):
        stop = min(T, start + chunk)
        Js = dense_jacobians(cell, xp, xs[start:stop, :], states[start:stop, :], params, device)
        if c is not None:
            rows = cell.part_slices()[c]
            carousel.append(xp.flip(xp.linalg.diagonal(Js[:, rows, rows]), axis=0))
        JTs = xp.matrix_transpose(Js)
        for j in range(stop - start - 1, -1, -1):
            Z = JTs[j, ...] @ Z  # the operator: no wrapper's overhead in the hot loop
            scale = xp.maximum(xp.linalg.vector_norm(Z), floor)  # P = 0 stays 0 (λ = 0: ln‖P‖ = −inf)
            Z = Z / scale
            log_steps.append(scale)
            stack[held, ...] = Z
            held += 1
            if held == chunk:
                certify(i, held)
                held = 0
            i += 1
    if held:
        certify(T - 1, held)
    with np.errstate(divide="ignore"):
        logs = np.log(to_numpy(xp.stack(log_steps)).astype(float))
    if np.isnan(logs).any() or np.isposinf(logs).any():
        lag = int(np.nonzero(np.isnan(logs) | np.isposinf(logs))[0][0]) + 1
        raise ValueError(f"gradient_norms: a step Jacobian overflows at lag {lag}")
    ell = np.cumsum(logs)
    direct = None
    if c is not None:  # the diagonals of every chunk in one transfer
        direct = CarouselPath(T, cell.hidden_size)
        direct.add(to_numpy(xp.concat(carousel, axis=0)).astype(float))
    return {
        "log_norm": ell + curves["log_norm"],
        "blocks": {name: ell + curve for name, curve in curves.items() if name != "log_norm"},
        "log_norm_direct": None if direct is None else direct.curve,
        "error_bound": np.where(np.isfinite(ell), width, 0.0),
        "rank": np.full(T, d),
        "proofs": dict(proofs),
    }
