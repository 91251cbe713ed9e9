"""Latching implies vanishing (after Bengio, Simard & Frasconi 1994), on the shipped trained models: a
consistency identity of the engine (submultiplicativity), not a verdict on the paper.

A network latches robustly where its state sits in a contracting region: every step Jacobian
there has ‖J_t‖₂ < 1. Across such a stretch, ‖J_e ··· J_s‖₂ <= ∏‖J_t‖₂ < 1, and the gradient
across it vanishes exponentially in its length. The check finds the contracting stretches on the
trained recall models' own test sequences and measures the product across each; it also records,
per model, whether it solves the task and how its gradient behaves across the whole delay.
"""

import numpy as np

from ..data import checkpoints, trained
from ..flow import gradient_norms
from ..training import TASKS
from ._products import jacobian_products, log_spectral_norm
from ._registry import Source, Verdict, claim
from ._trained import _NAME, trained_models

EPISODES = 8
MIN_STRETCH = 2  # a single step is its own bound; a product needs at least two
# Rounding in products of tens of small matrices stays far below 1e-9 nats: a larger excess of
# ln‖P‖ over Σ ln‖J_t‖ would be real.
SLACK = 1e-9
LN10 = float(np.log(10))


def _stretches(norms):
    """Maximal runs [start, end) of consecutive steps with ‖J_t‖₂ < 1, at least MIN_STRETCH long."""
    runs, start = [], None
    for t, contracting in enumerate(list(norms < 1) + [False]):
        if contracting and start is None:
            start = t
        elif not contracting and start is not None:
            if t - start >= MIN_STRETCH:
                runs.append((start, t))
            start = None
    return runs


def _model_row(cell, xs, lag, delay_norms=True):
    """Per episode: ln‖P‖ across the delay (s_1 → s_{τ+1}; only with ``delay_norms``, evidence that a
    quick run leaves out), the fraction of delay steps with ‖J_t‖₂ < 1, and for every contracting
    stretch ln‖P‖ − Σ ln‖J_t‖ (<= 0 by submultiplicativity)."""
    delay, contracting, excess = [], [], []
    for episode in xs.transpose(2, 0, 1):
        states = cell.run(episode)
        # J_t maps s_{t−1} to s_t; the delay's Jacobians are t = 2..τ+1 (entry k is t = k + 2)
        norms = np.array([np.linalg.norm(cell.jacobian(episode[t - 1], states[t - 1]), 2) for t in range(2, lag + 2)])
        if delay_norms:
            delay.append(float(gradient_norms(cell, episode).log_norm[lag - 1]))
        contracting.append(float(np.mean(norms < 1)))
        for start, end in _stretches(norms):
            length, last = end - start, end + 1  # the stretch's last Jacobian is J_{end+1}: xs[:end + 1]
            product = log_spectral_norm(*jacobian_products(cell, episode[:last], None, [length])[length])
            with np.errstate(divide="ignore"):
                bound = np.sum(np.log(norms[start:end]))
            # A step Jacobian that is exactly 0 (every relu unit off) makes both sides −inf: the
            # inequality holds with equality, excess 0; a finite product beside it would be a bug.
            excess.append(float(product - bound) if bound > -np.inf else (0.0 if product == -np.inf else np.inf))
    return delay, contracting, excess


@claim(
    id="rnn-theory.contracting-stretch-vanishes",
    aliases=("bengio1994.latching-vanishes",),
    statement="where a network latches robustly (every step Jacobian ‖J_t‖₂ < 1 along a stretch of its states), "
    "the gradient across that stretch vanishes: ln‖J_e···J_s‖₂ <= Σ ln‖J_t‖₂ < 0",
    source=Source(
        "bengio1994",
        "These results expose a trade-off between efficient learning by gradient descent and latching on information "
        "for long periods.",
        "abstract",
        "derived",
        "read in copies of the abstract; the theorem behind it (robust latching in a contracting region implies "
        "vanishing gradients) is in the paper's body, which was not read. With latching defined as ‖J_t‖₂ < 1 at "
        "every step, vanishing follows from ‖AB‖ <= ‖A‖‖B‖: the check is a consistency identity of the engine on the "
        "shipped trained recall models, filed under an id that names no work",
    ),
    asks="worst_case",
    method=f"every shipped trained model on {EPISODES} recall test sequences of its lag: the delay's step Jacobians "
    f"J_2..J_{{τ+1}}, every maximal stretch of at least {MIN_STRETCH} steps with ‖J_t‖₂ < 1, and the excess "
    f"ln‖∏J_t‖₂ − Σ ln‖J_t‖₂ over it (a consistency identity: an excess above {SLACK:g} is an engine bug, raised); "
    "undecided when no stretch is found; per model, whether it solves the task and its ln‖∂s_{τ+1}/∂s_1‖₂ across "
    "the whole delay",
    recorded="holds",
    identity=True,
)
def latching_vanishes(ctx):
    models, excess = {}, []
    for kind in sorted({name.split("-")[1] for name in checkpoints()}):
        for name, cell, _ in trained_models(kind):
            parts = _NAME.fullmatch(name).groupdict()
            lag = int(parts["lag"])
            xs, _ = TASKS["recall"](lag).sample(np.random.default_rng(0), EPISODES)
            delay, contracting, found = _model_row(cell, xs, lag, delay_norms=not ctx.quick)
            excess += found
            models[name] = {
                "solves_the_task": bool(trained(parts["model"], lag, parts["task"], int(parts["seed"]))[2]["success"]),
                **(
                    {}
                    if ctx.quick  # the gradient across the whole delay decides nothing: evidence of the full run
                    else {
                        "median_ln_norm_across_delay": float(np.median(delay)),
                        "gradient_vanishes_across_delay": bool(np.median(delay) < -LN10),
                    }
                ),
                "fraction_of_delay_steps_contracting": float(np.mean(contracting)),
                "contracting_stretches": len(found),
            }
    evidence = {"stretches_tested": len(excess), "max_excess_nats": max(excess, default=None), "models": models}
    if not excess:
        return Verdict("undecided", evidence, condition="no contracting stretch on the trained models: nothing to test")
    if max(excess) <= SLACK:
        return Verdict("holds", evidence)
    raise RuntimeError(
        f"rnn-theory.contracting-stretch-vanishes: ln‖∏J‖ exceeds Σ ln‖J‖ by {max(excess):.3g}: a product "
        "larger than the product of its norms is an engine bug, not a counterexample"
    )
