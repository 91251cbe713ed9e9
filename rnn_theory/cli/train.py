"""``rnn-theory train``: train a cell and its readout on a classic long-lag task by NumPy BPTT.

Writes ``--out`` (a native checkpoint, .npz or .safetensors, readable with ``rt.load``) and beside
it the JSON log with the readout (``model.npz`` -> ``model.json``); see
``rnn_theory.training.checkpoint``.
"""

import math

import numpy as np

from . import UsageError

HELP = "train a cell on a long-lag task (adding, recall, temporal_order); write a native checkpoint and its JSON log"

# The papers' settings where they have one: adding T = 100 (minimal lag 50), temporal order T = 100.
DEFAULT_LAGS = {"adding": 50, "recall": 10, "temporal_order": 100}


def add_arguments(parser):
    from ..training import INITS, TASKS, TRAINABLE

    parser.add_argument("task", metavar="TASK", help=f"one of {', '.join(TASKS)}")
    parser.add_argument("--cell", required=True, metavar="KIND", help=f"cell to train: {', '.join(TRAINABLE)}")
    parser.add_argument(
        "--out",
        required=True,
        metavar="PATH",
        help="checkpoint to write (.npz or .safetensors); the log goes to PATH with .json",
    )
    parser.add_argument("--hidden", type=int, default=32, metavar="N", help="hidden size n (default 32)")
    parser.add_argument(
        "--lag",
        type=int,
        metavar="L",
        help="the task's lag: recall τ (default 10), adding minimal lag T/2 (default 50), temporal_order length T (default 100)",
    )
    parser.add_argument(
        "--steps", type=int, default=2000, metavar="S", help="budget of updates (default 2000; stops early when solved)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the initial weights and the data (default 0)"
    )
    parser.add_argument("--batch", type=int, default=32, metavar="B", help="sequences per step (default 32)")
    parser.add_argument("--optimizer", default="adam", choices=("adam", "sgd"), help="adam (default) or plain sgd")
    parser.add_argument("--lr", type=float, default=1e-2, help="learning rate (default 0.01)")
    parser.add_argument(
        "--clip", type=float, default=1.0, help="global gradient-norm threshold, 0 for none (default 1.0)"
    )
    parser.add_argument(
        "--init",
        default="random",
        choices=INITS,
        help="initial weights (default random; identity/orthogonal/pascanu: rnn only; paper: indrnn, slstm)",
    )


def run(args):
    from ..io import check_outputs
    from ..training import TASKS, TRAINABLE
    from ..training.checkpoint import log_path, save_trained
    from ..training.trainer import train_initial

    if args.task not in TASKS:
        raise UsageError(f"rnn-theory train: unknown task {args.task!r}; expected one of {', '.join(TASKS)}")
    if args.cell not in TRAINABLE:
        raise UsageError(f"rnn-theory train: cannot train cell {args.cell!r}; trainable cells: {', '.join(TRAINABLE)}")
    for name, value in (("--hidden", args.hidden), ("--steps", args.steps), ("--batch", args.batch)):
        if value < 1:
            raise UsageError(f"rnn-theory train: {name} must be >= 1, got {value}")
    if not (math.isfinite(args.lr) and args.lr > 0 and math.isfinite(args.clip) and args.clip >= 0):
        raise UsageError(
            f"rnn-theory train: --lr must be finite and > 0 and --clip finite and >= 0, got {args.lr}, {args.clip}"
        )
    if args.seed < 0:
        raise UsageError(f"rnn-theory train: --seed must be >= 0, got {args.seed}")
    if not args.out.endswith((".npz", ".safetensors")):
        raise UsageError(f"rnn-theory train: --out must end in .npz or .safetensors, got {args.out!r}")
    lag = DEFAULT_LAGS[args.task] if args.lag is None else args.lag
    try:
        check_outputs([args.out, log_path(args.out)])
        task = TASKS[args.task](lag)
        _check_memory(task, args.batch, args.hidden)
        # an initialisation the cell does not have is refused before training starts
        result = train_initial(
            task,
            args.cell,
            args.hidden,
            args.init,
            seed=args.seed,
            steps=args.steps,
            batch=args.batch,
            lr=args.lr,
            clip=args.clip or None,
            optimizer=args.optimizer,
        )
    except ValueError as error:
        raise UsageError(f"rnn-theory train: {error}") from None
    save_trained(result, args.out)
    log = result.log
    verdict = "solved" if log["success"] else "not solved"
    print(
        f"{task.name} lag {lag}, {args.cell} n={args.hidden}: {verdict}: {log['test_correct']:.1%} of {log['test_size']} "
        f"test sequences correct (chance {task.chance:.1%}) after {log['steps_run']} steps"
    )
    print(f"wrote {args.out} and {log_path(args.out)}")
    return 0


def _check_memory(task, batch, hidden):
    """Refuse a batch whose forward and backward pass cannot fit the memory budget: B sequences of
    T steps keep their inputs (m) and, for BPTT, states and gates (at most 12·n floats per step:
    the LSTM's h, c, four gates and their derivatives)."""
    from ..io import check_allocation

    xs, _ = task.sample(np.random.default_rng(0), 1)  # (T, m, 1)
    steps, inputs = xs.shape[:2]
    check_allocation(8 * batch * steps * (inputs + 12 * hidden), f"a batch of {batch} sequences of {steps} steps")
