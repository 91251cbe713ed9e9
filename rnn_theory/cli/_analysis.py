"""What ``rnn-theory analyze`` measures on one cell and one run: the content of its JSON report.

The run starts from the zero state, s_0 = 0, and steps through xs (T, m). Lag τ = 1..T pairs with
the state at T − τ: log_norm[τ−1] = ln‖∂s_T/∂s_{T−τ}‖₂ (DESIGN.md sections 2 and 5). Gates are
recorded while the cell runs its own ``update`` (the equations written once): every σ the update
evaluates is a gate, named by the cell's gate letters in parameter order.

>>> import numpy as np
>>> from rnn_theory import CELLS
>>> cell = CELLS["gru"].random(hidden_size=3, input_size=2, rng=0)
>>> gates = gate_trajectories(cell, np.ones((4, 2)))
>>> sorted(gates), gates["z"].shape
(['r', 'z'], (4, 3))
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops
from ..flow import gradient_norms, lyapunov_spectrum

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_CANDIDATES = ("g", "n", "h")  # the tanh/linear candidates, not gates


def gate_letters(cell):
    """Letters of the σ-gates of a gated cell in the order its update evaluates them; () if none."""
    if cell.key in ("rnn", "lru"):
        return ()
    letters = [name[2:] for name in cell.param_shapes if name.startswith("b_")]
    return tuple(letter for letter in letters if letter not in _CANDIDATES)


class _RecordingOps:
    """The NumPy backend, except that every σ it evaluates is also kept in ``values``."""

    def __init__(self):
        self.values = []

    def __getattr__(self, name):
        return getattr(_numpy_ops, name)

    def sigmoid(self, a):
        value = _numpy_ops.sigmoid(a)
        self.values.append(value)
        return value


def gate_trajectories(cell, xs):
    """Gate values along the run from s_0 = 0: dict letter -> (T, n) array."""
    letters = gate_letters(cell)
    if not letters:
        return {}
    ops, params, s = _RecordingOps(), SimpleNamespace(**cell.params), np.zeros(cell.state_size)
    trajectory = []
    for x in xs:
        ops.values.clear()
        s = np.concatenate(cell.update(params, x, *np.split(s, len(cell.state_parts)), ops=ops))
        if len(ops.values) != len(letters):  # guards the naming rule of gate_letters
            raise RuntimeError(f"{cell.key}: update evaluated {len(ops.values)} sigmoids for gates {letters}")
        trajectory.append(list(ops.values))
    return {letter: np.array([step[k] for step in trajectory]) for k, letter in enumerate(letters)}


def gate_statistics(cell, xs):
    """Per gate: mean and quantiles of all its values (units × steps) over the run."""
    return {
        letter: {"mean": float(values.mean()),
                 "quantiles": {f"{q:g}": float(v) for q, v in zip(QUANTILES, np.quantile(values, QUANTILES))}}
        for letter, values in gate_trajectories(cell, xs).items()
    }


def recurrent_matrices(cell):
    """The cell's n×n recurrent matrices by native name (the LRU's A assembled from r, θ)."""
    if cell.key == "lru":
        return {"A": _numpy_ops.rotation_blocks(cell.params["r"], cell.params["theta"])}
    return {name: value for name, value in cell.params.items() if name == "W" or name.startswith("W_")}


def matrix_statistics(cell):
    return {
        name: {"spectral_radius": float(np.abs(np.linalg.eigvals(M)).max()), "sigma_max": float(np.linalg.norm(M, 2))}
        for name, M in recurrent_matrices(cell).items()
    }


def _finite_or_none(values):
    """JSON has no infinities: ln 0 (an exactly vanished gradient, e.g. dead ReLUs) becomes null."""
    return [float(v) if np.isfinite(v) else None for v in np.asarray(values, dtype=float)]


def analysis(cell, xs, exponents=None, burn_in=0):
    """The measured part of the report: sizes, recurrent matrices, lag curves, Lyapunov, gates."""
    curves = {key: value for key, value in gradient_norms(cell, xs).to_dict().items() if value is not None}
    report = {
        "kind": cell.key,
        "hidden_size": cell.hidden_size,
        "input_size": cell.input_size,
        "state_size": cell.state_size,
        "steps": len(xs),
        "recurrent": matrix_statistics(cell),
        **{key: curves.pop(key) for key in ("lags", "log_norm", "log_norm_h")},
        "lyapunov": _finite_or_none(lyapunov_spectrum(cell, xs, k=exponents, burn_in=burn_in)),
        # The QR frame starts random: its first steps are a transient, left out of the averages.
        "lyapunov_burn_in": burn_in,
    }
    # The rest of the flow record: log_norm_c and log_norm_direct (LSTM family), method, error_bound, rank.
    report.update(curves)
    if cell.key == "rnn":
        report["activation"] = cell.activation
    gates = gate_statistics(cell, xs)
    if gates:
        report["gates"] = gates
    return report
