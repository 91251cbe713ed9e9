"""Mean field with input predicts the gradient's decay rate (Poole et al. 2016; Schoenholz et al.
2017; Chen, Pennington & Schoenholz 2018): for the tanh RNN h' = tanh(W h + U x + b) with
W ~ N(0, g²/n), U ~ N(0, 1/m), x ~ N(0, s²·I) and b ~ N(0, σ_b²), the per-step rate of
ln‖∂h_T/∂h_{T−τ}‖₂ is ½·ln χ, χ from the fixed point q* with input variance σ_in² = s²
(``rnn_theory.flow.meanfield``). ``measured_rate`` measures the rate on finite networks;
``rate_sweep`` sets prediction and measurement side by side over a sweep of g and s.
"""

import numpy as np

from ..flow import gradient_norms
from ..flow.meanfield import mean_field_lyapunov
from .networks import BURN_IN, STEPS, M, N, driven_network

SEEDS = tuple(range(5))


def measured_rate(
    g, input_scale=1.0, bias_std=0.0, *, n=N, m=M, steps=STEPS, burn_in=BURN_IN, seeds=SEEDS, kind="gaussian"
):
    """The per-step rate of ln‖∂h_T/∂h_{T−τ}‖₂ on finite networks (``driven_network``): for each
    seed the least-squares slope of the curve against τ = 1..steps (``rnn_theory.gradient_norms``,
    exact), measured on a stationary run. Returns (median over seeds, per-seed slopes).
    """
    slopes = []
    for seed in seeds:
        cell, s0, xs = driven_network(g, input_scale, bias_std, seed, n=n, m=m, steps=steps, burn_in=burn_in, kind=kind)
        flow = gradient_norms(cell, xs, s0)
        slopes.append(float(np.polyfit(flow.lags, flow.log_norm, 1)[0]))
    return float(np.median(slopes)), slopes


def predicted_rate(g, input_scale=1.0, bias_std=0.0):
    """½·ln χ with σ_in² = input_scale² (U ~ N(0, 1/m) and x ~ N(0, s²·I) give Var[(U x)_i] = s²)."""
    return mean_field_lyapunov(g, input_variance=input_scale**2, bias_variance=bias_std**2)


def rate_sweep(gains, input_scales=(1.0,), bias_std=0.0, **measure):
    """Predicted and measured per-step rates side by side: one dict per (g, s) with keys ``gain``,
    ``input_scale``, ``predicted``, ``measured`` (median over seeds), ``slopes`` (per seed) and
    ``error`` = measured − predicted. ``measure`` goes to ``measured_rate`` (n, m, steps, seeds, kind:
    the mean field is the same for orthogonal W, so ``kind="orthogonal"`` at g = 1 measures how much
    tanh' < 1 takes from an orthogonal RNN's norm-preserving product)."""
    rows = []
    for scale in input_scales:
        for g in gains:
            measured, slopes = measured_rate(g, scale, bias_std, **measure)
            predicted = predicted_rate(g, scale, bias_std)
            rows.append(
                {
                    "gain": g,
                    "input_scale": scale,
                    "predicted": predicted,
                    "measured": measured,
                    "slopes": slopes,
                    "error": measured - predicted,
                }
            )
    return rows
