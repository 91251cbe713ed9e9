"""``lyapunov_vs_gain``: the largest Lyapunov exponent λ_1 of the autonomous random tanh RNN
against its gain g, measured at two network sizes, with the mean-field prediction ½·ln χ(g)
(Sompolinsky, Crisanti & Sommers 1988) and its transition to chaos at g = 1."""

import numpy as np

from .. import largest_lyapunov
from ..flow.meanfield import mean_field_lyapunov, random_tanh_rnn
from ._bands import quartiles
from ._data import declare_statistics
from ._style import GREY, SINGLE, label_vertical, measured_points, new_figure

GAINS = tuple(np.round(np.arange(0.5, 3.01, 0.1), 2))
SIZES = (50, 200)
SEEDS = tuple(range(10))
T, BURN_IN = 2000, 500
DODGE = 0.015  # the sizes' markers sit this far left and right of their gain, so that bars do not overlap


def _lyapunov(n, gain, seed):
    """λ_1 of one network: W and the initial state h_0 ~ U(−1, 1)^n from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    cell = random_tanh_rnn(n, gain, rng)
    return largest_lyapunov(cell, np.zeros((T, 1)), rng.uniform(-1, 1, n), burn_in=BURN_IN)


def build():
    figure, axes = new_figure(SINGLE, 2.6)
    fine = np.linspace(GAINS[0], GAINS[-1], 51)  # steps of 0.05, g = 1 (the kink) included
    axes.plot(
        fine,
        [mean_field_lyapunov(g) for g in fine],
        color="black",
        lw=1.0,
        label=r"mean field $\frac{1}{2}\ln\chi(g)$, $n\to\infty$",
    )
    runs = []
    for i, n in enumerate(SIZES):
        exponents = [[_lyapunov(n, g, s) for g in GAINS] for s in SEEDS]
        runs += np.transpose(exponents).tolist()
        low, median, high = quartiles(exponents)
        measured_points(axes, np.add(GAINS, (2 * i - 1) * DODGE), median, low, high, i, f"measured, $n = {n}$")
    declare_statistics(figure, runs, "quartiles over seeds of λ_1; above g = 1 the runs are chaotic")
    axes.axhline(0.0, color="black", lw=0.5)
    axes.axvline(1.0, color=GREY, lw=0.8, ls="--")
    label_vertical(axes, 1.0, "$g = 1$", top=0.97)
    axes.set_xlim(0.4, 3.1)
    axes.set_xlabel(r"gain $g$ ($W_{ij} \sim \mathcal{N}(0, g^2/n)$)")
    axes.set_ylabel(r"$\lambda_1$ (natural log per step)")
    axes.legend(loc="lower right")
    return figure, _caption()


def _caption():
    return f"""
    Largest Lyapunov exponent λ_1 (natural log per step) of the random tanh RNN h' = tanh(W h) without
    input, W_ij ~ N(0, g²/n), against the gain g = {GAINS[0]:g}, {GAINS[1]:g}, ..., {GAINS[-1]:g}, at
    n = {" and ".join(map(str, SIZES))}. Markers: median over {len(SEEDS)} seeds; bars: interquartile
    range; the markers of n = {SIZES[0]} and n = {SIZES[1]} are drawn {DODGE:g} left and right of their gain.
    Measured by rnn_theory.largest_lyapunov (renormalised tangent vector) over T = {T} steps,
    the first {BURN_IN} discarded, from h_0 ~ U(−1, 1)^n. Seed s in {SEEDS[0]}..{SEEDS[-1]} draws W (by
    rnn_theory.flow.meanfield.random_tanh_rnn) and then h_0 from numpy.random.default_rng(s).

    Black line: the mean-field prediction λ_1 = ½·ln χ(g), χ = g²·E[tanh'(√q* z)²] at the fixed
    point q* = g²·E[tanh(√q* z)²] (rnn_theory.flow.meanfield, exact as n → ∞): ln g for g ≤ 1 (q* = 0),
    positive above. Dashed: the transition to chaos at g = 1 (Sompolinsky, Crisanti & Sommers 1988
    derived it for continuous time; for this discrete-time map it is where the mean field above
    crosses 0). Finite networks just above g = 1 can
    settle on fixed points or cycles, so their λ_1 sits at or below 0 there.
    """
