"""``grad_norm_vs_lag_rnn``: ln‖∂h_T/∂h_{T−τ}‖₂ against τ for random tanh RNNs below, at and above
gain 1 (median and interquartile band over seeds), beside the Pascanu bound τ·ln(γ·σ_max(W))."""

import numpy as np

from .. import CELLS, gradient_norms
from ._bands import band
from ._style import GREY, REFERENCE, SINGLE, lag_axis, new_figure, series

N, M, T, BURN_IN = 64, 4, 200, 100
GAINS = (0.8, 1.0, 1.5, 2.0)
SEEDS = tuple(range(10))
GAMMA = 1.0  # sup |tanh'|


def _run(gain, seed):
    """(log_norm per lag, ln γσ_max(W)) of one seed: weights, then burn-in and measured inputs, all
    from default_rng(seed); the measurement starts from the state the burn-in reached."""
    rng = np.random.default_rng(seed)
    cell = CELLS["rnn"].random(hidden_size=N, input_size=M, rng=rng, gain=gain)
    s0 = cell.run(rng.normal(size=(BURN_IN, M)))[-1]
    flow = gradient_norms(cell, rng.normal(size=(T, M)), s0)
    return flow.log_norm, np.log(GAMMA * np.linalg.norm(cell.params["W"], 2))


def build():
    figure, axes = new_figure(SINGLE, 2.7)
    lags = np.arange(1, T + 1)
    for i, gain in enumerate(GAINS):
        curves, log_bounds = zip(*(_run(gain, seed) for seed in SEEDS))
        band(axes, lags, curves, i, label=f"$g = {gain:g}$")
        log_bound = float(np.median(log_bounds))
        axes.plot(lags, lags * log_bound, color=series(i)["color"], **REFERENCE)
    axes.plot([], [], color=GREY, **REFERENCE, label=r"bound $\tau\,\ln(\gamma\,\sigma_{\max}(W))$")
    axes.axhline(0.0, color="black", lw=0.5)
    lag_axis(axes, T)
    axes.set_ylim(-45, 30)
    axes.set_ylabel(r"$\ln\|\partial h_T/\partial h_{T-\tau}\|_2$")
    figure.legend(loc="outside upper center", ncols=3, columnspacing=1.0)
    return figure, _caption()


def _caption():
    return f"""
    Gradient norm against lag for the tanh RNN h' = tanh(W h + U x + b) at initialisation, at gains g
    = {", ".join(f"{g:g}" for g in GAINS)} (W ~ N(0, g²/n), U ~ N(0, 1/m), b = 0; n = {N}, m = {M}).
    Curves: median over {len(SEEDS)} seeds of ln‖∂h_T/∂h_(T−τ)‖₂ (natural log, spectral norm) for τ =
    1..{T}, computed by rnn_theory.gradient_norms (method "exact"); shaded: interquartile range over
    the seeds. Inputs x_t ~ N(0, I); the measured run of T = {T} steps starts from the state reached
    after a burn-in of {BURN_IN} steps from h = 0, so τ counts back from the end of a stationary run.

    Dotted lines of the same colour: the bound of Pascanu, Mikolov & Bengio (2013),
    ln‖∂h_T/∂h_(T−τ)‖₂ ≤ τ·ln(γ·σ_max(W)) with γ = sup|tanh'| = 1 and the median σ_max(W) over the
    seeds. Where it lies above the curve it is an upper bound only. The y-axis is clipped to [−45, 30]:
    the bounds leave the frame at the top, the curves for g = 0.8 and 1 at the bottom (they go on
    falling at the same rate).

    Seeds: {SEEDS[0]}..{SEEDS[-1]}; seed s draws, from numpy.random.default_rng(s) in this order, the
    weights (Cell.random), the burn-in inputs ({BURN_IN}×{M}) and the measured inputs ({T}×{M}).
    """
