"""Trajectory statistics of a run: φ'(a_t), gate values, memory time constants, recurrent spectra.

One implementation for every cell, read from the cell's declarations (``Cell.gates``,
``Cell.retention``, ``Cell.recurrent_matrices``): gate values are recorded while the cell's own
``update`` runs (the equations written once), for all T steps at once on (n, T) columns; each
nonlinearity it evaluates is matched, in order, to the cell's declared ``gates``. GRU convention:
z is the share of new content, h' = (1 − z)⊙h + z⊙h̃ (PyTorch/Keras call 1 − z their update gate).

On another array library (a PyTorch or other array-API array as xs or states, or ``device``, as
``gradient_norms`` takes them): the run (``dense_stream.namespace_run``, which refuses a run that
overflows, or underflows a relu cell's range), the recorded ``update`` (``cells._array_ops.ArrayOps``)
and φ'(a) are computed on that namespace; the (T, n) values then come to the host, where the
quantiles (which the array API standard lacks) and the retention's means are taken as on the NumPy
path. Results are NumPy arrays and floats, the same structure either way. ρ(W) and σ_max(W) stay on
NumPy (the standard has no general eigenvalue solver, and the cell's weights are NumPy's).

>>> import numpy as np, rnn_theory as rt
>>> cell = rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=0)
>>> xs = np.ones((4, 2))
>>> gates = gate_values(cell, xs, cell.run(xs))
>>> sorted(gates), gates["z"].shape
(['n', 'r', 'z'], (4, 3))
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from ..cells import _numpy_ops
from ..cells._array_ops import ArrayOps
from ..cells._base import NOT_GATES
from . import _namespace
from ._arguments import run_inputs
from ._namespace import to_numpy
from ._plan import column_params
from .dense_stream import namespace_run

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..cells import Cell

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_HARD = ("hard_sigmoid_keras2", "hard_sigmoid_keras3")
_ACTIVATIONS = ("sigmoid", "tanh", "relu", "exp", *_HARD)


def summary(values):
    """Mean, min, max and the quantiles 5, 25, 50, 75, 95 % of all entries (JSON-ready floats;
    ±inf and NaN, e.g. the infinite memory time of a unit that never forgets, become None).

    >>> summary([0.0, 1.0, 2.0, 3.0, 4.0])["q50"], summary([1.0, 3.0])["mean"]
    (2.0, 2.0)
    """
    v = np.asarray(values, dtype=float).ravel()
    with np.errstate(invalid="ignore"):
        out = {"mean": v.mean(), "min": v.min(), "max": v.max()}
        out.update({f"q{round(100 * q):02d}": x for q, x in zip(QUANTILES, np.quantile(v, QUANTILES))})
    return {key: float(x) if np.isfinite(x) else None for key, x in out.items()}


def flat_fractions(values):
    """The fractions of a hard-sigmoid gate's values on its flat parts, where it is saturated exactly
    and its derivative is 0: ``flat`` (= 0 or = 1), ``flat_at_0``, ``flat_at_1``.

    >>> flat_fractions([0.0, 0.2, 1.0, 1.0])
    {'flat': 0.75, 'flat_at_0': 0.25, 'flat_at_1': 0.5}
    """
    v = np.asarray(values, dtype=float)
    low, high = float(np.mean(v == 0)), float(np.mean(v == 1))
    return {"flat": low + high, "flat_at_0": low, "flat_at_1": high}


def recurrent_spectra(cell: Cell) -> dict[str, dict[str, float]]:
    """For each recurrent matrix (``cell.recurrent_matrices()``): spectral radius ρ(W) and largest
    singular value σ_max(W). W_* of the rnn, LSTM family and GRUs; for the lru its state matrix A
    (ρ = σ_max = max r_k); mingru and minlstm have none.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["rnn"](W=[[0.0, 2.0], [0.5, 0.0]], U=[[1.0], [1.0]], b=[0.0, 0.0])
    >>> recurrent_spectra(cell)
    {'W': {'spectral_radius': 1.0, 'sigma_max': 2.0}}
    """
    return {
        name: {"spectral_radius": float(np.abs(np.linalg.eigvals(W)).max()), "sigma_max": float(np.linalg.norm(W, 2))}
        for name, W in cell.recurrent_matrices().items()
    }


class _RecordingOps:
    """An ``ops`` backend (the NumPy one, or an ``ArrayOps``), except that every activation it
    evaluates is also kept, with its argument."""

    def __init__(self, backend):
        self.backend, self.calls = backend, []

    def __getattr__(self, name):
        function = getattr(self.backend, name)
        if name not in _ACTIVATIONS:
            return function

        def recorded(a):
            value = function(a)
            self.calls.append((name, a, value))
            return value

        return recorded


def nonlinearities(cell, xs, states, space=None):
    """Every declared nonlinearity over the run: name -> (Gate, argument (T, n), value (T, n)).

    states = cell.run(xs, s0) (T+1 rows); step t sees x_t = xs[t−1], s_{t−1} = states[t−1].
    With ``space`` = (xp, device, dtype) (``_namespace.namespace``), xs and states are arrays of
    the namespace xp, and so are the arguments and values.
    """
    declared = tuple(cell.gates)
    ops, params = _RecordingOps(_backend(space)), column_params(cell)
    if space is None:
        xs = np.asarray(xs, dtype=float)
    else:
        xp, device, dtype = space
        params = SimpleNamespace(
            **{k: xp.asarray(v, dtype=dtype, device=device, copy=True) for k, v in vars(params).items()}
        )
    parts = [states[:-1, rows].T for rows in cell.part_slices()]
    cell.update(params, xs.T, *parts, ops=ops)
    evaluated = tuple(name for name, _, _ in ops.calls)
    if evaluated != tuple(g.activation for g in declared):  # the declaration must match the equations
        raise RuntimeError(
            f"{cell.key}: update evaluates {evaluated}, its declared gates say {tuple(g.activation for g in declared)}"
        )
    return {g.name: (g, a.T, v.T) for g, (_, a, v) in zip(declared, ops.calls)}


def _backend(space):
    """The ``ops`` of the NumPy path (space None) or of the namespace space = (xp, device, dtype)."""
    return _numpy_ops if space is None else ArrayOps(space[0], space[1])


def gate_values(
    cell: Cell, xs: ArrayLike, states: ArrayLike, *, device: str | None = None, dtype: str | None = None
) -> dict[str, np.ndarray]:
    """Gate values over the run: name -> (T, n) array, gate at step t = 1..T (row t − 1).

    The gates are the cell's declared ``gates`` other than the state's own φ and the readout
    tanh(c'): i, f, g, o (LSTM; the variants theirs), r, z, n (GRUs), z (mingru), f, i (minlstm).
    With a PyTorch (or other array-API) array as xs or states, or ``device``, the gates are computed
    on that namespace (``dtype`` "float64" by default, or "float32"); the values are NumPy arrays.
    """
    space = None
    foreign = xs if _namespace.wants_namespace(xs, None) else states  # the array whose namespace it is
    if _namespace.wants_namespace(foreign, device):
        space = _namespace.namespace("gate_values", foreign, device, dtype)
        xs, states = (space[0].asarray(a, dtype=space[2], device=space[1]) for a in (xs, states))
    found = nonlinearities(cell, xs, states, space)
    return {name: to_numpy(value) for name, (g, _, value) in found.items() if g.role not in NOT_GATES}


def memory_time_constants(cell: Cell, gates: dict[str, np.ndarray]) -> np.ndarray | None:
    """Per unit, −1/mean_t ln(retention): the e-folding time (steps) of the direct memory path.

    Retention is the cell's declared one (``Cell.retention``): f for lstm, peephole, cifg (∞ for
    lstm_nofg, whose f ≡ 1), f̂ = f/(f + i) for minlstm and 1 − z for the GRUs and mingru. None for
    cells without one (rnn, lru). Returns an array (n,).
    """
    kept = cell.retention(gates) if gates else None
    if kept is None:
        return None
    with np.errstate(divide="ignore"):
        mean = np.log(kept).mean(axis=0)
        return np.where(mean == 0, np.inf, -1.0 / np.where(mean == 0, -1.0, mean))


def trajectory_statistics(
    cell: Cell, xs: ArrayLike, s0: ArrayLike | None = None, *, device: str | None = None, dtype: str | None = None
) -> dict:
    """Statistics of the run S = cell.run(xs, s0), JSON-ready; for a batch xs (B, T, m), of all B
    runs from s0 pooled (on the namespace of xs or ``device`` for a PyTorch or other array-API
    array, or ``device``, ``dtype`` "float64" by default or "float32", as the module says):

    - ``recurrent``: ``recurrent_spectra(cell)``;
    - ``activation_derivative``: summary of φ'(a_t) over all steps and units of the state's own
      nonlinearity (rnn: a_t = W h_{t−1} + U x_t + b, φ' ∈ {tanh', σ', relu'}; else None);
    - ``gates``: name -> summary of the gate's values (``gate_values``); for a hard-sigmoid gate also
      the fractions of its values on the flat parts (``flat_fractions``), where its derivative is 0;
    - ``memory_time``: summary of the per-unit ``memory_time_constants`` (None where undefined),
      and ``memory_time_per_unit``, the list itself.
    """
    space = None
    if _namespace.wants_namespace(xs, device):
        space = _namespace.namespace("trajectory_statistics", xs, device, dtype)
        xs = to_numpy(xs)
    xs = np.asarray(xs, dtype=float)
    runs = [_recorded(cell, seq, s0, space) for seq in (xs if xs.ndim == 3 else xs[None])]
    concat = np.concatenate if space is None else space[0].concat
    found = {
        name: (g, concat([r[name][1] for r in runs]), concat([r[name][2] for r in runs]))
        for name, (g, _, _) in runs[0].items()
    }
    derivative = None
    for g, a, _ in found.values():
        if g.role == "state":
            derivative = summary(to_numpy(getattr(_backend(space), "d" + g.activation)(a)))
    gates = {name: to_numpy(value) for name, (g, _, value) in found.items() if g.role not in NOT_GATES}
    hard = {name for name, (g, _, _) in found.items() if g.activation in _HARD}
    tau = memory_time_constants(cell, gates)
    return {
        "recurrent": recurrent_spectra(cell),
        "activation_derivative": derivative,
        "gates": {g: summary(v) | (flat_fractions(v) if g in hard else {}) for g, v in gates.items()},
        "memory_time": None if tau is None else summary(tau),
        "memory_time_per_unit": None if tau is None else [float(t) if np.isfinite(t) else None for t in tau],
    }


def _recorded(cell, xs, s0, space):
    """``nonlinearities`` of the run of xs (T, m) from s0, on the NumPy path or the namespace ``space``
    (there xs and s0 are checked on the host as ``lyapunov_spectrum`` checks them, then moved)."""
    if space is None:
        return nonlinearities(cell, xs, cell.run(xs, s0))
    xp, device, dtype = space
    xs, s0 = run_inputs("trajectory_statistics", cell, xs, None if s0 is None else to_numpy(s0))
    xs = xp.asarray(xs, dtype=dtype, device=device)
    s0 = None if s0 is None else xp.asarray(s0, dtype=dtype, device=device)
    return nonlinearities(cell, xs, namespace_run(cell, xp, device, dtype, xs, s0), space)
