"""Trajectory statistics of a run: φ'(a_t), gate values, memory time constants, recurrent spectra.

Gate values come from the cells' own pre-activation code (``affine``, the LSTM family's
``input_preactivations``/``output_preactivation``, the GRU's ``candidate_preactivation``), run
for all T steps at once on (n, T) columns. Gate letters are those of DESIGN.md section 3; σ for
every gate, tanh for the candidates g (LSTM) and n (GRU). GRU convention: z is the share of new
content, h' = (1 − z)⊙h + z⊙h̃ (PyTorch/Keras call 1 − z their update gate).
"""

import numpy as np

from ..cells import _numpy_ops as ops
from ..cells._base import affine
from ._batched import column_params

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
_LSTM_FAMILY = ("lstm", "lstm_nofg", "peephole", "cifg")


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


def recurrent_spectra(cell):
    """For each recurrent matrix: spectral radius ρ(W) and largest singular value σ_max(W).

    W_* of the rnn, LSTM family and GRUs; for the lru its state matrix A (ρ = σ_max = max r_k).
    mingru and minlstm have none.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["rnn"](W=[[0.0, 2.0], [0.5, 0.0]], U=[[1.0], [1.0]], b=[0.0, 0.0])
    >>> recurrent_spectra(cell)
    {'W': {'spectral_radius': 1.0, 'sigma_max': 2.0}}
    """
    p = cell.params
    mats = {name: W for name, W in p.items() if name.startswith("W")}
    if cell.key == "lru":
        mats = {"A": ops.rotation_blocks(p["r"], p["theta"])}
    return {
        name: {"spectral_radius": float(np.abs(np.linalg.eigvals(W)).max()), "sigma_max": float(np.linalg.norm(W, 2))}
        for name, W in mats.items()
    }


def gate_values(cell, xs, states):
    """Gate values over the run: letter -> (T, n) array, gate at step t = 1..T (row t − 1).

    states = cell.run(xs, s0) (T+1 rows); the gates of step t see x_t = xs[t−1], s_{t−1} = states[t−1].
    """
    p = column_params(cell)
    n = cell.hidden_size
    X, h = np.asarray(xs, dtype=float).T, states[:-1, :n].T
    letters = [name[2:] for name in cell.param_shapes if name.startswith("U_")]
    if cell.key in _LSTM_FAMILY:
        c = states[:-1, n:].T
        pre = dict(zip([g for g in letters if g != "o"], cell.input_preactivations(p, X, h, c)))
        pre["o"] = cell.output_preactivation(p, X, h, cell.cell_update(p, X, h, c, ops=ops))
        gates = {g: (ops.tanh if g == "g" else ops.sigmoid)(a) for g, a in pre.items()}
    elif cell.key in ("gru", "gru_rb"):
        gates = {g: ops.sigmoid(affine(p, g, X, h)) for g in "rz"}
        gates["n"] = ops.tanh(cell.candidate_preactivation(p, X, h, gates["r"]))
    elif cell.key in ("mingru", "minlstm"):
        gates = {g: ops.sigmoid(affine(p, g, X)) for g in letters if g != "h"}
        if cell.key == "minlstm":
            gates["f_hat"] = gates["f"] / (gates["f"] + gates["i"])
    else:
        gates = {}
    return {g: a.T for g, a in gates.items()}


def memory_time_constants(cell, gates):
    """Per unit, −1/mean_t ln(retention): the e-folding time (steps) of the direct memory path.

    Retention is f for lstm, peephole, cifg (∞ for lstm_nofg, whose f ≡ 1), f̂ for minlstm and
    1 − z for the GRUs and mingru. None for rnn and lru. Returns an array (n,).
    """
    if cell.key == "lstm_nofg":
        return np.full(cell.hidden_size, np.inf)
    retention = {"minlstm": "f_hat", "gru": "z", "gru_rb": "z", "mingru": "z"}.get(cell.key, "f")
    if retention not in gates:
        return None
    kept = 1 - gates["z"] if retention == "z" else gates[retention]
    with np.errstate(divide="ignore"):
        return -1.0 / np.log(kept).mean(axis=0)


def trajectory_statistics(cell, xs, s0=None):
    """Statistics of the run S = cell.run(xs, s0), JSON-ready:

    - ``recurrent``: ``recurrent_spectra(cell)``;
    - ``activation_derivative``: summary of φ'(a_t) over all steps and units (rnn only, else None),
      a_t = W h_{t−1} + U x_t + b, φ' ∈ {tanh', σ', relu'};
    - ``gates``: letter -> summary of the gate's values (``gate_values``);
    - ``memory_time``: summary of the per-unit ``memory_time_constants`` (None where undefined),
      and ``memory_time_per_unit``, the list itself.
    """
    states = cell.run(xs, s0)
    gates = gate_values(cell, xs, states)
    derivative = None
    if cell.key == "rnn":
        p = cell.params
        a = states[:-1] @ p["W"].T + np.asarray(xs, dtype=float) @ p["U"].T + p["b"]
        derivative = summary(getattr(ops, "d" + cell.activation)(a))
    tau = memory_time_constants(cell, gates)
    return {
        "recurrent": recurrent_spectra(cell),
        "activation_derivative": derivative,
        "gates": {g: summary(v) for g, v in gates.items()},
        "memory_time": None if tau is None else summary(tau),
        "memory_time_per_unit": None if tau is None else [float(t) if np.isfinite(t) else None for t in tau],
    }
