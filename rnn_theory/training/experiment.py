"""The experiment behind the claim that learning beyond 10–20 steps is practically impossible:
success rate against lag for the vanilla RNN, the LSTM and the GRU, trained by BPTT.

One command regenerates everything (results JSON and the shipped checkpoints):

    python -m rnn_theory.training.experiment            # full run into rnn_theory/data/
    python -m rnn_theory.training.experiment --quick    # a one-minute version, into ./experiment-quick/

Task: delayed recall (``tasks.recall``: K = 4 symbols, chance 1/4) at each lag τ. Every run has the
same fixed budget, at most ``steps`` Adam updates on batches of fresh sequences, stopping early once
the validation set is solved; it succeeds when at least ``success`` of ``test_size`` fresh test
sequences are recalled. Initialisation: the package's ``random()`` (W ~ N(0, 1/n), U ~ N(0, 1/m),
biases 0, LSTM forget bias 1) for every cell; the rnn also with identity (IRNN, relu; Le et al.
2015) and orthogonal (tanh) recurrent weights, and the 1997 LSTM without forget gate (lstm_nofg)
for comparison. Run r of a model uses seed r for its initial weights and its data, so every model
sees the same sequences. Runs are spread over ``--jobs`` processes, one BLAS thread each.
"""

import argparse
import os
import sys
import time
from typing import NamedTuple

CLAIM = "learning beyond 10–20 steps is practically impossible (for gradient-trained vanilla RNNs)"
SOURCE = "Hochreiter & Schmidhuber 1997, section 1 and Table 2; Bengio, Simard & Frasconi 1994; Olah 2015"
DATA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data")
RESULTS = "success_vs_lag.json"


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
FULL = Config(
    task="recall", lags=(5, 10, 20, 50, 100), seeds=5,
    models=_BASE_MODELS + (("rnn-identity", "rnn", "identity"), ("rnn-orthogonal", "rnn", "orthogonal"),
                           ("lstm_nofg", "lstm_nofg", "random")),
    hidden=32, batch=32, steps=3000, lr=1e-2, clip=1.0, check_every=100, success=0.99,
    validation_size=512, test_size=2560, checkpoint_lags=(10, 50),
)
QUICK = FULL._replace(lags=(5, 20), seeds=1, models=_BASE_MODELS, hidden=16, steps=200, check_every=50,
                      validation_size=256, test_size=512, checkpoint_lags=(5, 20))


def plan(config):
    """The runs, in a fixed order: (model name, cell key, init, lag, seed)."""
    return [(name, key, init, lag, seed) for name, key, init in config.models for lag in config.lags for seed in range(config.seeds)]


def run_one(config, spec):
    """Train one run; returns (spec, TrainResult, CPU seconds it took)."""
    from . import TASKS, initial_cell, train

    start = time.process_time()
    name, key, init, lag, seed = spec
    task = TASKS[config.task](lag)
    cell = initial_cell(key, config.hidden, task.input_size, init, rng=seed)
    result = train(task, cell, steps=config.steps, batch=config.batch, lr=config.lr, clip=config.clip, seed=seed,
                   check_every=config.check_every, success=config.success, validation_size=config.validation_size,
                   test_size=config.test_size, progress=False)
    result.log.update(model=name, init=init)
    return spec, result, time.process_time() - start


def _run_packed(args):
    return run_one(*args)


def run(config, out, jobs=2, stream=None):
    """Run every run of ``config`` on ``jobs`` processes; write checkpoints and the results JSON into
    ``out``; return the results document and the CPU seconds of all runs together (not in the
    document: timings differ from run to run, the document must not)."""
    from ..io import write_atomic
    from .checkpoint import dumps, save_trained
    from .progress import Progress

    specs = plan(config)
    os.makedirs(os.path.join(out, "checkpoints"), exist_ok=True)
    # The longest runs first, so that the last ones to finish are short.
    order = sorted(specs, key=lambda s: -s[3] * (1 if s[1] == "rnn" else 5))
    results, cpu, progress = {}, 0.0, Progress(len(specs), "experiment", stream=stream)
    for done, (spec, result, seconds) in enumerate(_map(config, order, jobs), start=1):
        results[spec], cpu = result, cpu + seconds
        progress.update(done, succeeded=sum(r.log["success"] for r in results.values()))
        if spec[4] == 0 and spec[3] in config.checkpoint_lags:
            save_trained(result, os.path.join(out, "checkpoints", _checkpoint_name(config, spec)))
    progress.close()
    runs = [results[spec] for spec in specs]
    document = {
        "claim": CLAIM, "source": SOURCE, "config": config._asdict(),
        "command": "python -m rnn_theory.training.experiment" + (" --quick" if config == QUICK else ""),
        "table": summarise(config, runs),
        "checkpoints": [f"checkpoints/{_checkpoint_name(config, spec)}" for spec in specs
                        if spec[4] == 0 and spec[3] in config.checkpoint_lags],
        # Learning curves stay in the checkpoints' logs; here each run's settings and outcome.
        "runs": [{k: v for k, v in r.log.items() if k != "history"} for r in runs],
    }
    write_atomic(os.path.join(out, RESULTS), dumps(document))
    return document, cpu


def _checkpoint_name(config, spec):
    name, _, _, lag, seed = spec
    return f"{config.task}-{name}-lag{lag}-seed{seed}.npz"


def _map(config, specs, jobs):
    if jobs <= 1:
        yield from (run_one(config, spec) for spec in specs)
        return
    import multiprocessing

    # One BLAS thread per process: ``jobs`` processes use ``jobs`` cores, and results do not depend
    # on a thread count. The spawned children read these variables before they load NumPy.
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = "1"
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap_unordered(_run_packed, [(config, spec) for spec in specs])


def summarise(config, runs):
    """Per model and lag: successes out of runs, mean test fraction correct, median steps to success."""
    table = {}
    for name, _, _ in config.models:
        table[name] = {}
        for lag in config.lags:
            logs = [r.log for r in runs if r.log["model"] == name and r.log["lag"] == lag]
            wins = [log for log in logs if log["success"]]
            steps = sorted(log["steps_run"] for log in wins)
            table[name][str(lag)] = {
                "successes": len(wins), "runs": len(logs), "success_rate": len(wins) / len(logs),
                "mean_test_correct": round(sum(log["test_correct"] for log in logs) / len(logs), 4),
                "median_steps_to_success": steps[len(steps) // 2] if steps else None,
            }
    return table


def format_table(document):
    config, table = document["config"], document["table"]
    lags = [str(lag) for lag in config["lags"]]
    lines = [f"success rate vs lag: {config['task']}, n={config['hidden']}, <= {config['steps']} steps x batch "
             f"{config['batch']}, {config['seeds']} seeds; success = >= {config['success']:.0%} of "
             f"{config['test_size']} test sequences (chance 25%)",
             f"{'model':16s}" + "".join(f"{'τ=' + lag:>14s}" for lag in lags)]
    for name, row in table.items():
        cells = [f"{row[lag]['successes']}/{row[lag]['runs']} ({row[lag]['mean_test_correct']:.2f})" for lag in lags]
        lines.append(f"{name:16s}" + "".join(f"{c:>14s}" for c in cells))
    lines.append("entries: successful runs / runs (mean test fraction correct)")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m rnn_theory.training.experiment", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the one-minute version (2 lags, 1 seed, 200 steps)")
    parser.add_argument("--out", help="output folder (default: the package's data folder; ./experiment-quick with --quick)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")
    config = QUICK if args.quick else FULL
    out = args.out or ("experiment-quick" if args.quick else DATA_DIR)
    start = time.monotonic()
    document, cpu = run(config, out, jobs=args.jobs)
    print(format_table(document))
    print(f"wrote {os.path.join(out, RESULTS)} and {len(document['checkpoints'])} checkpoints in "
          f"{time.monotonic() - start:.0f} s wall; the runs took {cpu:.0f} CPU s ({cpu / args.jobs:.0f} s per process)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
