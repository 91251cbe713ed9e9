"""``hochreiter_bound_vs_lag``: Hochreiter's error scaling |∂ϑ_v(t−q)/∂ϑ_u(t)| against the lag q beside
his global bound n·(f'_max·‖W‖_A)^q (Hochreiter & Schmidhuber 1997, §3.1), for the paper's extreme case,
W = a·I and random weights; and how far below the bound each lies, against n."""

import numpy as np

from ..classics.hochreiter import diagonal_net, global_bound, random_net, uniform_net
from ._style import DOUBLE, GREY, REFERENCE, measured_points, new_figure, series

N, TAU, STEPS = 4, 0.9, 41  # lags q = 1..40
SIZES, SEEDS = (2, 3, 4, 6, 8), tuple(range(10))
LN10 = np.log(10)


def _runs(n):
    """{family: [global_bound per run]} at τ = TAU for size n."""
    w_max, zeros = 4 * TAU / n, np.zeros((STEPS, 1))
    random = []
    for seed in SEEDS:
        rng = np.random.default_rng(1300 + 10 * n + seed)
        random.append(global_bound(random_net(n, w_max, rng), rng.normal(size=(STEPS, 1)), np.zeros(n)))
    return {
        "all $w_{ij} = w_{max}$, $f' = 1/4$": [global_bound(*_with_inputs(uniform_net(n, w_max), zeros))],
        "$W = 4\\tau I$, $f' = 1/4$": [global_bound(*_with_inputs(diagonal_net(n, 4 * TAU), zeros))],
        "random $W$, inputs $\\mathcal{N}(0, 1)$": random,
    }


def _with_inputs(net, xs):
    cell, s0 = net
    return cell, xs, s0


def build():
    figure, axes = new_figure(DOUBLE, 2.8, 1, 2)
    over_lag, over_n = axes[0]
    runs = _runs(N)
    reference = runs["all $w_{ij} = w_{max}$, $f' = 1/4$"][0]
    lags = reference["lags"]
    over_lag.plot(lags, reference["bound"] / LN10, color=GREY, lw=1.2, label=r"bound $n(f'_{max}\|W\|_A)^q = n\tau^q$")
    for i, (family, found) in enumerate(runs.items()):
        style = series(i)
        curves = np.array([f["measured"] for f in found]) / LN10
        if len(found) > 1:
            low, high = np.percentile(curves, [0, 100], axis=0)
            over_lag.fill_between(lags, low, high, color=style["color"], alpha=0.2, linewidth=0)
        over_lag.plot(lags, np.median(curves, axis=0), **style, markevery=5, ms=3, label=family)
    over_lag.set_xlabel("lag $q$ (steps)")
    over_lag.set_ylabel(r"$\log_{10} \max_{u,v} |\partial\vartheta_v(t-q)/\partial\vartheta_u(t)|$")
    over_lag.legend(loc="lower left", fontsize=6)
    by_size = {n: _runs(n) for n in SIZES}
    for i, family in enumerate(runs):
        gaps = [[np.max(f["measured"] - f["bound"]) / LN10 for f in by_size[n][family]] for n in SIZES]
        measured_points(over_n, SIZES, *([f(g) for g in gaps] for f in (np.median, min, max)), i, family)
    fine = np.linspace(SIZES[0], SIZES[-1], 50)
    over_n.plot(fine, -2 * np.log10(fine), color=GREY, **REFERENCE, label="$1/n^2$ (proven for the first)")
    over_n.plot(fine, -np.log10(fine), color=GREY, lw=0.8, ls="--", label="$1/n$ (proven for the second)")
    over_n.axhline(0.0, color="black", lw=0.5)
    over_n.set_xlabel("units $n$")
    over_n.set_ylabel(r"$\log_{10}$ (measured / bound), largest over $q$")
    over_n.legend(loc="lower left", fontsize=6)
    return figure, _caption()


def _caption():
    return f"""
    Hochreiter's error scaling ∂ϑ_v(t−q)/∂ϑ_u(t) (Hochreiter & Schmidhuber 1997, §3.1, eq. 1) of a net of
    logistic units y(t) = σ(W y(t−1) + U x(t) + b), the (u, v) entry of W F'(t−1) ··· W F'(t−q), against his
    global bound n·(f'_max·‖W‖_A)^q, ‖W‖_A = max_r Σ_s |w_rs|, f'_max the largest f' over the q steps
    (rnn_theory.classics.global_bound). At τ = n·w_max/4 = {TAU:g}: all w_ij = w_max = 4τ/n with every unit
    held at net = 0 (b = −W·½, f' = 1/4: the paper's extreme case, every path of the same sign); W = 4τ·I held
    the same way; and w_ij ~ U[−w_max, w_max], U, b ~ N(0, 1), inputs x_t ~ N(0, 1), {len(SEEDS)} seeds
    (median, band: smallest to largest).

    Left: n = {N}, log10 of the largest entry over (u, v) against q = 1..{STEPS - 1}, beside the bound (grey).
    Right: the largest log10 (measured/bound) over q against n = {", ".join(map(str, SIZES))}, markers: median
    over seeds, bars: smallest and largest. The extreme case lies exactly 1/n² below the bound at every q (its
    scaling is n^(q−1)·(w_max/4)^q; the bound's last step, ‖W_v‖_x ≤ ‖W‖_A twice, loses n²), W = 4τ·I exactly
    1/n; random weights come closest at the shortest lags and then fall far faster than the bound's rate
    ln τ = {np.log(TAU):.3f} nats per step.
    """
