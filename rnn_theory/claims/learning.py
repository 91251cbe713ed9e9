"""The claims about learning long lags with gradient descent, judged per training protocol on the
shipped success tables (``rnn_theory.training.success_tables``), read when the check runs.

Two readings, carried by the registry's two and filed as two claims: ``typical`` (what the
source's words ask: "via SGD", "in practice") is judged on the vanilla RNNs trained by plain SGD
without clipping, as in Bengio et al. 1994 (``goodfellow2016.ten-to-twenty-steps``); ``worst_case``
on those trained by a later method (Adam, or gradient clipping as in Pascanu et al. 2013), the
strongest training the package ships: the worst case for the claim over training methods, not an
adversarial search over weights. The source speaks of SGD only, so that reading is the package's
extension, under an id that names no work (``folklore.ten-to-twenty-steps-any-optimiser``).

A lag here is a task's span (``Task.span``), the steps from the earliest relevant input (one the
task marks as carrying the answer) to the output, the fewest over its drawn sequences: the longest
dependency every sequence holds, so that a success shows that span bridged. A failure is filed at
the same span although its runs were asked for more (at T = 50, temporal order's first symbol lies
39 to 49 steps back), which weighs it slightly towards "reaching 0". Delayed recall at lag τ spans
τ; the adding problem with minimal lag L (one marked pair among the first ten, the other among the
first L) 2L − 10 from L = 11, L + 1 below; temporal order of length T, T − 1 − 2⌊T/10⌋ (15 at
T = 20). Where a task's tables name another setting, the evidence names it beside the model, and a
lag that only such settings measure is labelled with them ("lag 39 (temporal_order of length
T = 50)"). The rule at one lag L, over
each vanilla RNN (cell ``rnn``, any initialisation) of each protocol in the reading, with k
successes of n runs and a 95% Wilson interval [lo, hi]:

- *supported* when no run succeeded (every k = 0): "reaching 0", as far as finitely many runs can
  show it (0 of 10 still allows a probability up to 0.28);
- *refuted* when some lo > LEVEL = 0.05: one RNN's success probability is, at 95% confidence, at
  least 1 in 20, which no practical sense of "reaching 0" allows (3 of 10 runs, [0.11, 0.60], refute;
  1 of 10, [0.02, 0.40], does not);
- *undecided* otherwise.

The lags are the settings of the claims' settings rule (``_typical.settings_verdict``); the lengths
the source names, 10 and 20, are its standard settings and decide first: the claim is refuted when
it fails at one of them, whatever longer lags show. A refutation replays a shipped checkpoint of a
vanilla RNN trained by that reading's protocol that solved a refuting lag (the lag that decided,
else another refuting lag); without one the reading stays undecided and says so.
"""

import dataclasses
import os

import numpy as np

from .. import data
from ..training import TASKS
from ..training.checkpoint import load_trained
from ..training.tables import success_tables
from ..training.trainer import evaluate, fixed_set
from ._counterexample import counterexample
from ._registry import Source, Verdict, claim
from ._typical import settings_verdict

LEVEL = 0.05  # refuted when a success probability's interval lies above this (see the module docstring)
SOURCE_LAGS = (10, 20)  # the lengths the source names: the standard settings
VANILLA = "rnn"  # the cell key of a vanilla (Elman) RNN
TEST_SEQUENCES = 512  # fresh test sequences on which a (perturbed) checkpoint is scored
READINGS = {
    "typical": "plain SGD without clipping, as the source says ('via SGD')",
    "worst_case": "a later method (Adam, or gradient clipping): the strongest training the package ships",
}
_CLASS = {"supported": "holds", "refuted": "fails", "undecided": "undecided"}


def reading_of(table, model):
    """'typical' for a model of ``table`` trained by plain SGD without clipping, else 'worst_case'."""
    return "typical" if table["optimizer"] == "sgd" and table["clip"][model] is None else "worst_case"


def decide(cells):
    """'supported', 'refuted' or 'undecided' at one lag from its cells {successes, runs, wilson95}.

    >>> none, all_ = {"successes": 0, "wilson95": [0.0, 0.28]}, {"successes": 10, "wilson95": [0.72, 1.0]}
    >>> one = {"successes": 1, "wilson95": [0.02, 0.40]}
    >>> decide([none, none]), decide([none, all_]), decide([none, one])
    ('supported', 'refuted', 'undecided')
    """
    if any(cell["wilson95"][0] > LEVEL for cell in cells):
        return "refuted"
    return "supported" if all(cell["successes"] == 0 for cell in cells) else "undecided"


def judge(tables, folder=None, readings=tuple(READINGS)):
    """{reading: Verdict} for ``readings`` from ``success_tables(folder)``-shaped ``tables``; checkpoints are
    read from ``folder``."""
    folder = data.FOLDER if folder is None else folder
    return {reading: _judge_reading(tables, reading, folder) for reading in readings}


def _entries(tables, reading):
    """{lag: {name: cell}} of the vanilla RNNs of ``reading``, binned by their task's span (``Task.span``),
    at the lags from the source's shortest on (shorter lags say nothing about the claim). A name is
    "protocol / model", with the task's setting where the table names it otherwise ("… (temporal_order
    of length T = 20)"); each cell also keeps its protocol, model and task lag, for the replay."""
    by_lag = {}
    for protocol, table in tables.items():
        if protocol == "missing":
            continue
        for model in _vanilla(table, reading):
            for setting, cell in table["table"][model].items():
                task = TASKS[table["task"]](int(setting))
                if task.span >= min(SOURCE_LAGS):
                    name = f"{protocol} / {model}" + ("" if task.span == task.lag else f" ({task.setting})")
                    entry = {
                        **cell,
                        "protocol": protocol,
                        "model": model,
                        "task_lag": task.lag,
                        "setting": task.setting,
                    }
                    by_lag.setdefault(task.span, {})[name] = entry
    return dict(sorted(by_lag.items()))


class _NoReplay(Exception):
    """No shipped checkpoint replays a refuting lag."""


def _judge_reading(tables, reading, folder):
    by_lag = _entries(tables, reading)
    decisions = {lag: decide(list(cells.values())) for lag, cells in by_lag.items()}
    evidence = {
        "reading": READINGS[reading],
        "rule": "at each lag (a task's span: the steps from the earliest input its answer needs to the output, "
        "the fewest over its sequences; recall: tau, adding with minimal lag L: 2L - 10 from L = 11, temporal order "
        "of length T: T - 1 - 2*floor(T/10)): supported when no vanilla RNN succeeded in any run, refuted when one's 95% Wilson lower "
        f"bound is above {LEVEL:g}, otherwise undecided; the lags are the settings of the settings rule, the source's "
        f"{' and '.join(map(str, SOURCE_LAGS))} standard",
        "protocols": {
            protocol: _protocol_evidence(table, reading)
            for protocol, table in tables.items()
            if protocol != "missing" and _vanilla(table, reading)
        },
        "by_lag": {
            lag: {"decision": decisions[lag], **{name: _fraction(cell) for name, cell in cells.items()}}
            for lag, cells in by_lag.items()
        },
        "successes_at_the_source_lags": _tally(by_lag, [lag for lag in SOURCE_LAGS if lag in by_lag]),
        "not_shipped": tables["missing"],
    }
    standard = tuple(f"lag {lag}" for lag in SOURCE_LAGS if lag in by_lag)
    if not standard:
        return Verdict("undecided", evidence, condition="not tested: no vanilla RNN of this reading at lag 10 or 20")
    classes = {_label(lag, by_lag[lag]): _CLASS[decision] for lag, decision in decisions.items()}
    replayed = []

    def refute(setting):
        first = int(setting.split()[1])
        lags = [first] + [lag for lag in by_lag if decisions[lag] == "refuted" and lag != first]
        for name, lag, relative, record in _refuting_checkpoints(tables, reading, by_lag, lags, folder):
            replayed.append(
                f"{name} learned lag {lag} in {_said(by_lag[lag][name])} (replayed: the shipped checkpoint {relative})"
            )
            return record
        raise _NoReplay(first)

    try:
        verdict = settings_verdict(classes, evidence, refute, standard=standard)
    except _NoReplay as missing:
        lag = missing.args[0]
        return Verdict(
            "undecided",
            evidence,
            condition=f"the intervals refute the claim at lag {lag} ({_summary(by_lag, [lag])}), but no shipped "
            "checkpoint of such a run replays it",
        )
    if verdict.condition is None:
        return verdict
    table = "; ".join(f"{decisions[lag]} at {_summary(by_lag, [lag])}" for lag in by_lag)
    return dataclasses.replace(verdict, condition="; ".join([*replayed, verdict.condition, table]))


def verdicts_markdown(tables, folder=None):
    """The claim's verdict per reading on ``tables``, as Markdown bullets (for the documentation)."""
    return "\n".join(
        f"- **{reading.replace('_', ' ')}** ({READINGS[reading]}): **{verdict.verdict}**"
        + (f": {verdict.condition}" if verdict.condition else "")
        for reading, verdict in judge(tables, folder).items()
    )


def _vanilla(table, reading):
    """The vanilla RNNs of ``table`` that ``reading`` judges."""
    return [
        model for model in table["table"] if table["cell"][model] == VANILLA and reading_of(table, model) == reading
    ]


def _protocol_evidence(table, reading):
    models = _vanilla(table, reading)
    return {
        "optimizer": table["optimizer"],
        "task": table["task"],
        "criterion": table["criterion"],
        "seeds": table["seeds"],
        "models": {model: {"lr": table["lr"][model], "clip": table["clip"][model]} for model in models},
        "regenerate": table["command"],
    }


def _label(lag, cells):
    """A setting's name for the settings rule: "lag L", with the tasks' own settings where none of its
    cells is a task at lag L (never for the source's lags, whose names the rule looks up)."""
    settings = sorted({cell["setting"] for cell in cells.values() if cell["task_lag"] != lag})
    if lag in SOURCE_LAGS or any(cell["task_lag"] == lag for cell in cells.values()):
        return f"lag {lag}"
    return f"lag {lag} ({', '.join(settings)})"


def _fraction(cell):
    return {"successes_of_runs": [cell["successes"], cell["runs"]], "wilson95": cell["wilson95"]}


def _said(cell):
    low, high = cell["wilson95"]
    return f"{cell['successes']}/{cell['runs']} runs [{low:.2f}, {high:.2f}]"


def _summary(by_lag, lags):
    return "; ".join(
        f"lag {lag}: " + ", ".join(f"{name} {_said(cell)}" for name, cell in by_lag[lag].items()) for lag in lags
    )


def _tally(by_lag, lags):
    """Successful runs of all vanilla RNNs together at ``lags``."""
    cells = [cell for lag in lags for cell in by_lag[lag].values()]
    return {"successes": sum(c["successes"] for c in cells), "runs": sum(c["runs"] for c in cells)}


def _refuting_checkpoints(tables, reading, by_lag, lags, folder):
    """(name, lag, checkpoint path, counterexample) for each shipped checkpoint of a refuting vanilla RNN that
    solved its lag: ``lags`` in their order (the deciding lag first), at one lag highest lower bound first."""
    candidates = sorted(  # ties: a traditional RNN (the package's own initialisation) before a special start
        (
            (rank, -cell["wilson95"][0], tables[cell["protocol"]]["init"][cell["model"]] != "random", name, lag)
            for rank, lag in enumerate(lags)
            for name, cell in by_lag[lag].items()
            if cell["wilson95"][0] > LEVEL
        )
    )
    for *_, name, lag in candidates:
        entry = by_lag[lag][name]
        table, model = tables[entry["protocol"]], entry["model"]
        for relative in table["checkpoints"]:
            cell, readout, log = load_trained(os.path.join(folder, relative))
            # The log must say it is this model's run at this setting, trained as the table says.
            # (the log names the optimiser with its constants: "adam(0.9, 0.999, 1e-8)")
            optimizer = log["optimizer"].split("(")[0]
            trained_so = optimizer == table["optimizer"] and log["clip"] == table["clip"][model]
            if log["model"] == model and log["lag"] == entry["task_lag"] and log["success"] and trained_so:
                yield name, lag, relative, _replay(cell, readout, log)


def _replay(cell, readout, log):
    """The checkpoint's cell on one test sequence of its task, with the gradient norm across the
    task's lag parameter (recall: τ; temporal order: its length T, the whole sequence); it refutes
    while it still solves fresh sequences (``_still_solves``)."""
    task = TASKS[log["task"]](log["lag"])
    xs, _ = task.sample(np.random.default_rng(0), 1)
    refutes = _still_solves(task, readout, log["success_threshold"])
    return counterexample(
        cell, xs[:, :, 0], np.zeros(cell.state_size), log["lag"], refutes, test_correct=log["test_correct"]
    )


def _still_solves(task, readout, success):
    """The failure test of a trained counterexample: the (perturbed) cell, with the checkpoint's
    readout, still gets at least ``success`` of TEST_SEQUENCES fresh sequences right."""
    batches = fixed_set(task, np.random.default_rng(1), TEST_SEQUENCES)

    def refutes(cell, xs, s0, log_norm):
        scores = [evaluate(task, cell, cell.params, readout, xs_b, target)[0] * len(target) for xs_b, target in batches]
        return sum(scores) / TEST_SEQUENCES >= success

    return refutes


SOURCE = (
    "goodfellow2016",
    "In practice, the experiments in Bengio et al. (1994) show that as we increase the span of the dependencies "
    "that need to be captured, gradient-based optimization becomes increasingly difficult, with the probability "
    "of successful training of a traditional RNN via SGD rapidly reaching 0 for sequences of only length 10 or 20.",
    "§10.7",
)
_METHOD = (
    "the shipped success tables of the learning protocols (python -m rnn_theory.training.experiment; "
    "rnn_theory.training.success_tables): for each vanilla RNN (any initialisation) of each protocol, successes "
    "of runs per lag with the 95% Wilson interval, each protocol's own success criterion, on the package's own "
    "tasks (delayed recall, temporal order, adding), not Bengio et al.'s. At each lag, supported when no run "
    f"succeeded, refuted when a lower bound is above {LEVEL:g} and a shipped checkpoint of such a run replays it, "
    "otherwise undecided; the settings rule over the lags decides, the source's lags 10 and 20 standard. Runs: "
)


@claim(
    id="goodfellow2016.ten-to-twenty-steps",
    aliases=("seed.ten-to-twenty-steps",),
    statement="the probability of training a vanilla RNN successfully via SGD rapidly reaches 0 for dependencies "
    "spanning only 10 or 20 steps (the book's 'sequences of only length 10 or 20', read as the span its sentence "
    "is about; a recall sequence of lag tau has tau + 1 steps); tested on the package's own tasks",
    source=Source(
        *SOURCE,
        note="the book's general statement, a summary of Bengio, Simard & Frasconi 1994 (their text was not "
        "read), judged on the package's tasks (delayed recall with noise-free distractors, temporal order), not "
        "on Bengio et al.'s noisy latch tasks: the verdict says nothing about their results. Judged on plain "
        "SGD, as the words say; the later optimisers are folklore.ten-to-twenty-steps-any-optimiser",
    ),
    asks="typical",
    method=_METHOD + "those by plain SGD without clipping (bengio1994_sgd, and the unclipped models of "
    "pascanu2013_temporal_order)",
    recorded="refuted",
)
def ten_to_twenty_steps(ctx):
    return judge(success_tables(), readings=("typical",))


@claim(
    id="folklore.ten-to-twenty-steps-any-optimiser",
    statement="whatever gradient method trains it (Adam and clipped SGD included), the probability of training a "
    "vanilla RNN successfully reaches 0 for dependencies spanning only 10 or 20 steps (tested on the package's own "
    "tasks)",
    source=Source(
        *SOURCE,
        "extension",
        "the book speaks of SGD (goodfellow2016.ten-to-twenty-steps) and teaches gradient clipping as a remedy "
        "(§10.11.1); that the limit holds for the later optimisers too is the package's extension of its words",
    ),
    asks="worst_case",
    method=_METHOD + "those by Adam or clipped SGD (the modern experiment, the clipped models of "
    "pascanu2013_temporal_order, adding_other_cells)",
    recorded="refuted",
)
def ten_to_twenty_steps_any_optimiser(ctx):
    return judge(success_tables(), readings=("worst_case",))
