"""The learning experiments, one command: every protocol of ``protocols.py`` (the package's own
"modern optimiser" row, ``modern``: Adam with clipping, one learning rate for every cell of the zoo;
and the published ones: Bengio et al. 1994-style SGD, the 1997 adding problem and the other cells on
it, Pascanu et al. 2013's temporal order with and without clipping), each with its success table,
95% Wilson intervals and learning curves (``runner.run_protocol``).

One command regenerates them, into a folder you name (the package's copy in rnn_theory/data is
updated deliberately, by copying from there):

    python -m rnn_theory.training.experiment --out FOLDER                  # every protocol
    python -m rnn_theory.training.experiment --protocol hs1997_adding --out FOLDER
    python -m rnn_theory.training.experiment --protocol modern --seeds 30 --out FOLDER
    python -m rnn_theory.training.experiment --quick   # seconds; into ./experiment-quick/
    python -m rnn_theory.training.experiment --scheduler tcp://HOST:8786 --out FOLDER   # on Dask

Runs are spread over ``--jobs`` local processes, or the workers of the Dask scheduler at
``--scheduler`` (default ``$DASK_SCHEDULER_ADDRESS``), one BLAS thread each; the files are the same
bytes either way. ``--seeds N`` runs seeds 0 … N − 1 of each protocol chosen (the runs already kept
in FOLDER/runs are reused). Run r of a model uses seed r for its initial weights and its data, so
every model sees the same sequences.
"""

import argparse
import contextlib
import sys
import time

from ..parallel import SCHEDULER_VARIABLE, ClusterUnavailable, executor_for, scheduler_address
from .protocols import PROTOCOLS, QUICK
from .runner import run_protocol
from .tables import format_protocol


def command(name, quick, seeds=None):
    """The command line that regenerates protocol ``name`` (``seeds``: when not the protocol's own)."""
    return (
        f"python -m rnn_theory.training.experiment --protocol {name} "
        + ("--quick" if quick else "--out FOLDER")
        + ("" if seeds is None else f" --seeds {seeds}")
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m rnn_theory.training.experiment", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--protocol", action="append", choices=list(PROTOCOLS), help="run only this protocol (repeatable; default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="the seconds-long smoke version of every protocol chosen")
    parser.add_argument("--out", help="output folder (required, except with --quick: ./experiment-quick)")
    parser.add_argument("--seeds", type=int, metavar="N", help="seeds per model and lag (default: each protocol's own)")
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=f"run on the Dask cluster of this scheduler (default: ${SCHEDULER_VARIABLE}; needs rnn-theory[cluster])",
    )
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be >= 1")
    if args.seeds is not None and args.seeds < 1:
        parser.error("--seeds must be >= 1")
    if args.out is None and not args.quick:
        parser.error("--out FOLDER is required (the package's data folder is updated by copying from it, deliberately)")
    out = args.out or "experiment-quick"
    start, cpu = time.monotonic(), 0.0
    with contextlib.ExitStack() as stack:
        try:
            # One job: this process.
            executor = stack.enter_context(
                executor_for(args.jobs if args.jobs > 1 else 0, scheduler_address(args.scheduler))
            )
        except ClusterUnavailable as error:
            parser.error(str(error))
        for name in args.protocol or PROTOCOLS:
            protocol = (QUICK if args.quick else PROTOCOLS)[name]
            seeds = None if args.seeds in (None, protocol.seeds) else args.seeds
            document, seconds = run_protocol(
                protocol._replace(seeds=seeds or protocol.seeds),
                out,
                executor,
                command=command(name, args.quick, seeds),
            )
            cpu += seconds
            print(format_protocol(document))
    print(
        f"wrote {out} in {time.monotonic() - start:.0f} s wall; the runs trained here took {cpu:.0f} CPU s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
