"""IndRNN (Li et al. 2018): bounding each recurrent weight bounds the gradient through time of every
unit active throughout, written out by the package from the cell's equations."""

import numpy as np

from ..cells import CELLS
from ._registry import Source, Verdict, claim

INDRNN_EPSILON, INDRNN_GAMMA, INDRNN_LAG = 0.5, 2.0, 100  # the official code's default MAG = 2 over T = 100


def _unit_gradients(cell, xs, s0):
    """|∂h_{T,i}/∂h_{0,i}| per unit over the whole run, as the product of the diagonal Jacobians
    (IndRNN's Jacobian is diagonal: ∏_t φ'(a_{t,i}) u_i)."""
    product = np.ones(cell.hidden_size)
    for x, s in zip(xs, cell.run(xs, s0)[:-1]):
        product = product * np.diag(cell.jacobian(x, s))
    return np.abs(product)


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
# u_i^τ against the product of τ factors u_i: rounding of 100 products, far below 1e-12 relative.
INDRNN_ROUNDING = 1e-12


@claim(
    id="rnn-theory.indrnn-regulated-bounds",
    aliases=("li2018.regulated-gradient",),
    statement=f"bounding each recurrent weight, ε^{{1/τ}} ≤ u_i ≤ γ^{{1/τ}}, keeps the gradient through τ steps of "
    f"every unit active at all τ steps within [ε, γ] (exactly u_i^τ), and every unit's below γ (here ε = "
    f"{INDRNN_EPSILON:g}, γ = {INDRNN_GAMMA:g}, τ = {INDRNN_LAG}, relu)",
    source=Source(
        "li2018",
        "We have shown that an IndRNN can be easily regulated to prevent the gradient exploding and vanishing problems "
        "while allowing the network to learn long-term dependencies.",
        "Abstract",
        "derived",
        "the bounds are the package's writing-out of that regulation from h_t = φ(u ⊙ h_{t−1} + W x_t + b), whose "
        "gradient through τ steps is ∏_t φ'(a_{t,i}) u_i per unit: u_i^τ while unit i is active, 0 from one inactive "
        "step on (so a unit that is not active throughout has no lower bound); ε = 1/2, γ = 2 are the official "
        "code's default (MAG = 2); the paper's own derivation was not read",
    ),
    asks="worst_case",
    method=f"relu IndRNNs (n = 16, m = 4) with u_i ~ U[ε^{{1/τ}}, γ^{{1/τ}}], W ~ N(0, 1/m), b = 0, τ = {INDRNN_LAG} "
    f"inputs N(0, 1), {len(INDRNN_SEEDS)} seeds: |∂h_{{T,i}}/∂h_{{0,i}}| per unit from the cell's diagonal "
    "Jacobians, against γ for every unit and, for the units active at every step (read from the pre-activations), "
    f"against [ε, γ] and the predicted u_i^τ (relative {INDRNN_ROUNDING:g}) (a consistency identity of the cell: a "
    "mismatch is raised); the fractions of units active throughout and of exactly zero gradients as evidence",
    recorded="holds",
    identity=True,
)
def indrnn_regulated(ctx):
    rows = ctx.map(_regulated_case, [2200 + s for s in INDRNN_SEEDS])
    grads, active, predicted = (np.concatenate([r[k] for r in rows]) for k in range(3))
    error = float(np.max(np.abs(grads[active] - predicted[active]) / predicted[active])) if active.any() else 0.0
    evidence = {
        "units": int(grads.size),
        "fraction_active_every_step": float(active.mean()),
        "fraction_exactly_zero": float((grads == 0).mean()),
        "max_gradient": float(grads.max()),
        "min_gradient_active_units": float(grads[active].min()) if active.any() else None,
        "max_rel_error_active_units_vs_u_pow_tau": error,
    }
    active_inside = (grads[active] >= INDRNN_EPSILON) & (grads[active] <= INDRNN_GAMMA)
    if grads.max() <= INDRNN_GAMMA and active_inside.all() and error <= INDRNN_ROUNDING:
        return Verdict("holds", evidence)
    raise RuntimeError(
        "an IndRNN unit's gradient through τ steps is off ∏ φ'(a) u (above γ, or an active unit's off u^τ): a bug "
        "of the cell's Jacobian, not a counterexample; inspect _regulated_case"
    )
