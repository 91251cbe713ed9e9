"""Lyapunov exponents (Benettin's QR method, as ``lyapunov``) on any array-API namespace: the run
and the step Jacobians there (``dense_stream.namespace_run``, ``cells._array_ops.dense_jacobians``,
C steps at once), Q_t R_t = J_t Q_{t−1} by the namespace's QR, the sums of ln |(R_t)_ii| on the host."""

import numpy as np

from ..cells._array_ops import column_params, dense_jacobians
from . import _namespace
from ._arguments import integer, run_inputs
from ._batched import blas_threads
from ._namespace import to_numpy
from .dense_stream import chunk_size, namespace_run


def namespace_spectrum(cell, xs, s0, k, *, burn_in, seed, device, dtype):
    """``lyapunov_spectrum``'s result (k,) on the namespace of xs or ``device``, from the NumPy
    path's start Q_0 (the same seeded random orthogonal matrix), arguments checked as it checks them."""
    where = "lyapunov_spectrum"
    xp, device, dtype = _namespace.namespace(where, xs, device, dtype)
    xs, s0 = run_inputs(where, cell, to_numpy(xs), None if s0 is None else to_numpy(s0))
    burn_in = integer(where, "burn_in", burn_in, 0, len(xs) - 1)
    d = cell.state_size
    Q = np.linalg.qr(np.random.default_rng(integer(where, "seed", seed, 0)).standard_normal((d, d)))[0][:, :k]
    with blas_threads(2 * d * d * k):
        sums = _benettin_sums(cell, xp, device, dtype, xs, s0, Q, burn_in)
    return np.sort(sums / (len(xs) - burn_in))[::-1]


def _benettin_sums(cell, xp, device, dtype, xs, s0, Q0, burn_in):
    """Σ_{t > burn_in} ln |diag R_t| (k,) for xs (T, m), s0 (d,) or None, Q0 (d, k) orthonormal (NumPy)."""
    xs = xp.asarray(xs, dtype=dtype, device=device)
    s0 = None if s0 is None else xp.asarray(s0, dtype=dtype, device=device)
    states = namespace_run(cell, xp, device, dtype, xs, s0)
    params, T = column_params(cell, xp, device, dtype), xs.shape[0]
    Q, logs = xp.asarray(Q0, dtype=dtype, device=device), []
    chunk = chunk_size(cell.state_size)
    for start in range(0, T, chunk):
        stop = min(T, start + chunk)
        Js = dense_jacobians(cell, xp, xs[start:stop, :], states[start:stop, :], params, device)
        for j in range(stop - start):
            Q, R = xp.linalg.qr(Js[j, ...] @ Q)
            if start + j + 1 > burn_in:  # t = start + j + 1
                logs.append(xp.abs(xp.linalg.diagonal(R)))
    with np.errstate(divide="ignore"):
        return np.log(to_numpy(xp.stack(logs)).astype(float)).sum(axis=0)
