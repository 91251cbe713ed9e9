"""``gradient_norms``: the gradient-norm-versus-lag curve of a cell on an input sequence."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _namespace
from ._arguments import integer, run_inputs
from ._batched import blas_threads
from ._cell_system import as_system
from .dense_stream import namespace_curves
from .exact import exact_curves
from .probe import probe_curves
from .result import GradientFlow

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..cells import Cell

METHODS = ("exact", "probe")


def gradient_norms(
    cell: Cell,
    xs: ArrayLike,
    s0: ArrayLike | None = None,
    method: str = "exact",
    *,
    k: int = 8,
    rtol: float | None = None,
    checks: int = 3,
    seed: int = 0,
    device: str | None = None,
    dtype: str | None = None,
) -> GradientFlow:
    """ln ‖∂s_T/∂s_{T−τ}‖₂ for every lag τ = 1..T, streamed backwards from T in the log domain.

    The run is S = cell.run(xs, s0) and J_t = cell.jacobian(xs[t−1], S[t−1]); lag τ pairs with the
    state s_{T−τ}, P_{T,τ} = J_T ··· J_{T−τ+1} (docs/design.md#notation). Memory O(T·d + d²).

    - ``method="exact"``: truncated QR-factored product (``rnn_theory.flow.exact``), every lag's
      log-norm accurate to rounding; ``rtol`` is the truncation threshold relative to ‖P‖₂ (default
      d·2⁻⁵², the rounding of one dense product step; 0 for no truncation) and
      ``checks`` the number of Gaussian check columns (error bound holds w.p. 1 − 10^(−checks)).
      Each block curve (h, c) has its own bound (``GradientFlow.block_error_bounds``): a block
      that falls under the truncation level, far below ‖P‖₂, is reported as an upper bound.
    - ``method="probe"``: probe vectors streamed from s_T (``rnn_theory.flow.probe``), each on
      the rows of one state part: max(k − checks, 1) started on the top directions at the T end
      and ``checks`` Gaussian for every lag, and up to 2k more for the lags ≤ 128 and ≤ 384,
      O(T·k·d²): every curve (full and blocks) a lower estimate (measured ≤ 0.05 below exact at
      lags ≥ 10 on the random cases and the trained checkpoints listed there) with an upper bound
      (w.p. 1 − 10^(−checks) each): ``error_bound``, ``block_error_bounds``.
    Products below ~2·1536³ flops run on one BLAS thread (``_batched.blas_threads``).
    ``seed`` fixes the random check/probe vectors, so results are deterministic.

    On another array library: when xs is an array of PyTorch, CuPy or any array-API library, or
    ``device`` is given ("cpu", "cuda": PyTorch's devices), ``method="exact"`` runs the dense stream on that namespace
    (``rnn_theory.flow.dense_stream``; needs array-api-compat), every lag's λ_max certified
    (``error_bound`` = the certified width in ln, ≤ 1e-9), and ``method="probe"`` applies each
    step's dense J_t there to the probe's vectors (``_dense_steps``; their QR factors and
    statistics in NumPy); results are NumPy arrays. ``dtype``
    "float64" (default) or "float32" (measured on a tanh RNN n = 64, LSTM n = 32 and GRU n = 32,
    T = 500: within 8e-6 of float64 in ln at every lag; its certificates prove widths ≤ 1.2e-4; the
    probe's, on a tanh RNN n = 24, LSTM n = 16 and GRU n = 12, T = 200: within 4.3e-3 of float64's,
    at most 2.9e-6 above the exact curve).

    xs (T, m); s0 (d,) or None (zeros). Returns a ``GradientFlow``.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["rnn"](W=0.5 * np.eye(2), U=np.zeros((2, 1)), b=np.zeros(2), activation="relu")
    >>> flow = gradient_norms(cell, np.zeros((3, 1)), s0=np.ones(2))
    >>> flow.lags, np.round(flow.log_norm / np.log(0.5), 12)
    (array([1, 2, 3]), array([1., 2., 3.]))
    """
    if method not in METHODS:
        raise ValueError(f"gradient_norms: method must be one of {METHODS}, got {method!r}")
    k, checks = integer("gradient_norms", "k", k, 1), integer("gradient_norms", "checks", checks, 0)
    seed = integer("gradient_norms", "seed", seed, 0)
    if rtol is not None and not 0 <= rtol < 1:
        raise ValueError(f"gradient_norms: rtol must be in [0, 1), got {rtol!r}")
    if _namespace.wants_namespace(xs, device):
        return GradientFlow(
            method=method, **namespace_curves(cell, xs, s0, method, device, dtype, k=k, checks=checks, seed=seed)
        )
    return system_flow(cell, xs, s0, method, k=k, rtol=rtol, checks=checks, seed=seed)


def system_flow(model, xs, s0=None, method="exact", *, k=8, rtol=None, checks=3, seed=0) -> GradientFlow:
    """``gradient_norms`` in NumPy for ``model``: a cell, or a ``system.RecurrentSystem`` that reads
    inputs like a cell (``input_size``: a stack, ``flow.stack.Stack``). xs and s0 are checked against
    ``model``; method, k, rtol, checks and seed are taken as checked (``gradient_norms`` checks them). One
    curve per block the system names (``GradientFlow.blocks``)."""
    xs, s0 = run_inputs("gradient_norms", model, xs, s0)
    system = as_system(model)
    states = system.run(xs, s0)
    d = system.state_size
    # The widest product of a lag: J_tᵀ on d columns (exact's dense phase) or on the probes.
    with blas_threads(2 * d * d * (d if method == "exact" else len(system.layout) * (k + checks))):
        if method == "exact":
            curves = exact_curves(system, xs, states, rtol=rtol, checks=checks, seed=seed)
        else:
            curves = probe_curves(system, xs, states, k=k, checks=checks, seed=seed)
    return GradientFlow(method=method, lags=np.arange(1, len(xs) + 1), **curves)
