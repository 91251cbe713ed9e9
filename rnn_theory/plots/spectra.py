"""``spectral_radius_vs_sigma_max``: ρ(W) against σ_max(W) for random and trained vanilla-RNN
recurrent matrices, each point coloured by the decay rate of the gradient norm measured on it.

The two numbers of the classic statements: ρ(W) < 1 is what is usually taught for vanishing, while
γ·σ_max(W) < 1 is what Pascanu et al. (2013) prove sufficient; the colour shows what happens."""

import numpy as np

from .. import CELLS, gradient_norms
from ..flow.statistics import recurrent_spectra
from . import _trained
from ._style import GREY, SINGLE, new_figure

GAINS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SEEDS = tuple(range(6))
SEQUENCES = tuple(range(5))
RNN_MODELS = ("rnn", "rnn-identity", "rnn-orthogonal")
MARKERS = {"random": "o", "rnn": "s", "rnn-identity": "^", "rnn-orthogonal": "D"}
CMAP = "PuOr_r"  # diverging purple–orange, legible with the common colour-vision deficiencies


def _rate(cell, task, lag):
    """Median over the task sequences of ln‖∂h_T/∂h_0‖₂ / T, T = lag + 1: the decay per step."""
    rates = [
        gradient_norms(cell, xs).log_norm[-1] / len(xs)
        for xs in (_trained.task_inputs(task, lag, s) for s in SEQUENCES)
    ]
    return float(np.median(rates))


def _point(cell, task, lag):
    spectra = recurrent_spectra(cell)["W"]
    return spectra["spectral_radius"], spectra["sigma_max"], _rate(cell, task, lag)


def build():
    trained = _trained.checkpoints(models=RNN_MODELS)
    log0 = trained[0][0]
    task, n, m, lag = log0["task"], log0["hidden_size"], log0["input_size"], max(log["lag"] for log, _ in trained)
    random = [
        _point(CELLS["rnn"].random(hidden_size=n, input_size=m, rng=s, gain=g), task, lag) for g in GAINS for s in SEEDS
    ]
    pairs = [(log, _point(_trained.initial(log), task, lag), _point(cell, task, lag)) for log, cell in trained]
    rates = [r for *_, r in random] + [p[2] for _, a, b in pairs for p in (a, b)]
    finite = np.abs([r for r in rates if np.isfinite(r)])
    limit = float(np.max(finite)) if finite.size else 1.0
    colour = {"cmap": CMAP, "vmin": -limit, "vmax": limit, "edgecolors": "black", "linewidths": 0.4}

    figure, axes = new_figure(SINGLE, 3.3)
    rho, sigma, rate = np.array(random).T
    mappable = axes.scatter(rho, sigma, c=rate, marker=MARKERS["random"], s=14, **colour)
    legend = [_proxy("random", f"random tanh, $g$ = {GAINS[0]:g}…{GAINS[-1]:g}")]
    for model in RNN_MODELS:
        chosen = [(a, b) for log, a, b in pairs if log["model"] == model]
        if not chosen:
            continue
        for a, b in chosen:
            axes.annotate(
                "",
                xy=b[:2],
                xytext=a[:2],
                arrowprops={"arrowstyle": "->", "color": GREY, "lw": 0.6, "shrinkA": 3, "shrinkB": 4},
            )
        start, end = np.array([a for a, _ in chosen]).T, np.array([b for _, b in chosen]).T
        axes.scatter(
            start[0], start[1], marker=MARKERS[model], s=22, facecolors="none", edgecolors=GREY, linewidths=0.7
        )
        axes.scatter(end[0], end[1], c=end[2], marker=MARKERS[model], s=30, **colour)
        legend.append(_proxy(model, f"trained {model}"))
    legend.append(_proxy("random", "initial weights (→ trained)", mfc="none", mec=GREY, mew=0.7))
    # Log axes: the points span a decade; σ_max ≥ ρ for every matrix, so none lies below the diagonal.
    axes.set_xscale("log")
    axes.set_yscale("log")
    low = 0.8 * min(axes.get_xlim()[0], axes.get_ylim()[0])
    high = 1.1 * max(axes.get_xlim()[1], axes.get_ylim()[1])
    axes.plot([low, high], [low, high], color=GREY, lw=0.6, ls="--")
    axes.annotate(r"$\sigma_{\max} = \rho$", (high / 1.15, high / 1.6), ha="right", va="top", color=GREY, fontsize=6.5)
    axes.axvline(1.0, color=GREY, lw=0.6, ls=":")
    axes.axhline(1.0, color=GREY, lw=0.6, ls=":")
    ticks = [t for t in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32) if low <= t <= high]
    for axis in (axes.xaxis, axes.yaxis):
        axis.set_ticks(ticks, [f"{t:g}" for t in ticks])
        axis.set_minor_formatter("")
    axes.set_xlim(low, high)
    axes.set_ylim(low, high)
    axes.set_xlabel(r"spectral radius $\rho(W)$")
    axes.set_ylabel(r"largest singular value $\sigma_{\max}(W)$")
    bar = figure.colorbar(mappable, ax=axes, pad=0.02)
    bar.set_label(r"growth rate $\ln\|\partial h_T/\partial h_0\|_2\,/\,T$ (per step)")
    figure.legend(handles=legend, loc="outside lower center", ncols=2, handletextpad=0.3, columnspacing=0.8)
    return figure, _caption(trained, task, n, m, lag, vanished=len(finite) < len(rates))


def _proxy(source, label, **marker):
    """A legend entry for a marker shape, in neutral grey: the colour of a point is its rate."""
    from matplotlib.lines import Line2D  # noqa: PLC0415

    return Line2D(
        [], [], ls="none", marker=MARKERS[source], label=label, **{"mfc": "0.8", "mec": "black", "mew": 0.4, **marker}
    )


def _caption(trained, task, n, m, lag, vanished):
    return f"""
    Spectral radius ρ(W) against the largest singular value σ_max(W) of vanilla-RNN recurrent matrices
    W (n = {n}), log axes, each point coloured by the measured growth rate of the gradient norm: the median over
    {len(SEQUENCES)} {task} sequences (lag {lag}, T = {lag + 1} steps, one-hot inputs m = {m}, seeds
    {SEQUENCES[0]}..{SEQUENCES[-1]} of numpy.random.default_rng) of ln‖∂h_T/∂h_0‖₂ / T from h_0 = 0,
    computed by rnn_theory.gradient_norms; negative (purple): vanishing, positive (orange): growing. The
    colour scale is symmetric about 0 and spans the largest finite |rate| shown{
        "; a rate of −∞ (the product is exactly 0, e.g. dead relu units) takes the darkest purple" if vanished else ""
    }.

    Circles: tanh RNNs from Cell.random at gains g = {", ".join(f"{g:g}" for g in GAINS)}, seeds
    {SEEDS[0]}..{SEEDS[-1]} (W ~ N(0, g²/n), U ~ N(0, 1/m), b = 0). Other shapes: the shipped trained
    vanilla RNNs ({"; ".join(_trained.describe(log) for log, _ in trained)}); the hollow grey marker at the
    tail of each arrow is the same network's initial weights (rnn: tanh, Cell.random; rnn-identity:
    relu, W = I; rnn-orthogonal: tanh, orthogonal W; rnn_theory.training.initial_cell, seed
    {trained[0][0]["seed"]}). Dashed: σ_max = ρ (no matrix lies below it); dotted: ρ = 1 and σ_max = 1,
    which with γ = sup|φ'| = 1 (tanh and relu) is the Pascanu et al. (2013) sufficient condition for
    vanishing gradients (γ·σ_max(W) < 1).
    """
