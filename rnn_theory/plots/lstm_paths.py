"""``lstm_direct_vs_total``: the LSTM's direct carousel path ln‖∏diag(f)‖₂ against the full τ-step
derivatives of the cell state (the c-block of ∂s_T/∂s_{T−τ}) and of the whole state, at
initialisation for several forget biases and on the shipped trained LSTMs."""

import numpy as np

from .. import CELLS, gradient_norms
from . import _trained
from ._bands import band
from ._style import DOUBLE, lag_axis, new_figure

SEEDS = tuple(range(10))
FORGET_BIASES = (0.0, 1.0, 3.0)
# (GradientFlow field, legend label); series i of every panel is entry i.
CURVES = (
    ("log_norm_direct", r"direct path $\ln\|\prod\,\mathrm{diag}(f)\|_2$"),
    ("log_norm_c", r"cell state $\ln\|\partial c_T/\partial c_{T-\tau}\|_2$ ($h_{T-\tau}$ held fixed)"),
    ("log_norm", r"whole state $\ln\|\partial s_T/\partial s_{T-\tau}\|_2$, $s = [h; c]$"),
)


def _panel(axes, cell_of_seed, task, lag, title):
    flows = [gradient_norms(cell_of_seed(s), _trained.task_inputs(task, lag, s)) for s in SEEDS]
    x = np.arange(1, lag + 2)
    for i, (field, label) in enumerate(CURVES):
        band(axes, x, [getattr(flow, field) for flow in flows], i, label)
    axes.axhline(0.0, color="black", lw=0.5)
    lag_axis(axes, lag + 1)
    axes.set_title(title)


def build():
    trained = _trained.checkpoints(models=("lstm",))
    task, n, m = trained[0][0]["task"], trained[0][0]["hidden_size"], trained[0][0]["input_size"]
    longest = max(log["lag"] for log, _ in trained)
    figure, axes = new_figure(DOUBLE, 4.4, 2, 3, sharey=True)  # one y-scale: the panels are compared
    panels = list(axes.flat)
    for k, bias in enumerate(FORGET_BIASES):
        _panel(
            panels[k],
            lambda s, bias=bias: CELLS["lstm"].random(hidden_size=n, input_size=m, rng=s, forget_bias=bias),
            task,
            longest,
            f"({chr(ord('a') + k)}) initialisation, forget bias {bias:g}",
        )
    for k, (log, cell) in enumerate(trained, start=len(FORGET_BIASES)):
        _panel(
            panels[k],
            lambda s, cell=cell: cell,
            task,
            log["lag"],
            f"({chr(ord('a') + k)}) trained at lag {log['lag']}" + ("" if log["success"] else " (not solved)"),
        )
    for row in axes:
        row[0].set_ylabel(r"$\ln\|\cdot\|_2$ (natural log)")
    legend_axes = panels[-1]
    legend_axes.axis("off")
    legend_axes.legend(*panels[0].get_legend_handles_labels(), loc="center", fontsize=7, handlelength=3)
    return figure, _caption(trained, task, n, m, longest)


def _caption(trained, task, n, m, longest):
    return f"""
    The LSTM's constant error carousel against the full derivative. Three curves per panel, all from
    rnn_theory.gradient_norms (method "exact"), natural log of the spectral norm against the lag τ:
    the direct path alone, ln‖∏ diag(f_t)‖₂ over the τ forget gates (the "gradient highway"); the
    c-block ln‖∂c_T/∂c_(T−τ)‖₂ of the full product of step Jacobians (every path c → h → gates → c
    included, h_(T−τ) held fixed); and the whole state ln‖∂s_T/∂s_(T−τ)‖₂, s = [h; c]. Lines: median;
    shaded: interquartile range; all panels share one y-scale. Runs start from s_0 = 0 on sequences of the {task} task (one-hot
    symbols, m = {m}, T = lag + 1 steps).

    (a)–(c): LSTMs drawn by Cell.random with forget bias {", ".join(f"{b:g}" for b in FORGET_BIASES)}
    (added to b_f; W_* ~ N(0, 1/n), U_* ~ N(0, 1/m), other biases 0), n = {n}, on {task} sequences at
    lag {longest}; seed s in {SEEDS[0]}..{SEEDS[-1]} draws the weights from numpy.random.default_rng(s)
    and one sequence from a separate default_rng(s). Then the shipped trained LSTMs, each on the
    {task} sequences of seeds {SEEDS[0]}..{SEEDS[-1]} at its own lag:
    {"; ".join(_trained.describe(log) for log, _ in trained)}.
    """
