"""IndRNN (Li et al. 2018): bounding each recurrent weight bounds every unit's gradient through time,
written out by the package from the cell's equations."""

import numpy as np

from ..cells import CELLS
from ._counterexample import counterexample
from ._registry import Source, claim
from ._typical import classify, outcome, typical_verdict

INDRNN_EPSILON, INDRNN_GAMMA, INDRNN_LAG = 0.5, 2.0, 100  # the official code's default MAG = 2 over T = 100


def _unit_gradients(cell, xs, s0):
    """|∂h_{T,i}/∂h_{0,i}| per unit over the whole run, as the product of the diagonal Jacobians
    (IndRNN's Jacobian is diagonal: ∏_t φ'(a_{t,i}) u_i)."""
    product = np.ones(cell.hidden_size)
    for x, s in zip(xs, cell.run(xs, s0)[:-1]):
        product = product * np.diag(cell.jacobian(x, s))
    return np.abs(product)


def _outside_bounds(cell, xs, s0, _log_norm):
    """Refutes the bounds for some unit: its gradient over the run lies outside [ε, γ]."""
    g = _unit_gradients(cell, xs, s0)
    return bool(((g < INDRNN_EPSILON) | (g > INDRNN_GAMMA)).any())


def _mostly_outside(cell, xs, s0, _log_norm):
    """Refutes 'typically within the bounds': fewer than half the units keep their gradient in [ε, γ]."""
    g = _unit_gradients(cell, xs, s0)
    return bool(((g >= INDRNN_EPSILON) & (g <= INDRNN_GAMMA)).mean() < 0.5)


def _regulated_setup(seed):
    """A relu IndRNN (n = 16, m = 4) with u ~ U[ε^{1/τ}, γ^{1/τ}], W ~ N(0, 1/m), b = 0, and τ inputs N(0, 1)."""
    rng = np.random.default_rng(seed)
    base = CELLS["indrnn"].random(hidden_size=16, input_size=4, rng=rng)
    u = rng.uniform(INDRNN_EPSILON ** (1 / INDRNN_LAG), INDRNN_GAMMA ** (1 / INDRNN_LAG), 16)
    return CELLS["indrnn"](u=u, W=base.params["W"], b=base.params["b"]), rng.normal(size=(INDRNN_LAG, 4))


def _regulated_case(seed):
    """Per unit: the gradient over τ steps, whether the unit was active at every step, and its
    predicted value u_i^τ there."""
    cell, xs = _regulated_setup(seed)
    S = cell.run(xs)
    active = ((S[:-1] * cell.params["u"] + xs @ cell.params["W"].T + cell.params["b"]) > 0).all(axis=0)
    return _unit_gradients(cell, xs, None), active, cell.params["u"] ** INDRNN_LAG


INDRNN_SEEDS = range(10)


@claim(
    id="rnn-theory.indrnn-regulated-bounds",
    aliases=("li2018.regulated-gradient",),
    statement=f"bounding each recurrent weight, ε^{{1/τ}} ≤ u_i ≤ γ^{{1/τ}}, keeps every unit's gradient through τ "
    f"steps within [ε, γ] (here ε = {INDRNN_EPSILON:g}, γ = {INDRNN_GAMMA:g}, τ = {INDRNN_LAG}, relu)",
    source=Source(
        "li2018",
        "We have shown that an IndRNN can be easily regulated to prevent the gradient exploding and vanishing problems "
        "while allowing the network to learn long-term dependencies.",
        "Abstract",
        "paraphrase",
        "the abstract's words; the bounds checked are the package's writing-out of that regulation from "
        "h_t = φ(u ⊙ h_{t−1} + W x_t + b), whose gradient through τ steps is ∏_t φ'(a_{t,i}) u_i per unit, filed under "
        "an id that names no work; ε = 1/2, γ = 2 are the official code's default (MAG = 2); the paper's own "
        "derivation was not read",
    ),
    asks="worst_case",
    method=f"relu IndRNNs (n = 16, m = 4) with u_i ~ U[ε^{{1/τ}}, γ^{{1/τ}}], W ~ N(0, 1/m), b = 0, τ = {INDRNN_LAG} "
    f"inputs N(0, 1), {len(INDRNN_SEEDS)} seeds: |∂h_{{T,i}}/∂h_{{0,i}}| per unit from the closed-form diagonal "
    "Jacobians, against [ε, γ] and, for units active at every step, against the predicted u_i^τ; a seed counts "
    "(typical) when at least half its units stay within [ε, γ]",
    recorded="refuted",
)
def indrnn_regulated(ctx):
    rows = ctx.map(_regulated_case, [2200 + s for s in INDRNN_SEEDS])
    grads, active, predicted = (np.concatenate([r[k] for r in rows]) for k in range(3))
    inside = (grads >= INDRNN_EPSILON) & (grads <= INDRNN_GAMMA)
    per_seed = [bool(((r[0] >= INDRNN_EPSILON) & (r[0] <= INDRNN_GAMMA)).mean() >= 0.5) for r in rows]
    cls, record = classify(sum(per_seed), len(per_seed))
    evidence = {
        "units": int(grads.size),
        "fraction_within_bounds": float(inside.mean()),
        "fraction_active_every_step": float(active.mean()),
        "fraction_exactly_zero": float((grads == 0).mean()),
        "max_gradient": float(grads.max()),
        "max_abs_error_active_units_vs_u_pow_tau": float(np.abs(grads[active] - predicted[active]).max())
        if active.any()
        else None,
        "seeds_mostly_within": record,
    }
    condition = (
        "the upper bound holds for every input (φ' ≤ 1: |∂h_{T,i}/∂h_{T−τ,i}| ≤ u_i^τ ≤ γ); the lower bound holds "
        "only along runs where unit i is active at all τ steps, where the gradient is exactly u_i^τ; one inactive "
        "step makes it exactly 0, whatever u_i"
    )
    # The first seed with a unit still carrying gradient: ln‖∂s_T/∂s_0‖₂ of the record stays finite.
    first = next((k for k, r in enumerate(rows) if r[0].max() > 0), 0)
    cell, xs = _regulated_setup(2200 + first)
    s0 = np.zeros(cell.hidden_size)
    return {
        "worst_case": outcome(
            not inside.all(),
            evidence,
            lambda: counterexample(cell, xs, s0, INDRNN_LAG, _outside_bounds),
            condition,
        ),
        "typical": typical_verdict(
            sum(per_seed),
            len(per_seed),
            evidence,
            lambda: counterexample(cell, xs, s0, INDRNN_LAG, _mostly_outside),
            condition=condition,
            key="seeds_mostly_within",
        ),
    }
