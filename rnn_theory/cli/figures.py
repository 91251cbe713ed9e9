"""``rnn-theory figures``: write the publication figures, or check that the committed ones are current.

Each figure is NAME.pdf, NAME.svg, NAME.png (300 dpi) and the caption NAME.txt, byte-identical on
every regeneration (``rnn_theory.plots``). ``--check`` regenerates into a temporary folder and
compares bytes: exit 1, naming each file, when one differs, is missing, or (without ``--only``) is
a figure file the command no longer produces, e.g. of a claim that is no longer refuted; when the
stale files were made with another matplotlib or FreeType (``VERSIONS.json``), it says so.
"""

import os
import shutil
import sys
import tempfile

from ..io import commit_files
from . import UsageError

HELP = "write the publication figures (PDF, SVG, PNG 300 dpi + caption); --check: fail if any is stale"
_SUFFIXES = (".pdf", ".svg", ".png", ".txt")


def add_arguments(parser):
    parser.add_argument("--out", default="figures", metavar="DIR", help="output folder (default: ./figures)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="only these figures (e.g. grad_norm_vs_lag_rnn)")
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate into a temporary folder and compare with DIR byte for byte; exit 1 if stale",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="worker processes (default: one per core); the files do not depend on it",
    )


def run(args):
    if args.jobs < 1:
        raise UsageError(f"rnn-theory figures: --jobs must be >= 1, got {args.jobs}")
    if not args.check:
        written = _generate_set(args.out, args)
        _record_versions(args.out, written)
        print(f"wrote {sum(map(len, written.values()))} files of {len(written)} figures into {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as fresh:
        written = _generate(fresh, args)
        files = [os.path.basename(path) for paths in written.values() for path in paths]
        problems = _compare(fresh, args.out, files, full=args.only is None)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        from ..plots import _versions

        cause = _versions.explain(_versions.read(args.out), written)
        if cause:
            print(cause, file=sys.stderr)
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
    from ..plots import FIXED, UnknownFigure, generate
    from ..plots._errors import MissingData

    progress = _progress if sys.stderr.isatty() else None
    try:
        return generate(out, args.only, jobs=args.jobs, progress=progress)
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


def _compare(fresh, committed, files, full):
    """One line per committed file that differs from the fresh one, is missing, or (``full``) is
    a figure file that is not produced any more."""
    problems = []
    for file in files:
        path = os.path.join(committed, file)
        if not os.path.exists(path):
            problems.append(f"{path}: missing")
            continue
        with open(path, "rb") as old, open(os.path.join(fresh, file), "rb") as new:
            if old.read() != new.read():
                problems.append(f"{path}: differs from the regenerated file")
    if full and os.path.isdir(committed):
        extra = sorted(f for f in os.listdir(committed) if f.endswith(_SUFFIXES) and f not in files)
        problems += [f"{os.path.join(committed, f)}: not produced any more" for f in extra]
    return problems


def _progress(name):
    print(f"\r\033[Kdone: {name}", end="", file=sys.stderr, flush=True)
