"""Counterexamples in a replayable JSON form, each tested for genericity.

``{kind, params, inputs, s0, lag, log_norm, generic, perturbation}`` (plus ``activation`` for rnn):
native parameter names with nested lists, inputs (T, m), the initial state, the lag τ and
ln‖∂s_T/∂s_{T−τ}‖₂ at that lag. Floats are kept exactly (JSON writes their shortest round-trip
repr), so a replay starts from the very numbers that were checked, and ``log_norm`` is always
measured here, never passed in.

Generic or measure-zero. A counterexample is *generic* when it survives small perturbations: every
weight, input and initial-state entry v moved by ε·(1 + |v|)·N(0, 1), ε = 1e-3 (far above rounding,
so a construction that needs exact cancellations breaks; small enough to leave the claim's
hypotheses intact unless they sit on their boundary), in each of TRIALS seeded trials, and
``refutes`` (the claim's own failure test, hypotheses included) still holds in every trial.
"""

import numpy as np

from ..cells import CELLS
from ._products import jacobian_products, log_spectral_norm

EPSILON = 1e-3
TRIALS = 8


def counterexample(cell, xs, s0, lag, refutes, **extra):
    """The JSON form of a counterexample: ``cell`` run on ``xs`` (T, m) from ``s0``, with
    ln‖∂s_T/∂s_{T−lag}‖₂ measured on that run, and its genericity: ``refutes(cell, xs, s0,
    log_norm) -> bool`` is the claim's failure test, which must hold here and is tried on
    perturbed copies; ``extra`` holds further measured quantities under their own names.
    Raises when ``refutes`` does not hold on the case itself: a check never records a case that
    does not refute its claim."""
    xs, s0 = np.asarray(xs, dtype=float), np.asarray(s0, dtype=float)
    log_norm = measured_log_norm(cell, xs, s0, lag)
    if not refutes(cell, xs, s0, log_norm):
        raise RuntimeError(
            f"the case found for a {cell.key} cell does not refute the claim: no counterexample to record"
        )
    record = {"kind": cell.key}
    if cell.key == "rnn":
        record["activation"] = cell.activation
    record.update(
        params={name: value.tolist() for name, value in cell.params.items()},
        inputs=xs.tolist(),
        s0=s0.tolist(),
        lag=int(lag),
        log_norm=float(log_norm),
    )
    record.update({k: float(v) for k, v in extra.items()})
    record.update(_genericity(cell, xs, s0, lag, refutes))
    return record


def measured_log_norm(cell, xs, s0, lag):
    return float(log_spectral_norm(*jacobian_products(cell, xs, s0, [lag])[lag]))


def _genericity(cell, xs, s0, lag, refutes):
    rng = np.random.default_rng(0)
    still, log_norms = 0, []
    for _ in range(TRIALS):
        moved = {name: _moved(value, rng) for name, value in cell.params.items()}
        perturbed = rebuild(cell, moved)
        xs_p, s0_p = _moved(xs, rng), _moved(s0, rng)
        log_norm = measured_log_norm(perturbed, xs_p, s0_p, lag)
        log_norms.append(log_norm)
        still += bool(refutes(perturbed, xs_p, s0_p, log_norm))
    return {
        "generic": still == TRIALS,
        "perturbation": {
            "epsilon": EPSILON,
            "rule": "v -> v + epsilon*(1 + |v|)*N(0, 1) on every weight, input and initial-state entry",
            "trials": TRIALS,
            "trials_still_refuting": still,
            "log_norm_min": float(np.min(log_norms)),
            "log_norm_max": float(np.max(log_norms)),
        },
    }


def _moved(value, rng):
    value = np.asarray(value, dtype=float)
    return value + EPSILON * (1 + np.abs(value)) * rng.normal(size=value.shape)


def rebuild(cell, params):
    """A cell of the same kind (and activation) with ``params``."""
    options = {"activation": cell.activation} if cell.key == "rnn" else {}
    return CELLS[cell.key](**options, **params)


def replay_cell(record):
    """The cell of a counterexample record (the package's own replay; tests use an independent one)."""
    options = {"activation": record["activation"]} if "activation" in record else {}
    return CELLS[record["kind"]](**options, **{k: np.array(v) for k, v in record["params"].items()})
