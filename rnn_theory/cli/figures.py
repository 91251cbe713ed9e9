"""``rnn-theory figures``: write the publication figures, or check that the committed ones are current.

Each figure is NAME.pdf, NAME.svg, NAME.png (300 dpi), the numbers it plots NAME.json and the
caption NAME.txt, byte-identical on every regeneration in one environment (``rnn_theory.plots``).
``--check`` regenerates into a temporary folder and compares under the reproducibility policy
(``rnn_theory.reproducible``): the caption and NAME.json number by number on any machine, the images
byte for byte where the environment's fingerprint equals the one recorded in ``VERSIONS.json``.
Exit 1, naming each file, when one differs, is missing, or (without ``--only``) is a figure file the
command no longer produces, e.g. of a claim that is no longer refuted. It says which comparison it
made for which figures, and why.
``--style slides`` writes the same figures re-laid at 16:9 for a projector (``plots._style.for_slides``),
into ./figures-slides unless ``--out`` names a folder.
"""

import os
import shutil
import sys
import tempfile

from ..io import commit_files
from . import UsageError

HELP = "write the publication figures (PDF, SVG, PNG 300 dpi + caption); --check: fail if any is stale"
_SUFFIXES = (".pdf", ".svg", ".png", ".json", ".txt")


def add_arguments(parser):
    parser.add_argument(
        "--out", metavar="DIR", help="output folder (default: ./figures; with --style slides, ./figures-slides)"
    )
    parser.add_argument(
        "--style",
        choices=("print", "slides"),
        default="print",
        help="print: journal column sizes (default); slides: the same figures at 16:9, 13.33 x 7.5 in, large text",
    )
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these figures (e.g. grad_norm_vs_lag_rnn)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and compare with DIR (numbers within the reproducibility policy; "
        "images byte for byte in the recorded environment); exit 1 if stale",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: one per core); the files do not depend on it",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="build on the Dask cluster of this scheduler instead (default: $DASK_SCHEDULER_ADDRESS; "
        "needs rnn-theory[cluster]); the files are the same bytes",
    )


def run(args):
    if args.jobs < 1:
        raise UsageError(f"rnn-theory figures: --jobs must be >= 1, got {args.jobs}")
    if args.out is None:  # slides never land among the committed print figures by default
        args.out = "figures-slides" if args.style == "slides" else "figures"
    if not args.check:
        written = _generate_set(args.out, args)
        _record_versions(args.out, written)
        print(f"wrote {sum(map(len, written.values()))} files of {len(written)} figures into {args.out}")
        return 0
    from ..plots import _versions

    record, running = _versions.read(args.out), _versions.current()
    with tempfile.TemporaryDirectory() as fresh:
        written = _generate(fresh, args)
        bytewise = [name for name in written if _versions.same_environment(record, name, running)]
        files = [os.path.basename(path) for paths in written.values() for path in paths]
        problems = _compare(fresh, args.out, files, full=args.only is None, bytewise=bytewise)
    numbers = [name for name in written if name not in bytewise]
    if bytewise:
        print(f"{len(bytewise)} figures compared byte for byte: made in this environment (VERSIONS.json)")
    if numbers:
        print(
            f"{len(numbers)} figures compared through their numbers (NAME.json, caption) within the "
            "reproducibility policy, their images not byte for byte:"
        )
        print(_versions.explain(record, numbers, running))
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} figure files are stale; regenerate with: rnn-theory figures --out {args.out}",
            file=sys.stderr,
        )
        return 1
    print(f"{len(written)} figures in {args.out} are up to date")
    return 0


def _generate_set(out, args):
    """Generate into a temporary folder beside ``out``, then move the files into ``out`` together:
    an error or an interrupt leaves ``out`` as it was."""
    out = os.path.abspath(out)
    if os.path.exists(out) and not os.path.isdir(out):
        raise UsageError(f"rnn-theory figures: --out {out} exists and is not a directory")
    parent = os.path.dirname(out)
    if not os.path.isdir(parent) or not os.access(parent, os.W_OK):
        raise UsageError(f"rnn-theory figures: cannot create --out {out}: no writable folder {parent}")
    fresh = tempfile.mkdtemp(prefix=".tmp-figures-", dir=parent)
    try:
        written = _generate(fresh, args)
        os.makedirs(out, exist_ok=True)
        commit_files({path: os.path.join(out, os.path.basename(path)) for paths in written.values() for path in paths})
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return {name: [os.path.join(out, os.path.basename(path)) for path in paths] for name, paths in written.items()}


def _generate(out, args):
    from ..parallel import ClusterUnavailable, executor_for, scheduler_address
    from ..plots import FIXED, UnknownFigure, generate
    from ..plots._errors import MissingData

    progress = _progress if sys.stderr.isatty() else None
    try:
        with executor_for(scheduler=scheduler_address(args.scheduler)) as executor:
            return generate(out, args.only, jobs=args.jobs, progress=progress, executor=executor, look=args.style)
    except ClusterUnavailable as error:
        raise UsageError(f"rnn-theory figures: {error}") from None
    except UnknownFigure as error:  # raised before anything is written
        raise UsageError(
            f"rnn-theory figures: {error.args[0]}; the figures are {', '.join(FIXED)} and "
            "claim_<id> (dots as underscores) for each refuted claim"
        ) from None
    except MissingData as error:
        raise UsageError(f"rnn-theory figures: {error.args[0]}") from None
    finally:
        if progress:
            print("\r\033[K", end="", file=sys.stderr)


def _record_versions(out, written):
    """Note beside the figures the matplotlib and FreeType versions that made them."""
    from ..io import write_atomic
    from ..plots import _versions

    write_atomic(os.path.join(out, _versions.FILE), _versions.updated(out, written))


def _compare(fresh, committed, files, full, bytewise):
    """One line per committed file that differs from the fresh one, is missing, or (``full``) is
    a figure file that is not produced any more. Captions and NAME.json are compared under the
    policy; images byte for byte for the figures in ``bytewise`` only."""
    from ..plots._data import compare_figure_text
    from ..reproducible import compare_text

    problems = []
    for file in files:
        path = os.path.join(committed, file)
        name, suffix = os.path.splitext(file)
        if not os.path.exists(path):
            problems.append(f"{path}: missing")
            continue
        with open(path, "rb") as old, open(os.path.join(fresh, file), "rb") as new:
            old, new = old.read(), new.read()
        if old == new:
            continue
        if suffix == ".txt":
            difference = compare_text(old.decode("utf-8", "replace"), new.decode("utf-8"))
        elif suffix == ".json":
            differences = compare_figure_text(old.decode("utf-8", "replace"), new.decode("utf-8"))
            difference = (
                differences[0] + (f" (and {len(differences) - 1} more)" if len(differences) > 1 else "")
                if differences
                else None
            )
        else:
            difference = "differs from the regenerated file" if name in bytewise else None
        if difference:
            problems.append(f"{path}: {difference}")
    if full and os.path.isdir(committed):
        from ..plots._versions import FILE as RECORD

        extra = sorted(f for f in os.listdir(committed) if f.endswith(_SUFFIXES) and f not in files and f != RECORD)
        problems += [f"{os.path.join(committed, f)}: not produced any more" for f in extra]
    return problems


def _progress(name):
    print(f"\r\033[Kdone: {name}", end="", file=sys.stderr, flush=True)
