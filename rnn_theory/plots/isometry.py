"""``singular_value_spread``: dynamical isometry at χ = 1 (Pennington et al. 2017; Chen et al. 2018):
the spread of ln σ_i(P_τ) of the driven tanh RNN with orthogonal against Gaussian W, over τ and,
at one τ, the whole spectrum."""

import numpy as np

from ..classics.isometry import RESOLVED, critical_gain, isometry_run, upper_spread
from ..classics.networks import KINDS
from ._bands import quartiles
from ._style import DOUBLE, GREY, new_figure, series

SCALES = (0.1, 1.0)
LAGS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50)
SEEDS = tuple(range(5))
N, M, SHOWN = 64, 4, 10


def _spread_or_nan(values):
    try:
        return upper_spread(values)
    except ValueError:  # below float64's resolution: not drawn
        return np.nan


def build():
    figure, axes = new_figure(DOUBLE, 2.8, 1, 2)
    over_lag, spectrum = axes[0]
    runs = {
        (kind, s, seed): isometry_run(kind, s, n=N, m=M, lags=LAGS, seed=seed)
        for kind in KINDS
        for s in SCALES
        for seed in SEEDS
    }
    for i, (s, kind) in enumerate((s, kind) for s in SCALES for kind in KINDS):
        curves = [[_spread_or_nan(runs[kind, s, seed][lag]) for lag in LAGS] for seed in SEEDS]
        low, median, high = quartiles(curves)
        style = series(i)
        over_lag.fill_between(LAGS, low, high, color=style["color"], alpha=0.2, linewidth=0)
        over_lag.plot(LAGS, median, **style, label=f"{kind} $W$, $s = {s:g}$ ($g = {critical_gain(s * s):.3f}$)")
    over_lag.set_xscale("log")
    over_lag.set_xticks([1, 2, 5, 10, 20, 50], labels=["1", "2", "5", "10", "20", "50"])
    over_lag.minorticks_off()
    over_lag.set_xlabel(r"lag $\tau$ (steps)")
    over_lag.set_ylabel(r"$\ln\sigma_1(P_\tau) - \ln\sigma_{n/2}(P_\tau)$")
    over_lag.legend(loc="upper left", fontsize=6)
    for i, kind in enumerate(KINDS):
        style = series(i)
        values = runs[kind, SCALES[0], SEEDS[0]][SHOWN]
        values = np.where(values >= values[0] + np.log(RESOLVED), values, np.nan)  # float64 resolves these only
        spectrum.plot(
            np.arange(1, N + 1),
            values,
            color=style["color"],
            ls=style["linestyle"],
            marker=style["marker"],
            ms=2,
            markevery=4,
            label=f"{kind} $W$",
        )
    spectrum.axvline(N / 2, color=GREY, lw=0.8, ls="--")
    spectrum.axhline(0.0, color="black", lw=0.5)
    spectrum.set_xlabel(r"index $i$ (descending)")
    spectrum.set_ylabel(rf"$\ln\sigma_i(P_{{{SHOWN}}})$")
    spectrum.set_xlim(1, N)
    spectrum.legend(loc="lower left")
    return figure, _caption()


def _caption():
    return f"""
    Singular values of the product of step Jacobians P_τ = J_τ ··· J_1 of the tanh RNN h' = tanh(W h
    + U x), n = {N}, m = {M}, U ~ N(0, 1/m), x_t ~ N(0, s²·I), at the critical gain where the mean-field
    χ = 1 (rnn_theory.classics.critical_gain: q* = g²·E[tanh²(√q* z)] + s², χ = g²·E[tanh'(√q* z)²]),
    for W Gaussian (W_ij ~ N(0, g²/n)) and for W = g·Q with Q Haar-orthogonal: the same q* and χ.

    Left: the spread of the upper half of the spectrum, ln σ_1 − ln σ_(n/2), against τ = {", ".join(map(str, LAGS))}
    (log axis) at input scales s = {" and ".join(f"{s:g}" for s in SCALES)}; median over {len(SEEDS)} seeds,
    band: interquartile range. A curve stops where σ_(n/2)/σ_1 falls below {RESOLVED:g} (float64 could
    no longer resolve it). Right: the values ln σ_i(P_{SHOWN}) of seed {SEEDS[0]} at s = {SCALES[0]:g} down to σ_1·{RESOLVED:g}
    (float64 cannot resolve smaller ones: they are not drawn); dashed: i = n/2. With orthogonal W and small q* the spectrum stays concentrated (dynamical isometry); the
    Gaussian one spreads; with larger q* (s = 1) tanh' varies more and both spread.

    Computed by rnn_theory.classics.isometry_run (P renormalised every step, numpy SVD). Seeds
    {SEEDS[0]}..{SEEDS[-1]}: seed k draws, from numpy.random.default_rng(k) in this order, Gaussian W
    and U (Cell.random), the burn-in inputs (100×{M}), the measured inputs ({max(LAGS)}×{M}) and, for
    orthogonal W, the Q that replaces W (rnn_theory.classics.driven_network); P starts from the state
    after the burn-in.
    """
