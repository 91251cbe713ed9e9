"""Does the RG-LRU's factor √(1 − a_t²) keep the state at its input's scale? The package's question of
the RG-LRU's input term (De et al. 2024)."""

import numpy as np

from ..cells import CELLS
from ._counterexample import counterexample
from ._registry import Source, claim
from ._typical import classify, outcome, typical_verdict
from .retention import _rglru_retention, _sigmoid


def _rglru_drive(cell, xs):
    """(a_t, u_t = i_t ⊙ x̃_t) per step and unit, from the paper's equations."""
    p = cell.params
    x_in = xs @ p["W_in"].T
    i = _sigmoid(x_in @ p["W_x"].T + p["b_x"])
    return np.array([_rglru_retention(p, x) for x in xs]), i * x_in


def _stationary_rms(a, u):
    """The stationary RMS of h_t = a_t h_{t−1} + v_t, v_t = √(1 − a_t²) u_t, for inputs independent
    across time: E[h] = E[v]/(1 − E[a]), E[h²] = (E[v²] + 2 E[a v] E[h])/(1 − E[a²]) (per unit)."""
    v = np.sqrt(1 - a * a) * u
    mean = v.mean(0) / (1 - a.mean(0))
    return np.sqrt(((v * v).mean(0) + 2 * (a * v).mean(0) * mean) / (1 - (a * a).mean(0)))


SCALE_STEPS, SCALE_BURN_IN = 1500, 300
SCALE_FACTOR = 2.0  # "keeps the scale": RMS(h)/RMS(i ⊙ x̃) within a factor 2


def _scale_case(seed):
    """Per unit of one RG-LRU at initialisation (n = m = 8) on white N(0, 1) inputs: measured RMS(h)/RMS(u)
    and the measured RMS(h) against the stationary prediction."""
    cell = CELLS["rglru"].random(hidden_size=8, input_size=8, rng=seed)
    xs = np.random.default_rng(10_000 + seed).normal(size=(SCALE_STEPS, 8))
    a, u = _rglru_drive(cell, xs)
    h = cell.run(xs)[1 + SCALE_BURN_IN :]
    measured = np.sqrt((h * h).mean(0))
    rms_u = np.sqrt((u[SCALE_BURN_IN:] ** 2).mean(0))
    return measured / rms_u, measured / _stationary_rms(a[SCALE_BURN_IN:], u[SCALE_BURN_IN:])


def _constant_drive_gain(cell, xs):
    """Per unit |h_T|/|u| for a constant input (u and a constant), measured and predicted
    √(1 − a²)(1 − a^T)/(1 − a) (the geometric sum of the recurrence from h_0 = 0)."""
    a, u = _rglru_drive(cell, xs[:1])
    h = cell.run(xs)[-1]
    predicted = np.sqrt(1 - a[0] ** 2) * (1 - a[0] ** len(xs)) / (1 - a[0])
    return np.abs(h / u[0]), predicted


def _loses_scale(cell, xs, _s0, _log_norm):
    """Refutes 'typically keeps the scale' on a white-input run: the median unit's RMS(h)/RMS(u) is
    off by more than SCALE_FACTOR."""
    u = _rglru_drive(cell, xs)[1][SCALE_BURN_IN:]
    h = cell.run(xs)[1 + SCALE_BURN_IN :]
    return abs(np.log(np.median(np.sqrt((h * h).mean(0) / (u * u).mean(0))))) > np.log(SCALE_FACTOR)


def _amplifies(cell, xs, _s0, _log_norm):
    """Refutes 'the state keeps its input's scale': some unit's |h_T| exceeds SCALE_FACTOR·|u|."""
    return _constant_drive_gain(cell, xs)[0].max() > SCALE_FACTOR


SCALE_SEEDS = range(10)  # the same in quick and full runs: they decide the typical reading


@claim(
    id="rnn-theory.rglru-normalised-scale",
    aliases=("de2024.rglru-normalised-scale",),
    statement="the RG-LRU's factor √(1 − a_t²) keeps the state at the scale of its gated input i_t ⊙ x_t, whatever a_t",
    source=Source(
        "de2024",
        None,
        "the RG-LRU's input term √(1 − a_t²) ⊙ (i_t ⊙ x_t)",
        "derived",
        "a question the package asks of the RG-LRU's input term, in the package's words ('whatever a_t'), filed under "
        "an id that names no work: the term's purpose is commonly explained so (for inputs white in time, h's "
        "stationary variance is then that of the input); the paper's text was not read, so nothing is quoted",
    ),
    asks="worst_case",
    method=f"worst case: a random RG-LRU (n = m = 4) driven by one input held for T = 400 steps, |h_T|/|u| per unit "
    f"against √(1 − a²)(1 − a^T)/(1 − a); typical: RG-LRUs at initialisation (n = m = 8, a^c ~ U[0.9, 0.999]) on "
    f"white N(0, 1) inputs, {SCALE_STEPS} steps after {SCALE_BURN_IN} burn-in, {len(SCALE_SEEDS)} seeds: RMS(h)/"
    f"RMS(i ⊙ x̃) per unit, and RMS(h) against its stationary prediction from the moments of (a_t, u_t); a seed counts "
    f"when the median unit is within a factor {SCALE_FACTOR:g}",
    recorded="refuted",
)
def rglru_normalised_scale(ctx):
    rows = ctx.map(_scale_case, [2000 + s for s in SCALE_SEEDS])
    ratios, fits = np.array([r[0] for r in rows]), np.array([r[1] for r in rows])
    within = [bool(abs(np.log(np.median(r))) <= np.log(SCALE_FACTOR)) for r in ratios]
    cls, record = classify(sum(within), len(within))
    cell = CELLS["rglru"].random(hidden_size=4, input_size=4, rng=2100)
    xs = np.repeat(np.random.default_rng(2100).normal(size=(1, 4)), 400, axis=0)
    measured, predicted = _constant_drive_gain(cell, xs)
    shared = {
        "white_input_median_rms_h_over_rms_u": float(np.median(ratios)),
        "white_input_max_rms_h_over_rms_u": float(ratios.max()),
        "white_input_fraction_of_units_within_factor": float(np.mean(np.abs(np.log(ratios)) <= np.log(SCALE_FACTOR))),
        "white_input_median_abs_ln_measured_over_predicted_rms": float(np.median(np.abs(np.log(fits)))),
        "seeds_within_factor": record,
        "constant_input_gain_measured": measured,
        "constant_input_gain_predicted": predicted,
        "constant_input_max_abs_error_of_prediction": float(np.abs(measured - predicted).max()),
    }
    condition = (
        "for inputs white in time the state's RMS is the stationary one, E[h²] = (E[v²] + 2E[av]E[h])/(1 − E[a²]) with "
        "v = √(1 − a²) i ⊙ x̃; a part of i ⊙ x̃ that stays constant over ~1/(1 − a) steps (a slow input, or the mean "
        "that the input gate gives even to zero-mean inputs) is amplified by up to √((1 + a)/(1 − a))"
    )

    def typical_example():
        seed = 2000 + within.index(False)
        white = np.random.default_rng(10_000 + seed).normal(size=(SCALE_STEPS, 8))
        rglru = CELLS["rglru"].random(hidden_size=8, input_size=8, rng=seed)
        return counterexample(rglru, white, np.zeros(8), 20, _loses_scale)

    return {
        "worst_case": outcome(
            measured.max() > SCALE_FACTOR,
            shared,
            lambda: counterexample(cell, xs, np.zeros(4), 20, _amplifies),
            condition,
        ),
        "typical": typical_verdict(
            sum(within), len(within), shared, typical_example, condition=condition, key="seeds_within_factor"
        ),
    }
