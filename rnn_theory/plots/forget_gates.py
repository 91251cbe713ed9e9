"""``forget_gate_timescales``: per-unit memory time constants −1/mean_t ln(retention) of the
trained LSTMs (retention f) and GRUs (retention 1 − z), against the same networks' initial weights,
with the training lags for scale."""

import numpy as np

from ..flow.statistics import gate_values, memory_time_constants
from . import _trained
from ._style import DOUBLE, GREY, REFERENCE, new_figure, series

SEQUENCES = tuple(range(20))
MODELS = ("lstm", "gru")


def _time_constants(cell, task, lag):
    """Per unit, −1/mean ln(retention) with the mean over every step of the task sequences."""
    runs = [_trained.task_inputs(task, lag, s) for s in SEQUENCES]
    gates = [gate_values(cell, xs, cell.run(xs)) for xs in runs]
    merged = {name: np.concatenate([g[name] for g in gates]) for name in gates[0]}
    return np.sort(memory_time_constants(cell, merged))[::-1]


def build():
    trained = _trained.checkpoints(models=MODELS)
    figure, axes = new_figure(DOUBLE, 2.6, 1, len(MODELS), sharey=True)
    lags = sorted({log["lag"] for log, _ in trained})
    for k, (ax, model) in enumerate(zip(axes[0], MODELS)):
        entries = [(log, cell) for log, cell in trained if log["model"] == model]
        log0, _ = entries[0]
        units = np.arange(1, log0["hidden_size"] + 1)
        # Every checkpoint of a model starts from the same weights (same seed and sizes): one curve.
        ax.plot(
            units,
            _time_constants(_trained.initial(log0), log0["task"], lags[-1]),
            **series(0),
            markevery=4,
            label=f"initialisation (recall, lag {lags[-1]})",
        )
        for i, (log, cell) in enumerate(entries, start=1):
            ax.plot(
                units,
                _time_constants(cell, log["task"], log["lag"]),
                **series(i),
                markevery=(i, 4),
                label=f"trained at lag {log['lag']}" + ("" if log["success"] else " (not solved)"),
            )
        for lag in lags:
            ax.axhline(lag, color=GREY, **REFERENCE)
            ax.annotate(
                rf"$\tau = {lag}$",
                (units[-1], lag),
                xytext=(0, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color=GREY,
                fontsize=6.5,
            )
        ax.set_yscale("log")
        ax.set_xlim(0, units[-1] + 1)
        ax.set_xlabel("unit (sorted by time constant)")
        ax.set_title(f"({chr(ord('a') + k)}) {model}, retention {entries[0][1].retention_label[1]}")
        ax.yaxis.set_major_formatter("{x:g}")  # 1, 10, 100 steps rather than 10⁰, 10¹, 10²
        ax.legend(loc="lower left")
    axes[0, 0].set_ylabel(r"memory time $-1/\overline{\ln(\mathrm{retention})}$ (steps)")
    return figure, _caption(trained, lags)


def _caption(trained, lags):
    return f"""
    Memory time constants per unit: −1/mean_t ln(retention) in steps, the e-folding time of the direct
    memory path of each unit (rnn_theory.flow.statistics.memory_time_constants), sorted in decreasing
    order; log scale. Retention is the forget gate f for the LSTM (c' = f⊙c + i⊙g) and 1 − z for the GRU
    (h' = (1 − z)⊙h + z⊙h̃, native convention: z is the share of new content; PyTorch and Keras call
    1 − z their update gate). The mean runs over every step of {len(SEQUENCES)} recall sequences (seeds
    {SEQUENCES[0]}..{SEQUENCES[-1]}, numpy.random.default_rng(s), one sequence each), from s_0 = 0.

    Initialisation: the weights each checkpoint started from (rnn_theory.training.initial_cell, seed
    {trained[0][0]["seed"]}: W_* ~ N(0, 1/n), U_* ~ N(0, 1/m), biases 0, LSTM forget bias 1), on sequences at
    lag {lags[-1]}. Trained: {"; ".join(_trained.describe(log) for log, _ in trained)}; each on sequences at
    its own lag. Dotted: the training lags τ = {", ".join(map(str, lags))}.
    """
