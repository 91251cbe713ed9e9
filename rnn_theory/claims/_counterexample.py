"""Counterexamples in the replayable JSON form of DESIGN.md section 5.

``{kind, params, inputs, s0, lag, log_norm}`` (plus ``activation`` for rnn): native parameter names
with nested lists, inputs (T, m), the initial state, the lag τ and ln‖∂s_T/∂s_{T−τ}‖₂ at that lag.
Floats are kept exactly (JSON writes their shortest round-trip repr), so a replay starts from the
very numbers that were checked, and ``log_norm`` is always measured here, never passed in.
"""

import numpy as np

from ..cells import CELLS
from ._products import jacobian_products, log_spectral_norm


def counterexample(cell, xs, s0, lag, **extra):
    """The JSON form of a counterexample: ``cell`` run on ``xs`` (T, m) from ``s0``, with
    ln‖∂s_T/∂s_{T−lag}‖₂ measured on that run; ``extra`` holds further measured quantities (e.g.
    the direct-path log-norm) under their own names."""
    xs = np.asarray(xs, dtype=float)
    log_norm = log_spectral_norm(*jacobian_products(cell, xs, s0, [lag])[lag])
    record = {"kind": cell.key}
    if cell.key == "rnn":
        record["activation"] = cell.activation
    record.update(
        params={name: value.tolist() for name, value in cell.params.items()},
        inputs=xs.tolist(),
        s0=np.asarray(s0, dtype=float).tolist(),
        lag=int(lag),
        log_norm=float(log_norm),
    )
    record.update({k: float(v) for k, v in extra.items()})
    return record


def replay_cell(record):
    """The cell of a counterexample record (the package's own replay; tests use an independent one)."""
    options = {"activation": record["activation"]} if "activation" in record else {}
    return CELLS[record["kind"]](**options, **{k: np.array(v) for k, v in record["params"].items()})
