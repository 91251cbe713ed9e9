"""Lyapunov exponents of a driven run, by QR re-orthonormalisation (Benettin et al. 1980).

For the run s_t = F(s_{t−1}, x_t), t = 1..T, with J_t = ∂s_t/∂s_{t−1}:

    Q_t R_t = J_t Q_{t−1},    λ_i = (1/T')·Σ_t ln |(R_t)_ii|    (natural log, per step)

over the T' = T − burn_in steps after ``burn_in``, starting from Q_0 = the first k columns of a
seeded random orthogonal matrix. Cost O(T·(k·d² + d·k²)). For a linear cell (J_t = A) the exponents
converge to ln|eigenvalues of A| (Oseledets). ``largest_lyapunov`` is the k = 1 case without QR:
v_t = J_t v_{t−1}/‖J_t v_{t−1}‖, λ_1 = mean ln ‖J_t v_{t−1}‖.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _namespace
from ._arguments import integer, run_inputs
from ._batched import blas_threads, chunked_jacobians
from ._cell_system import as_system
from ._lyapunov_namespace import namespace_spectrum

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..cells import Cell


def lyapunov_spectrum(
    cell: Cell,
    xs: ArrayLike,
    s0: ArrayLike | None = None,
    k: int | None = None,
    *,
    burn_in: int = 0,
    seed: int = 0,
    device: str | None = None,
    dtype: str | None = None,
) -> np.ndarray:
    """The k leading Lyapunov exponents (all d when k is None), descending, natural log per step.

    cell: a cell, or a stack of them (``flow.stack.Stack``); xs (T, m), s0 (d,) or None (zeros). Returns an array (k,). With an array of PyTorch, CuPy or any
    array-API library as xs, or ``device`` ("cpu", "cuda"), it runs on that namespace (``_lyapunov_namespace``; dtype
    "float64" by default or "float32"), from the same start Q_0; the result is a NumPy array.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["lru"](r=[0.5, 0.9], theta=[0.3, 1.0], B=np.zeros((4, 1)))
    >>> exponents = lyapunov_spectrum(cell, np.zeros((100, 1)), burn_in=60)  # (0.5/0.9)^60 < 1e-15
    >>> np.round(exponents - np.log([0.9, 0.9, 0.5, 0.5]), 12)
    array([0., 0., 0., 0.])
    """
    d = cell.state_size
    k = d if k is None else integer("lyapunov_spectrum", "k", k, 1, d)
    if _namespace.wants_namespace(xs, device):
        return namespace_spectrum(cell, xs, s0, k, burn_in=burn_in, seed=seed, device=device, dtype=dtype)
    states, xs, burn_in, seed, system = _run("lyapunov_spectrum", cell, xs, s0, burn_in, seed)
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))[0][:, :k]
    sums = np.zeros(k)
    with np.errstate(divide="ignore"), blas_threads(2 * d * d * k):
        for t, Js, j in chunked_jacobians(system.step_operators, xs, states):
            Q, R = np.linalg.qr(Js.apply(Q, j))
            if t > burn_in:
                sums += np.log(np.abs(np.diagonal(R)))
    return np.sort(sums / (len(xs) - burn_in))[::-1]


def largest_lyapunov(
    cell: Cell, xs: ArrayLike, s0: ArrayLike | None = None, *, burn_in: int = 0, seed: int = 0
) -> float:
    """λ_1 alone, by a renormalised tangent vector: O(T·d²), no QR.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["rnn"](W=np.diag([0.8, -1.25]), U=np.zeros((2, 1)), b=np.zeros(2), activation="relu")
    >>> # J_t = diag(0.8, 0) (relu' = 0 on unit 1): after the first step v is along unit 0.
    >>> round(float(largest_lyapunov(cell, np.zeros((40, 1)), s0=[1.0, 1.0], burn_in=1)), 12)
    -0.223143551314
    """
    states, xs, burn_in, seed, system = _run("largest_lyapunov", cell, xs, s0, burn_in, seed)
    v = np.random.default_rng(seed).standard_normal(cell.state_size)
    v /= np.linalg.norm(v)
    total = 0.0
    with np.errstate(divide="ignore"), blas_threads(2 * cell.state_size**2):
        for t, Js, j in chunked_jacobians(system.step_operators, xs, states):
            v = Js.apply(v[:, None], j)[:, 0]
            growth = np.linalg.norm(v)
            if t > burn_in:
                total += np.log(growth)
            if growth == 0:
                return -np.inf
            v /= growth
    return total / (len(xs) - burn_in)


def _run(where, cell, xs, s0, burn_in, seed):
    """(states, xs, burn_in, seed, the ``system.RecurrentSystem`` of ``cell``: a cell's ``CellSystem``,
    or a system that reads inputs like a cell, a stack ``flow.stack.Stack``), each checked."""
    xs, s0 = run_inputs(where, cell, xs, s0)
    burn_in = integer(where, "burn_in", burn_in, 0, len(xs) - 1)
    system = as_system(cell)
    return system.run(xs, s0), xs, burn_in, integer(where, "seed", seed, 0), system
