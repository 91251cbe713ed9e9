"""The claim about learning long lags with gradient descent, judged per training protocol on the
shipped success tables (``rnn_theory.training.success_tables``), read when the check runs.

Two readings, carried by the registry's two: ``typical`` (what the source's words ask: "via SGD",
"in practice") is judged on the vanilla RNNs trained by plain SGD without clipping, as in Bengio
et al. 1994; ``worst_case`` on those trained by a later method (Adam, or gradient clipping as in
Pascanu et al. 2013), the strongest training the package ships: the worst case for the claim over
training methods, not an adversarial search over weights.

The rule, per reading and lag L: each vanilla RNN (cell ``rnn``, any initialisation) of each
protocol in the reading has k successes of n runs with a 95% Wilson interval [lo, hi].

- *supported* at L when every hi < 1/2: each such RNN fails more often than it succeeds;
- *refuted* at L when some lo > 1/2: one succeeds more often than it fails;
- *undecided* otherwise.

One half is the package's reading of "in practice" (proofs/claims.md); the claim's literal "0"
cannot be shown by finitely many runs (0 of 10 still allows 0.28), and one half is the level at
which 10 runs decide both ways (0 or 1 successes: supported; 9 or 10: refuted). The claim is
judged at the lags beyond 20; lags 10 and 20, which the source names, make a supported reading
``holds-if`` (lag > 20) unless they are supported too. A refutation replays a shipped checkpoint
of a vanilla RNN trained by that reading's protocol that solved a refuting lag; without one the
reading stays undecided and says so.
"""

import os

import numpy as np

from .. import data
from ..training import TASKS
from ..training.checkpoint import load_trained
from ..training.tables import success_tables
from ..training.trainer import evaluate, fixed_set
from ._counterexample import counterexample
from ._registry import Source, Verdict, claim

LEVEL = 0.5  # the success probability the intervals are compared with (see the module docstring)
SOURCE_LAGS = (10, 20)  # the lengths the source names
VANILLA = "rnn"  # the cell key of a vanilla (Elman) RNN
TEST_SEQUENCES = 512  # fresh test sequences on which a (perturbed) checkpoint is scored
READINGS = {
    "typical": "plain SGD without clipping, as the source says ('via SGD')",
    "worst_case": "a later method (Adam, or gradient clipping): the strongest training the package ships",
}


def reading_of(table, model):
    """'typical' for a model of ``table`` trained by plain SGD without clipping, else 'worst_case'."""
    return "typical" if table["optimizer"] == "sgd" and table["clip"][model] is None else "worst_case"


def decide(intervals):
    """'supported', 'refuted' or 'undecided' from the Wilson intervals [lo, hi] at one lag.

    >>> decide([[0.0, 0.28], [0.0, 0.43]]), decide([[0.0, 0.28], [0.6, 0.98]]), decide([[0.38, 0.96]])
    ('supported', 'refuted', 'undecided')
    """
    if any(low > LEVEL for low, _ in intervals):
        return "refuted"
    return "supported" if all(high < LEVEL for _, high in intervals) else "undecided"


def judge(tables, folder=None):
    """{reading: Verdict} from ``success_tables(folder)``-shaped ``tables``; checkpoints are read from ``folder``."""
    folder = data.FOLDER if folder is None else folder
    return {reading: _judge_reading(tables, reading, folder) for reading in READINGS}


def _entries(tables, reading):
    """{lag: {"protocol / model": cell}} of the vanilla RNNs of ``reading``, at the lags from the source's
    shortest on (shorter lags say nothing about the claim)."""
    by_lag = {}
    for protocol, table in tables.items():
        if protocol == "missing":
            continue
        for model in _vanilla(table, reading):
            for lag, cell in table["table"][model].items():
                if int(lag) >= min(SOURCE_LAGS):
                    by_lag.setdefault(int(lag), {})[f"{protocol} / {model}"] = cell
    return dict(sorted(by_lag.items()))


def _judge_reading(tables, reading, folder):
    by_lag = _entries(tables, reading)
    decisions = {lag: decide([cell["wilson95"] for cell in cells.values()]) for lag, cells in by_lag.items()}
    beyond = [lag for lag in by_lag if lag > max(SOURCE_LAGS)]
    evidence = {
        "reading": READINGS[reading],
        "rule": f"at each lag: supported when every vanilla RNN's 95% Wilson upper bound is below {LEVEL:g}, "
        f"refuted when one's lower bound is above {LEVEL:g}, otherwise undecided; judged at lags > {max(SOURCE_LAGS)}",
        "protocols": {
            protocol: _protocol_evidence(table, reading)
            for protocol, table in tables.items()
            if protocol != "missing" and _vanilla(table, reading)
        },
        "by_lag": {
            lag: {"decision": decisions[lag], **{name: _fraction(cell) for name, cell in cells.items()}}
            for lag, cells in by_lag.items()
        },
        "successes_beyond_20": _tally(by_lag, beyond),
        "not_shipped": tables["missing"],
    }
    if not beyond:
        return Verdict("undecided", evidence, condition="not tested: no vanilla RNN of this reading at a lag > 20")
    refuting = [lag for lag in beyond if decisions[lag] == "refuted"]
    if refuting:
        for name, lag, relative, record in _refuting_checkpoints(tables, reading, by_lag, refuting, folder):
            condition = (
                f"{name} learned lag {lag} in {_said(by_lag[lag][name])} (replayed: the shipped checkpoint "
                f"{relative}); what holds is the table by lag: "
                + "; ".join(f"{other}: {decisions[other]}" for other in by_lag)
            )
            return Verdict("refuted", evidence, condition=condition, counterexample=record)
        return Verdict(
            "undecided",
            evidence,
            condition=f"the intervals refute the claim at lag {', '.join(map(str, refuting))} "
            f"({_summary(by_lag, refuting)}), but no shipped checkpoint of such a run replays it",
        )
    if all(decisions[lag] == "supported" for lag in beyond):
        within = {lag: decisions[lag] for lag in SOURCE_LAGS if lag in decisions}
        condition = f"at every lag beyond 20 ({_summary(by_lag, beyond)}): training fails more often than not"
        if all(decision == "supported" for decision in within.values()):
            return Verdict("holds", evidence, condition=condition)
        return Verdict(
            "holds-if",
            evidence,
            condition=f"the lag exceeds 20: {condition}; not at the lengths the source names: "
            + "; ".join(f"{decision} at {_summary(by_lag, [lag])}" for lag, decision in within.items()),
        )
    open_lags = [lag for lag in beyond if decisions[lag] != "supported"]
    return Verdict(
        "undecided",
        evidence,
        condition=f"no interval decides at lag {', '.join(map(str, open_lags))} ({_summary(by_lag, open_lags)}); "
        "more seeds would narrow them",
    )


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
    """Successful runs of all vanilla RNNs together at ``lags`` (the literal 'reaching 0' reading)."""
    cells = [cell for lag in lags for cell in by_lag[lag].values()]
    return {"successes": sum(c["successes"] for c in cells), "runs": sum(c["runs"] for c in cells)}


def _refuting_checkpoints(tables, reading, by_lag, lags, folder):
    """(name, lag, checkpoint path, counterexample) for each shipped checkpoint of a refuting vanilla RNN that
    solved its lag, highest lower bound first."""
    candidates = sorted(
        (
            (-cell["wilson95"][0], -lag, name)
            for lag in lags
            for name, cell in by_lag[lag].items()
            if cell["wilson95"][0] > LEVEL
        )
    )
    for _, minus_lag, name in candidates:
        protocol, model = name.split(" / ")
        table = tables[protocol]
        for relative in table["checkpoints"]:
            cell, readout, log = load_trained(os.path.join(folder, relative))
            # The log must say it is this model's run at this lag, trained as the table says.
            # (the log names the optimiser with its constants: "adam(0.9, 0.999, 1e-8)")
            optimizer = log["optimizer"].split("(")[0]
            trained_so = optimizer == table["optimizer"] and log["clip"] == table["clip"][model]
            if log["model"] == model and log["lag"] == -minus_lag and log["success"] and trained_so:
                yield name, -minus_lag, relative, _replay(cell, readout, log)


def _replay(cell, readout, log):
    """The checkpoint's cell on one test sequence of its task, with the gradient norm across the
    whole lag; it refutes while it still solves fresh sequences (``_still_solves``)."""
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


@claim(
    id="goodfellow2016.ten-to-twenty-steps",
    aliases=("seed.ten-to-twenty-steps",),
    statement="the probability of training a vanilla RNN successfully falls to 0 by lags of 10 or 20",
    source=Source(
        "goodfellow2016",
        "In practice, the experiments in Bengio et al. (1994) show that as we increase the span of the dependencies "
        "that need to be captured, gradient-based optimization becomes increasingly difficult, with the probability "
        "of successful training of a traditional RNN via SGD rapidly reaching 0 for sequences of only length 10 or 20.",
        "§10.7",
        note="a summary of Bengio, Simard & Frasconi 1994 (their text was not read); about SGD, so the typical "
        "reading judges plain SGD and the worst-case reading the later optimisers (Adam, gradient clipping)",
    ),
    asks="typical",
    method="the shipped success tables of the learning protocols (python -m rnn_theory.training.experiment; "
    "rnn_theory.training.success_tables): for each vanilla RNN (any initialisation) of each protocol, successes "
    "of runs per lag with the 95% Wilson interval, each protocol's own success criterion. Typical reading: the "
    "runs by plain SGD without clipping (bengio1994_sgd, and the unclipped models of pascanu2013_temporal_order); "
    "worst-case reading: the runs by Adam or clipped SGD (the modern experiment, the clipped models). At each lag, "
    "supported when every upper bound is below 1/2, refuted when a lower bound is above 1/2 and a shipped "
    "checkpoint of such a run replays it, otherwise undecided; the claim is judged at lags > 20, and holds only if "
    "at lags 10 and 20 too",
    recorded="holds-if",
)
def ten_to_twenty_steps(ctx):
    return judge(success_tables())
