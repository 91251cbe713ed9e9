"""``selective_scan_retention``: Mamba's per-step retention exp(Δ_t A) against the input, through
Δ_t = softplus(z_t), z_t = W_Δ x_t + b_Δ: the selection mechanism's forgetting, as the paper's
formula (lines) and as the cell computes it at initialisation on the training task's inputs (points)."""

import numpy as np

from .. import CELLS
from ..flow.statistics import gate_values
from . import _trained
from ._style import DOUBLE, MEASURED, new_figure, series

UNITS = (0, 3, 15)  # A_k = −(k + 1): −1, −4, −16 under the S4D-real initialisation
HIDDEN, LAG, SEQUENCES, CELL_SEED = 16, 100, tuple(range(10)), 0
Z = np.linspace(-10.0, 6.0, 321)  # Δ's pre-activation: softplus(z) from 4.5e-5 to 6


def _measured(task):
    """(cell, z, retention) over every step of the task sequences: z = W_Δ x + b_Δ and the retention
    exp(Δ ⊙ A) from the cell's own gate values, each (steps, n)."""
    m = _trained.task_inputs(task, LAG, 0).shape[1]
    cell = CELLS["mamba"].random(hidden_size=HIDDEN, input_size=m, rng=CELL_SEED)
    p = cell.params
    runs = [_trained.task_inputs(task, LAG, s) for s in SEQUENCES]
    z = np.concatenate([xs @ p["W_delta"].T + p["b_delta"] for xs in runs])
    kept = np.concatenate([gate_values(cell, xs, cell.run(xs))["a"] for xs in runs])
    return cell, z, kept


def build():
    task = _trained.results()["protocol"]["task"]
    cell, z, kept = _measured(task)
    A = cell.params["A"]
    figure, axes = new_figure(DOUBLE, 2.6, 1, 2)
    left, right = axes[0]
    delta = np.logaddexp(0.0, Z)
    for i, k in enumerate(UNITS):
        style = series(i)
        label = rf"$A = {A[k]:g}$"
        left.plot(Z, np.exp(delta * A[k]), color=style["color"], linestyle=style["linestyle"], label=label)
        right.plot(Z, 1 / (delta * -A[k]), color=style["color"], linestyle=style["linestyle"], label=label)
        measured = {"color": style["color"], "marker": style["marker"], **MEASURED}
        left.errorbar(z[:, k], kept[:, k], **measured)
        right.errorbar(z[:, k], -1 / np.log(kept[:, k]), **measured)
    left.set_ylabel(r"retention per step $e^{\Delta_t A}$")
    left.set_ylim(0, 1.02)
    left.set_title(r"(a) retention $e^{\Delta_t A}$, $\Delta_t = \mathrm{softplus}(z_t)$")
    left.legend(loc="lower left")
    right.set_yscale("log")
    right.yaxis.set_major_formatter("{x:g}")
    right.set_ylabel(r"memory time $1/(\Delta_t |A|)$ (steps)")
    right.set_title("(b) the same as a memory time")
    for ax in (left, right):
        ax.set_xlim(Z[0], Z[-1])
        ax.set_xlabel(r"input's step pre-activation $z_t = W_\Delta x_t + b_\Delta$")
    return figure, _caption(task, cell)


def _caption(task, cell):
    return f"""
    Mamba's selective scan (rnn_theory.cells.Mamba, Gu & Dao 2023): the state of unit k keeps the
    share exp(Δ_t A_k) of itself per step (∂h_t/∂h_(t−1) = diag(exp(Δ_t A)), entries in (0, 1)), with
    the step size Δ_t = softplus(z_t) set by the input through z_t = W_Δ x_t + b_Δ: a large z_t (large
    Δ_t) forgets, a small one keeps. Lines: exp(softplus(z) A_k) (a) and the memory time
    −1/ln(retention) = 1/(Δ|A_k|) in steps (b, log scale), for A_k = −(k + 1), k ∈ {{{", ".join(map(str, UNITS))}}}.
    Points: the values the cell computes (its gate values, rnn_theory.flow.statistics.gate_values) at
    initialisation, at every step of {len(SEQUENCES)} {task} sequences at lag {LAG} (one-hot inputs,
    m = {cell.input_size}; seeds {SEQUENCES[0]}..{SEQUENCES[-1]}, numpy.random.default_rng(s)), for the
    same units of one cell with n = {HIDDEN} drawn by Mamba.random(rng={CELL_SEED}): A_k = −(k + 1),
    softplus(b_Δ) log-uniform in [0.001, 0.1], W_Δ ~ N(0, 1/m). At initialisation z_t stays near
    b_Δ, where the scan keeps almost everything (memory times of tens to thousands of steps); the
    trained Δ is not shown (no shipped trained Mamba checkpoint).
    """
