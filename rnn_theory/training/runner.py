"""Running a ``Protocol``: the learning-rate sweep (if it has one), then the table, on an executor;
one results document per protocol, ``<out>/<results_file(name)>``, one schema for every protocol.

The executor is a ``concurrent.futures.Executor`` or a ``distributed.Client`` (``rnn_theory.parallel``);
each run is a task: its protocol and ``Spec`` go to the worker, its TrainResult comes back and is
kept here, so a cluster needs no shared disk. A worker lost mid-run costs only its runs, which the
scheduler runs again: a run is seeded, so its result is the same bytes wherever it ran.

Each finished run is kept at once in ``<out>/runs/<protocol>-<settings hash>/`` (its whole log,
learning curve included; the trained weights too for the runs the protocol keeps). The hash covers
the settings every run of the protocol shares and a run's file name the rest of what it depends
on, so an edited protocol never reads a stale run, while one given more seeds, lags, rates or
models reuses the runs it already has. An interrupted command (here or on a cluster) resumes where
it stopped, here or on another cluster, and a rerun reads the kept runs instead of training again.
Every file is written whole or not at all (``rnn_theory.io``). Every run is seeded and its log has
no timings, so the document is the same bytes whichever runs were kept, however many processes or
machines ran them, and in whatever order they finished.
"""

import hashlib
import json
import os
import statistics
import time
from concurrent.futures import as_completed
from typing import NamedTuple

from ..io import write_atomic
from ..parallel import as_executor
from .checkpoint import dumps, load_trained, save_trained
from .progress import Progress
from .protocols import results_file
from .stats import curve_quartiles, wilson
from .tasks import TASKS
from .trainer import train_initial

SWEEP, TABLE = "sweep", "table"


class Spec(NamedTuple):
    """One training run."""

    phase: str  # SWEEP or TABLE
    model: str
    cell: str
    init: str
    clip: float | None
    lag: int
    seed: int
    lr: float

    @property
    def stem(self):
        return f"{self.phase}-{self.model}-{self.cell}-{self.init}-clip{self.clip}-lag{self.lag}-seed{self.seed}-lr{self.lr:g}"


def train_one(protocol, spec):
    """Train the run ``spec`` of ``protocol``: (spec, TrainResult, CPU seconds it took)."""
    start = time.process_time()
    result = train_initial(
        TASKS[protocol.task](spec.lag),
        spec.cell,
        protocol.hidden,
        spec.init,
        seed=spec.seed,
        steps=protocol.steps,
        batch=protocol.batch,
        lr=spec.lr,
        clip=spec.clip,
        check_every=protocol.check_every,
        success=protocol.success,
        validation_size=protocol.validation_size,
        test_size=protocol.test_size,
        progress=False,
        optimizer=protocol.optimizer,
        stop=protocol.stop,
    )
    result.log.update(model=spec.model, phase=spec.phase)
    return spec, result, time.process_time() - start


def sweep_specs(protocol):
    if len(protocol.lrs) == 1:  # one rate: nothing to choose
        return []
    return [
        Spec(SWEEP, name, key, init, clip, protocol.sweep_lag, seed, lr)
        for name, key, init, clip in protocol.models
        for lr in protocol.lrs
        for seed in protocol.sweep_seeds
    ]


def table_specs(protocol, chosen):
    return [
        Spec(TABLE, name, key, init, clip, lag, seed, chosen[name])
        for name, key, init, clip in protocol.models
        for lag in protocol.lags
        for seed in range(protocol.seeds)
    ]


def choose_rates(protocol, logs):
    """{model: chosen rate, "scores": {model: {lr: mean final validation fraction}}} from the sweep's
    logs: the highest mean validation fraction correct; ties, the fewer mean steps, then the smaller rate.
    With one rate, that rate, and no scores."""
    chosen, scores = {}, {}
    for name, *_ in protocol.models:
        if len(protocol.lrs) == 1:
            chosen[name] = protocol.lrs[0]
            continue
        ranked = []
        for lr in protocol.lrs:
            runs = [log for log in logs if log["model"] == name and log["lr"] == lr]
            val = sum(log["history"][-1]["val_correct"] or 0.0 for log in runs) / len(runs)
            steps = sum(log["steps_run"] for log in runs) / len(runs)
            ranked.append((-val, steps, lr))
            scores.setdefault(name, {})[f"{lr:g}"] = round(val, 4)
        chosen[name] = min(ranked)[2]
    return chosen, scores


def summarise(protocol, logs):
    """Per model and lag: successes of runs, the 95% Wilson interval, mean test fraction correct and
    median training sequences to success. Reads only what a document's ``runs`` keep."""
    table = {}
    for name, *_ in protocol.models:
        table[name] = {}
        for lag in protocol.lags:
            runs = [log for log in logs if log["model"] == name and log["lag"] == lag]
            wins = sorted(log["sequences_seen"] for log in runs if log["success"])
            low, high = wilson(len(wins), len(runs))
            table[name][str(lag)] = {
                "successes": len(wins),
                "runs": len(runs),
                "success_rate": len(wins) / len(runs),
                "wilson95": [round(low, 4), round(high, 4)],
                "mean_test_correct": round(sum(log["test_correct"] for log in runs) / len(runs), 4),
                "median_sequences_to_success": statistics.median(wins) if wins else None,
            }
    return table


def curves(protocol, logs):
    """Per model and lag: the quartiles of the validation fraction correct over the runs."""
    return {
        name: {
            str(lag): curve_quartiles(
                [log["history"] for log in logs if log["model"] == name and log["lag"] == lag],
                protocol.check_every,
                protocol.steps,
            )
            for lag in protocol.lags
        }
        for name, *_ in protocol.models
    }


def run_protocol(protocol, out, executor=None, command="", stream=None):
    """Run ``protocol`` (sweep, then table) into ``out`` on ``executor`` (a concurrent.futures.Executor
    or a distributed.Client; None: here); return its results document and the CPU seconds of the runs
    trained now (each run's also in ``cpu_seconds.tsv`` of its folder: timings stay out of the
    document, which must not change from one run to the next). Progress goes to ``stream`` (default
    stderr) when it is a terminal."""
    executor = as_executor(executor)
    cache = os.path.join(out, "runs", f"{protocol.name}-{settings_hash(protocol)}")
    os.makedirs(cache, exist_ok=True)
    total = len(sweep_specs(protocol)) + len(protocol.models) * len(protocol.lags) * protocol.seeds
    chosen, scores, logs, cpu = {}, {}, [], [0.0]
    progress = Progress(total, protocol.name, stream=stream)
    for model in protocol.models:  # model by model, so that the first models' tables finish first
        one = protocol._replace(models=(model,))
        rates, model_scores = choose_rates(one, _logs(one, sweep_specs(one), cache, executor, cpu, progress))
        chosen.update(rates), scores.update(model_scores)
        logs += _logs(one, table_specs(one, rates), cache, executor, cpu, progress)
    progress.close()
    document = {
        "protocol": protocol._asdict(),
        "command": command,
        "sweep": {
            "scores": scores,
            "chosen_lr": chosen,
            "rule": SWEEP_RULE if len(protocol.lrs) > 1 else ONE_RATE,
        },
        "table": summarise(protocol, logs),
        "curves": curves(protocol, logs),
        "stopping": f"early stopping when the validation fraction correct reaches {protocol.stop:g} "
        f"({protocol.validation_size} validation sequences); success judged on {protocol.test_size} "
        f"fresh test sequences",
        "checkpoints": [
            f"checkpoints/{_checkpoint_stem(protocol, model, lag)}.npz" for model, lag in protocol.checkpoints
        ],
        "runs": [{k: v for k, v in log.items() if k != "history"} for log in logs],
    }
    for model, lag in protocol.checkpoints:
        _publish_checkpoint(protocol, chosen, model, lag, cache, out)
    write_atomic(os.path.join(out, results_file(protocol.name)), dumps(document))
    return document, cpu[0]


SWEEP_RULE = (
    "highest mean final validation fraction correct over the sweep seeds at the sweep lag; "
    "ties: fewer mean steps, then the smaller rate"
)
ONE_RATE = "one rate for every model (no sweep)"


RUN_SETTINGS = (
    "task",
    "optimizer",
    "hidden",
    "batch",
    "steps",
    "check_every",
    "stop",
    "success",
    "validation_size",
    "test_size",
)  # what every run of a protocol shares; the rest is in Spec


def settings_hash(protocol):
    """12 hex digits of the SHA-256 of the settings every run of ``protocol`` shares."""
    return hashlib.sha256(dumps({k: getattr(protocol, k) for k in RUN_SETTINGS}).encode()).hexdigest()[:12]


def _checkpoint_stem(protocol, model, lag):
    return f"{protocol.task}-{model}-lag{lag}-seed0"


def _kept(protocol, spec):
    return spec.phase == TABLE and spec.seed == 0 and (spec.model, spec.lag) in protocol.checkpoints


def _kept_files(protocol, spec, cache):
    """The files a finished run leaves in ``cache``: its log, and its weights when the protocol keeps them."""
    stem = os.path.join(cache, spec.stem)
    return [stem + ".json", stem + ".npz"] if _kept(protocol, spec) else [stem + ".json"]


def _logs(protocol, specs, cache, executor, cpu, progress):
    """The logs of ``specs`` in their order: kept ones read back, the others trained (longest first),
    each kept as soon as it finishes; their CPU seconds are added to ``cpu[0]``."""
    todo = [spec for spec in specs if not all(map(os.path.exists, _kept_files(protocol, spec, cache)))]
    todo.sort(key=lambda spec: -spec.lag * (1 if spec.cell == "rnn" else 5))
    if executor is None:
        finished = (train_one(protocol, spec) for spec in todo)
    else:
        finished = (
            future.result() for future in as_completed([executor.submit(train_one, protocol, spec) for spec in todo])
        )
    progress.advance(len(specs) - len(todo))
    for spec, result, seconds in finished:
        progress.advance()
        cpu[0] += seconds
        with open(os.path.join(cache, "cpu_seconds.tsv"), "a", encoding="utf-8") as file:
            file.write(f"{spec.stem}\t{seconds:.1f}\n")
        if _kept(protocol, spec):
            save_trained(result, os.path.join(cache, spec.stem + ".npz"))
        else:
            write_atomic(os.path.join(cache, spec.stem + ".json"), dumps(result.log))
    logs = []
    for spec in specs:
        with open(os.path.join(cache, spec.stem + ".json"), encoding="utf-8") as file:
            log = json.load(file)
        log.pop("readout", None), log.pop("checkpoint", None)
        logs.append(log)
    return logs


def _publish_checkpoint(protocol, chosen, model, lag, cache, out):
    """The kept run's weights and log, written again into ``out/checkpoints`` under its public name."""
    spec = next(s for s in table_specs(protocol, chosen) if s.model == model and s.lag == lag and s.seed == 0)
    os.makedirs(os.path.join(out, "checkpoints"), exist_ok=True)
    save_trained(
        load_trained(os.path.join(cache, spec.stem + ".npz")),
        os.path.join(out, "checkpoints", _checkpoint_stem(protocol, model, lag) + ".npz"),
    )
