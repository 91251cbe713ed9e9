"""``grad_norm_vs_lag_zoo``: ln‖∂s_T/∂s_{T−τ}‖₂ against τ for the LSTM's descendants (sLSTM,
Mamba's selective scan, RG-LRU, IndRNN) beside the LSTM, the GRU, the LRU and minGRU, all run on
the training task's input sequences.

Panel (a): at initialisation, drawn by ``Cell.random`` (median and interquartile band over seeds,
one weight draw and one task sequence per seed). Panels (b), (c): the shipped trained checkpoints
of the zoo's cells at each checkpointed lag (band over task sequences)."""

from . import _trained
from ._style import DOUBLE, lag_axis, new_figure
from .cells_lag import SEEDS, draw_initial, draw_trained

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


def _series(model):
    """The series of a trained model: that of its cell's initialisation in (a)."""
    return [key for _, key, _ in ZOO].index(model)


def build():
    config = _trained.results()["protocol"]
    task, n = config["task"], config["hidden"]
    m = _trained.task_inputs(task, LAG, 0).shape[1]
    trained = _trained.checkpoints(tuple(key for _, key, _ in ZOO))
    lags = sorted({log["lag"] for log, _ in trained})
    figure, grid = new_figure(DOUBLE, 5.4, 2, len(lags))
    # (a) spans the top row; the trained panels share its y scale, to compare with initialisation
    for ax in grid[0]:
        ax.remove()
    initial = figure.add_subplot(grid[0, 0].get_gridspec()[0, :])
    draw_initial(initial, ZOO, task, LAG, n, m)
    initial.set_title(f"(a) at initialisation, {task} inputs at lag {LAG}, n = {n}")
    initial.legend(loc="lower left", ncols=2)
    at_lag = {}
    for j, (ax, lag) in enumerate(zip(grid[1], lags)):
        ax.sharey(initial)
        at_lag[lag] = draw_trained(ax, trained, task, lag, _series)
        ax.set_title(f"({chr(ord('b') + j)}) trained on {task} at lag {lag}")
        ax.legend(loc="lower left", ncols=2)
    for ax in (initial, grid[1, 0]):
        ax.set_ylabel(r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")
    for ax in (initial, *grid[1]):
        ax.axhline(0.0, color="black", lw=0.5)
    lag_axis(initial, LAG + 1)
    for ax, lag in zip(grid[1], lags):
        lag_axis(ax, lag + 1)
    return figure, _caption(task, n, m, trained, at_lag)


def _caption(task, n, m, trained, at_lag):
    panels = ", ".join(f"({chr(ord('b') + j)})" for j in range(len(at_lag)))
    medians = "; ".join(
        f"lag {lag}: " + ", ".join(f"{model} {value:.2f}" for model, value in values.items())
        for lag, values in at_lag.items()
    )
    return f"""
    Gradient norm against lag across the cell zoo: ln‖∂s_T/∂s_(T−τ)‖₂ (natural log, spectral norm,
    over the whole state: s = h, [h; c] for the LSTM, [h; c; n; m] for the sLSTM) for τ = 1..T,
    computed by rnn_theory.gradient_norms (method "exact") from s_0 = 0 on input sequences of the
    {task} task (one-hot symbols, m = {m}; T = lag + 1 steps), n = {n}. Lines: median over seeds;
    shaded: interquartile range. All panels share the y axis. A line that stops has reached ln 0 (an
    exactly vanished product: every relu unit of the IndRNN inactive at some step in the window).

    (a) At initialisation, at lag {LAG}. Cells: {"; ".join(label for label, _, _ in ZOO)}, each from
    Cell.random with its paper's initialisation as the package implements it (recurrent matrices ~
    N(0, 1/n), input matrices ~ N(0, 1/m), biases 0, forget bias 1 added to the LSTM's b_f; Mamba:
    A_k = −(k + 1), softplus(b_Δ) log-uniform in [0.001, 0.1]; RG-LRU: a^c ~ U[0.9, 0.999]; IndRNN:
    u ~ U[0, 1]; LRU: ring initialisation with r in [0, 1)). Seed s in {SEEDS[0]}..{SEEDS[-1]} draws
    the weights from numpy.random.default_rng(s) and one {task} sequence from a separate
    default_rng(s).

    {panels}: the shipped trained checkpoints (rnn_theory/data) of the zoo's cells that have them,
    on the {task} sequences of seeds {SEEDS[0]}..{SEEDS[-1]} at the lag each was trained on:
    {"; ".join(_trained.describe(log) for log, _ in trained)}. Each model has the colour of its
    cell's initialisation in (a) (the lstm was initialised with forget bias 1). Median
    ln‖∂s_T/∂s_(T−τ)‖₂ at τ = the lag trained on: {medians}.
    """
