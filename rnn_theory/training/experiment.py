"""The learning experiments: the published protocols (``protocols.py``: Bengio et al. 1994-style
SGD, the 1997 adding problem and the other cells on it, Pascanu et al. 2013's temporal order with
and without clipping) and
the "modern optimiser" row below (Adam with clipping, the package's first experiment), each with
its success table, 95% Wilson intervals and learning curves.

One command regenerates them, into a folder you name (the package's copy in rnn_theory/data is
updated deliberately, by copying from there):

    python -m rnn_theory.training.experiment --out FOLDER                  # every protocol
    python -m rnn_theory.training.experiment --protocol hs1997_adding --out FOLDER
    python -m rnn_theory.training.experiment --quick   # seconds; into ./experiment-quick/

Modern row, task: delayed recall (``tasks.recall``: K = 4 symbols, chance 1/4) at each lag τ. Every
run has the same fixed budget, at most ``steps`` Adam updates on batches of fresh sequences,
stopping early once the validation set is solved; it succeeds when at least ``success`` of
``test_size`` fresh test sequences are recalled (early stopping watches validation data, success
is judged on test). One learning rate for every model (no sweep; the protocols have one).
Initialisation: the package's ``random()`` (W ~ N(0, 1/n), U ~ N(0, 1/m), biases 0, LSTM forget
bias 1) for every cell; the rnn also with identity (IRNN, relu; Le et al. 2015) and orthogonal
(tanh) recurrent weights, and the 1997 LSTM without forget gate (lstm_nofg) for comparison. The
newer cells (indrnn, rglru, mamba, slstm) start from their own ``random()``: their papers'
initialisations where they have one (IndRNN's u ~ U[0, 1]; the RG-LRU's a^c ~ U[0.9, 0.999];
Mamba's A_k = −k and Δ ∈ [0.001, 0.1]), the package's otherwise (sLSTM). Mamba's A is trained as
ln(−A), as Mamba's code does (``trainer``). Run r
of a model uses seed r for its initial weights and its data, so every model sees the same
sequences. Runs are spread over ``--jobs`` processes (an Executor), one BLAS thread each.
"""

import argparse
import contextlib
import os
import sys
import time
from typing import NamedTuple

CLAIM = "learning beyond 10–20 steps is practically impossible (for gradient-trained vanilla RNNs)"
SOURCE = "Hochreiter & Schmidhuber 1997, section 1 and Table 2; Bengio, Simard & Frasconi 1994; Olah 2015"
RESULTS = "success_vs_lag.json"
MODERN = "modern"  # the --protocol name of the configuration below


class Config(NamedTuple):
    task: str
    lags: tuple
    seeds: int
    models: tuple  # (name, cell key, init)
    hidden: int
    batch: int
    steps: int
    lr: float
    clip: float
    check_every: int
    success: float
    validation_size: int
    test_size: int
    checkpoint_lags: tuple  # checkpoints are kept for seed 0 at these lags


_BASE_MODELS = (("rnn", "rnn", "random"), ("lstm", "lstm", "random"), ("gru", "gru", "random"))
# The descendants of the cell-state highway, each from its own ``random()`` (its paper's initialisation).
_NEW_CELLS = tuple((key, key, "random") for key in ("indrnn", "rglru", "mamba", "slstm"))
FULL = Config(
    task="recall",
    lags=(5, 10, 20, 50, 100),
    seeds=10,
    models=_BASE_MODELS
    + (
        ("rnn-identity", "rnn", "identity"),
        ("rnn-orthogonal", "rnn", "orthogonal"),
        ("lstm_nofg", "lstm_nofg", "random"),
    )
    + _NEW_CELLS,
    hidden=32,
    batch=32,
    steps=3000,
    lr=1e-2,
    clip=1.0,
    check_every=100,
    success=0.99,
    validation_size=512,
    test_size=2560,
    checkpoint_lags=(10, 50),
)
QUICK = FULL._replace(
    lags=(5, 20),
    seeds=1,
    models=_BASE_MODELS + _NEW_CELLS,
    hidden=8,
    steps=40,
    check_every=20,
    validation_size=64,
    test_size=128,
    checkpoint_lags=(5, 20),
)


def plan(config):
    """The runs, in a fixed order: (model name, cell key, init, lag, seed)."""
    return [
        (name, key, init, lag, seed)
        for name, key, init in config.models
        for lag in config.lags
        for seed in range(config.seeds)
    ]


def run_one(config, spec):
    """Train one run; returns (spec, TrainResult, CPU seconds it took)."""
    from . import TASKS, initial_cell, train

    start = time.process_time()
    name, key, init, lag, seed = spec
    task = TASKS[config.task](lag)
    cell = initial_cell(key, config.hidden, task.input_size, init, rng=seed)
    result = train(
        task,
        cell,
        steps=config.steps,
        batch=config.batch,
        lr=config.lr,
        clip=config.clip,
        seed=seed,
        check_every=config.check_every,
        success=config.success,
        validation_size=config.validation_size,
        test_size=config.test_size,
        progress=False,
    )
    result.log.update(model=name, init=init)
    return spec, result, time.process_time() - start


def run(config, out, executor=None, stream=None):
    """Run every run of ``config`` (on ``executor``, else here); write checkpoints and the results
    JSON into ``out``; return the results document and the CPU seconds of all runs together (not
    in the document: timings differ from run to run, the document must not)."""
    from ..io import write_atomic
    from .checkpoint import dumps, save_trained
    from .progress import Progress

    specs = plan(config)
    os.makedirs(os.path.join(out, "checkpoints"), exist_ok=True)
    # The longest runs first, so that the last ones to finish are short.
    order = sorted(specs, key=lambda s: -s[3] * (1 if s[1] == "rnn" else 5))
    results, cpu, progress = {}, 0.0, Progress(len(specs), "experiment", stream=stream)
    for done, (spec, result, seconds) in enumerate(_map(config, order, executor), start=1):
        results[spec], cpu = result, cpu + seconds
        progress.update(done, succeeded=sum(r.log["success"] for r in results.values()))
        if spec[4] == 0 and spec[3] in config.checkpoint_lags:
            save_trained(result, os.path.join(out, "checkpoints", _checkpoint_name(config, spec)))
    progress.close()
    runs = [results[spec] for spec in specs]
    document = {
        "claim": CLAIM,
        "source": SOURCE,
        "config": config._asdict(),
        "command": _command(MODERN, config == QUICK),
        "table": summarise(config, runs),
        "checkpoints": [
            f"checkpoints/{_checkpoint_name(config, spec)}"
            for spec in specs
            if spec[4] == 0 and spec[3] in config.checkpoint_lags
        ],
        # Learning curves stay in the checkpoints' logs; here each run's settings and outcome.
        "runs": [{k: v for k, v in r.log.items() if k != "history"} for r in runs],
    }
    write_atomic(os.path.join(out, RESULTS), dumps(document))
    return document, cpu


def _checkpoint_name(config, spec):
    name, _, _, lag, seed = spec
    return f"{config.task}-{name}-lag{lag}-seed{seed}.npz"


def _map(config, specs, executor):
    if executor is None:
        yield from (run_one(config, spec) for spec in specs)
        return
    from concurrent.futures import as_completed

    yield from (future.result() for future in as_completed([executor.submit(run_one, config, spec) for spec in specs]))


def process_executor(jobs):
    """``jobs`` fresh processes with one BLAS thread each: ``jobs`` processes use ``jobs`` cores,
    and results do not depend on a thread count. Spawned children read the variables before they
    load NumPy."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))


def _command(name, quick):
    return f"python -m rnn_theory.training.experiment --protocol {name} " + ("--quick" if quick else "--out FOLDER")


def summarise(config, runs):
    """Per model and lag: successes out of runs with their 95% Wilson interval, mean test fraction
    correct, median steps to success."""
    from .stats import wilson

    table = {}
    for name, _, _ in config.models:
        table[name] = {}
        for lag in config.lags:
            logs = [r.log for r in runs if r.log["model"] == name and r.log["lag"] == lag]
            wins = [log for log in logs if log["success"]]
            steps = sorted(log["steps_run"] for log in wins)
            table[name][str(lag)] = {
                "successes": len(wins),
                "runs": len(logs),
                "success_rate": len(wins) / len(logs),
                "wilson95": [round(v, 4) for v in wilson(len(wins), len(logs))],
                "mean_test_correct": round(sum(log["test_correct"] for log in logs) / len(logs), 4),
                "median_steps_to_success": steps[len(steps) // 2] if steps else None,
            }
    return table


def format_table(document):
    config, table = document["config"], document["table"]
    lags = [str(lag) for lag in config["lags"]]
    lines = [
        f"success rate vs lag: {config['task']}, n={config['hidden']}, <= {config['steps']} steps x batch "
        f"{config['batch']}, {config['seeds']} seeds; success = >= {config['success']:.0%} of "
        f"{config['test_size']} test sequences (chance 25%)",
        f"{'model':16s}" + "".join(f"{'τ=' + lag:>14s}" for lag in lags),
    ]
    for name, row in table.items():
        cells = [f"{row[lag]['successes']}/{row[lag]['runs']} ({row[lag]['mean_test_correct']:.2f})" for lag in lags]
        lines.append(f"{name:16s}" + "".join(f"{c:>14s}" for c in cells))
    lines.append("entries: successful runs / runs (mean test fraction correct)")
    return "\n".join(lines)


def main(argv=None):
    from .protocols import PROTOCOLS
    from .protocols import QUICK as QUICK_PROTOCOLS
    from .runner import run_protocol
    from .tables import format_protocol

    names = [MODERN, *PROTOCOLS]
    parser = argparse.ArgumentParser(
        prog="python -m rnn_theory.training.experiment", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--protocol", action="append", choices=names, help="run only this protocol (repeatable; default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="the seconds-long smoke version of every protocol chosen")
    parser.add_argument("--out", help="output folder (required, except with --quick: ./experiment-quick)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")
    if args.out is None and not args.quick:
        parser.error("--out FOLDER is required (the package's data folder is updated by copying from it, deliberately)")
    out = args.out or "experiment-quick"
    start, cpu = time.monotonic(), 0.0
    with process_executor(args.jobs) if args.jobs > 1 else contextlib.nullcontext() as executor:
        for name in args.protocol or names:
            if name == MODERN:
                document, seconds = run(QUICK if args.quick else FULL, out, executor)
                cpu += seconds
                print(format_table(document))
                continue
            protocol = (QUICK_PROTOCOLS if args.quick else PROTOCOLS)[name]
            document, seconds = run_protocol(protocol, out, executor, command=_command(name, args.quick))
            cpu += seconds
            print(format_protocol(document))
    print(
        f"wrote {out} in {time.monotonic() - start:.0f} s wall; the runs trained here took {cpu:.0f} CPU s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
