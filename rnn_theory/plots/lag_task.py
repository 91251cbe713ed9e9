"""``lag_task_success``: the shipped training experiments (``rnn_theory.training.experiment``): success
rate with its 95% Wilson interval against the lag of the recall task, per model, with Adam and
clipping (the modern-optimiser row) and with plain SGD (protocol ``bengio1994_sgd``), and the mean
test accuracy of the former."""

import numpy as np

from ..training.stats import wilson
from . import _trained
from ._style import DOUBLE, GREY, PALETTE, REFERENCE, new_figure, series

# The claim the figure puts to the test.
CLAIM = "learning beyond 10–20 steps is practically impossible (for gradient-trained vanilla RNNs)"
SPREAD = 0.24  # the models at one lag sit side by side over this fraction of the lag (log axis), so equal values stay visible


def build():
    document, sgd = _trained.results(), _trained.protocol_results("bengio1994_sgd")
    extra = _trained.protocol_results("modern_extra")
    config = document["protocol"]
    # The modern row: its protocol's models and, trained on the same terms, modern_extra's.
    table = {**document["table"], **extra["table"]}
    lags = [int(lag) for lag in config["lags"]]
    sgd_lags = [int(lag) for lag in sgd["protocol"]["lags"]]
    figure, axes = new_figure(DOUBLE, 2.5, 1, 3)
    success, plain, accuracy = axes[0]
    models = [name for name, *_ in config["models"] + extra["protocol"]["models"]]
    # A model of (b) is drawn as the model of (a) with its cell and initialisation: the same network, trained otherwise.
    same = {(key, init): name for name, key, init, _ in config["models"]}
    sgd_table = {same.get((key, init), name): sgd["table"][name] for name, key, init, _ in sgd["protocol"]["models"]}
    everyone = models + [name for name in sgd_table if name not in models]  # one series per model, in every panel
    labelled = set()
    _success(success, table, models, lags, everyone, labelled)
    _success(plain, sgd_table, list(sgd_table), sgd_lags, everyone, labelled)
    for model in models:
        accuracy.plot(
            _dodged(lags, model, everyone),
            [table[model][str(lag)]["mean_test_correct"] for lag in lags],
            **_series(model, everyone),
            markersize=4,
        )
    chance = document["runs"][0]["chance"]
    accuracy.axhline(chance, color=GREY, **REFERENCE)
    accuracy.annotate(
        f"chance {chance:g}",
        (lags[0], chance),
        xytext=(0, 2),
        textcoords="offset points",
        va="bottom",
        color=GREY,
        fontsize=6.5,
    )
    success.set_ylabel("success rate, 95% CI")
    accuracy.set_ylabel("mean test fraction correct")
    titles = (
        f"(a) Adam + clipping, {config['seeds']} seeds",
        f"(b) plain SGD, {sgd['protocol']['seeds']} seeds",
        "(c) test accuracy, Adam",
    )
    for k, (ax, ticks) in enumerate(zip(axes[0], (lags, sgd_lags, lags))):
        ax.set_xscale("log")
        ax.set_xticks(ticks, [str(lag) for lag in ticks])
        ax.minorticks_off()
        ax.set_xlabel(r"lag $\tau$ of the recall task")
        ax.set_ylim(-0.04, 1.04)
        ax.set_title(titles[k])
    figure.legend(loc="outside right center")
    return figure, _caption(document, extra, sgd, lags, everyone)


def _dodged(lags, model, everyone):
    """The lags, moved by the model's place among ``everyone`` (a fraction of the lag)."""
    step = SPREAD / len(everyone)
    return np.array(lags) * (1 + step * (everyone.index(model) - (len(everyone) - 1) / 2))


def _series(model, everyone):
    """The model's series; past the style cycle, with hollow markers, so no two models look alike."""
    i = _trained.model_series(model, everyone)
    return series(i) | ({"markerfacecolor": "white"} if i >= len(PALETTE) else {})


def _success(ax, table, models, lags, everyone, labelled):
    """Success rates with their Wilson intervals, one series per model; each model is labelled once."""
    for model in models:
        rate = np.array([table[model][str(lag)]["success_rate"] for lag in lags])
        low, high = np.array([table[model][str(lag)]["wilson95"] for lag in lags]).T
        bars = ax.errorbar(
            _dodged(lags, model, everyone),
            rate,
            yerr=[rate - low, high - rate],
            capsize=1.5,
            elinewidth=0.6,
            label=None if model in labelled else model,
            **_series(model, everyone),
            markersize=4,
        )
        labelled.add(model)
        for lines in bars.lines[2]:  # the intervals solid, whatever the series' line style
            lines.set_linestyle("solid")


def _caption(document, extra, sgd, lags, everyone):
    config, protocol = document["protocol"], sgd["protocol"]
    rates = ", ".join(f"{model} {rate:g}" for model, rate in sgd["sweep"]["chosen_lr"].items())
    models = "; ".join(
        f"{name} (cell {key}, {init} initialisation)"
        for name, key, init, _ in config["models"] + extra["protocol"]["models"]
    )
    (lr,), (clip,) = config["lrs"], {clip for *_, clip in config["models"] + extra["protocol"]["models"]}
    runs = len(document["runs"]) + len(extra["runs"])
    return f"""
    Learning across a lag: the training experiment shipped with the package
    (rnn_theory/data/success_vs_lag.json, regenerated by: {document["command"]}; the last
    {len(extra["protocol"]["models"])} models from rnn_theory/data/modern_extra.json, regenerated by:
    {extra["command"]}, on the same terms). Claim under test: {CLAIM} ({config["source"]}).

    Task: {config["task"]} (one of K = 4 symbols shown first, then τ − 1 distractors, then a cue; chance
    1/4) at lags τ = {", ".join(map(str, lags))} (log axis). Models: {models}; hidden size n =
    {config["hidden"]}. Each run: at most {config["steps"]} Adam updates (learning rate {lr:g},
    gradient clipping at global norm {clip:g}) on batches of {config["batch"]} fresh sequences,
    stopping early once the validation set ({config["validation_size"]} sequences, checked every
    {config["check_every"]} updates) is solved; a run succeeds when at least {config["success"]:.0%} of
    {config["test_size"]} fresh test sequences are recalled. {config["seeds"]} seeds per model and lag
    (run r uses seed r for its initial weights and its data; {runs} runs in all).

    (a) Fraction of the {config["seeds"]} runs that succeed, with its 95% Wilson score interval (with
    {config["seeds"]} runs, 0 successes still allows a rate up to {wilson(0, config["seeds"])[1]:.2f}). (b) The
    same task under the protocol {protocol["name"]} (rnn_theory/data/{protocol["name"]}.json, regenerated
    by: {sgd["command"]}): plain SGD without clipping, at most {protocol["steps"]} updates of
    {protocol["batch"]} sequences, n = {protocol["hidden"]}, learning rate per model from a sweep over
    {", ".join(f"{lr:g}" for lr in protocol["lrs"])} on validation data at τ = {protocol["sweep_lag"]}
    (chosen: {rates}), {protocol["seeds"]} seeds per lag, the same success criterion. (c) Mean over the
    runs of (a) of the test fraction correct; dotted: chance. The models' points are drawn side by side
    around each lag (offsets of {SPREAD / len(everyone):.1%} of the lag per model) so that equal values stay visible.
    """
