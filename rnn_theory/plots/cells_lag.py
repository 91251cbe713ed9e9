"""``grad_norm_vs_lag_cells``: ln‖∂s_T/∂s_{T−τ}‖₂ against τ across the cell zoo, at initialisation
and on the shipped trained weights, all on the input sequences of the training task.

Panel (a): rnn, lstm (forget bias 0 and 1), gru, mingru, lru drawn by ``Cell.random`` (median and
interquartile band over seeds, one weight draw and one task sequence per seed). Panels (b), (c):
the trained rnn, lstm and gru checkpoints of each lag (band over task sequences)."""

import numpy as np

from .. import CELLS, gradient_norms
from . import _trained
from ._bands import band, quartiles
from ._style import DOUBLE, lag_axis, new_figure

SEEDS = tuple(range(10))
# (label, cell key, options of Cell.random); series i of the figure is entry i.
INITIAL = (
    ("rnn (tanh)", "rnn", {}),
    ("lstm, forget bias 0", "lstm", {"forget_bias": 0.0}),
    ("lstm, forget bias 1", "lstm", {"forget_bias": 1.0}),
    ("gru", "gru", {}),
    ("mingru", "mingru", {}),
    ("lru", "lru", {}),
)


def _curves(cell_of_seed, task, lag):
    """log_norm of one run per seed: the cell cell_of_seed(s) on task sequence s from s_0 = 0."""
    return [gradient_norms(cell_of_seed(s), _trained.task_inputs(task, lag, s)).log_norm for s in SEEDS]


def draw_initial(axes, entries, task, lag, n, m):
    """For each (label, cell key, options of Cell.random) of ``entries``, as series i = entry i: the
    median and interquartile band over SEEDS of random cells (n units, m inputs) on ``task`` at ``lag``."""
    x = np.arange(1, lag + 2)
    for i, (label, key, options) in enumerate(entries):
        curves = _curves(
            lambda s, key=key, options=options: CELLS[key].random(hidden_size=n, input_size=m, rng=s, **options),
            task,
            lag,
        )
        band(axes, x, curves, i, label)


def draw_trained(axes, trained, task, lag, series_of):
    """For each (log, trained cell) of ``trained`` trained at ``lag``, as series series_of(model):
    the median and interquartile band over SEEDS of ``task`` sequences at ``lag``. Returns
    {model: median ln‖∂s_T/∂s_(T−lag)‖₂} (the longest lag the task's gradient must cross)."""
    at_lag = {}
    for log, cell in trained:
        if log["lag"] == lag:
            curves = _curves(lambda s, cell=cell: cell, task, lag)
            band(
                axes,
                np.arange(1, lag + 2),
                curves,
                series_of(log["model"]),
                f"{log['model']}{'' if log['success'] else ' (task not solved)'}",
            )
            at_lag[log["model"]] = float(quartiles(curves)[1][lag - 1])
    return at_lag


def build():
    trained = _trained.checkpoints()
    task, n, m = trained[0][0]["task"], trained[0][0]["hidden_size"], trained[0][0]["input_size"]
    lags = sorted({log["lag"] for log, _ in trained})
    figure, axes = new_figure(DOUBLE, 2.7, 1, 1 + len(lags), sharey=True, sharex=True)  # one scale to compare
    axes = axes[0]
    longest = lags[-1]
    draw_initial(axes[0], INITIAL, task, longest, n, m)
    axes[0].set_title(f"(a) at initialisation, recall lag {longest}")
    for ax, lag in zip(axes[1:], lags):
        # the series of each model's initialisation in (a)
        draw_trained(ax, trained, task, lag, _trained.MODEL_SERIES.__getitem__)
        ax.set_title(f"({chr(ord('b') + lags.index(lag))}) trained on recall at lag {lag}")
        ax.legend(loc="lower left")
    for ax in axes:
        ax.axhline(0.0, color="black", lw=0.5)
        lag_axis(ax, longest + 1)
    axes[0].set_ylabel(r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")
    axes[0].legend(loc="lower left", ncols=1)
    return figure, _caption(trained, task, n, m, lags)


def _caption(trained, task, n, m, lags):
    initial = "; ".join(label for label, _, _ in INITIAL)
    return f"""
    Gradient norm against lag across cells: ln‖∂s_T/∂s_(T−τ)‖₂ (natural log, spectral norm; s = h,
    or s = [h; c] for the LSTM) for τ = 1..T, computed by rnn_theory.gradient_norms (method "exact")
    from s_0 = 0 on input sequences of the {task} task (one-hot symbols, m = {m}; T = lag + 1 steps).
    Lines: median; shaded: interquartile range. All panels share both axes: a model trained at a
    shorter lag covers only the first lags.

    (a) At initialisation, n = {n}: {initial}. Weights from Cell.random (W_* ~ N(0, 1/n), U_* ~
    N(0, 1/m), biases 0; forget bias added to b_f; LRU ring initialisation with r in [0, 1)). Seed s
    in {SEEDS[0]}..{SEEDS[-1]} draws the weights from numpy.random.default_rng(s) and one {task}
    sequence at lag {lags[-1]} from a separate default_rng(s).

    (b){", (c)" if len(lags) > 1 else ""}: the shipped trained checkpoints (rnn_theory/data), on the
    {task} sequences of seeds {SEEDS[0]}..{SEEDS[-1]} at the lag each was trained on:
    {"; ".join(_trained.describe(log) for log, _ in trained)}. The colours of rnn, lstm and gru are
    those of their initialisation in (a) (the lstm was initialised with forget bias 1).
    """
