"""``grad_norm_vs_lag_zoo``: ln‖∂s_T/∂s_{T−τ}‖₂ against τ at initialisation for the LSTM's
descendants (sLSTM, Mamba's selective scan, RG-LRU, IndRNN) beside the LSTM, the GRU, the LRU and
minGRU, all drawn by ``Cell.random`` and run on the training task's input sequences (median and
interquartile band over seeds, one weight draw and one task sequence per seed)."""

from . import _trained
from ._style import DOUBLE, lag_axis, new_figure
from .cells_lag import SEEDS, draw_initial

LAG = 100  # the experiment's longest lag
# (label, cell key, options of Cell.random); series i of the figure is entry i.
ZOO = (
    ("lstm, forget bias 1", "lstm", {"forget_bias": 1.0}),
    ("gru", "gru", {}),
    ("slstm", "slstm", {}),
    ("mamba", "mamba", {}),
    ("rglru", "rglru", {}),
    ("indrnn (relu)", "indrnn", {}),
    ("lru", "lru", {}),
    ("mingru", "mingru", {}),
)


def build():
    config = _trained.results()["config"]
    task, n = config["task"], config["hidden"]
    m = _trained.task_inputs(task, LAG, 0).shape[1]
    figure, axes = new_figure(DOUBLE, 2.9)
    draw_initial(axes, ZOO, task, LAG, n, m)
    axes.axhline(0.0, color="black", lw=0.5)
    lag_axis(axes, LAG + 1)
    axes.set_ylabel(r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")
    axes.set_title(f"at initialisation, {task} inputs, n = {n}")
    axes.legend(loc="lower left", ncols=2)
    return figure, _caption(task, n, m)


def _caption(task, n, m):
    return f"""
    Gradient norm against lag across the cell zoo at initialisation: ln‖∂s_T/∂s_(T−τ)‖₂ (natural
    log, spectral norm, over the whole state: s = h, [h; c] for the LSTM, [h; c; n; m] for the
    sLSTM) for τ = 1..T, computed by rnn_theory.gradient_norms (method "exact") from s_0 = 0 on input
    sequences of the {task} task at lag {LAG} (one-hot symbols, m = {m}; T = {LAG + 1} steps), n = {n}.
    Lines: median over seeds; shaded: interquartile range. A line that stops has reached ln 0 (an
    exactly vanished product: every relu unit of the IndRNN inactive at some step in the window).

    Cells: {"; ".join(label for label, _, _ in ZOO)}, each from Cell.random with its paper's
    initialisation as the package implements it (recurrent matrices ~ N(0, 1/n), input matrices ~
    N(0, 1/m), biases 0, forget bias 1 added to the LSTM's b_f; Mamba: A_k = −(k + 1), softplus(b_Δ)
    log-uniform in [0.001, 0.1]; RG-LRU: a^c ~ U[0.9, 0.999]; IndRNN: u ~ U[0, 1]; LRU: ring
    initialisation with r in [0, 1)). Seed s in {SEEDS[0]}..{SEEDS[-1]} draws the weights from
    numpy.random.default_rng(s) and one {task} sequence from a separate default_rng(s).

    Not shown: the same after training on the recall task; the new cells have no shipped trained
    checkpoints yet.
    """
