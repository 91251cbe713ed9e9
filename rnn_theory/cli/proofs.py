"""``rnn-theory proofs``: (re)write proofs/, or with --check fail (exit 1) when it is stale."""

import os
import sys
from pathlib import Path

from ..io import write_atomic
from . import UsageError

HELP = (
    "(re)write proofs/: one Markdown page per cell, the claims with their evidence, an index; "
    "--check: exit 1 if a page is stale"
)


def add_arguments(parser):
    parser.add_argument("--out", default="proofs", metavar="DIR", help="output directory (default proofs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page differs from what would be generated")
    parser.add_argument("--no-claims", action="store_true",
                        help="leave claims.md alone (it takes the full claims run, about a minute on 2 cores)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes for the claims run (default: one per core)")


def _progress(message):
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def _claims_pages(workers):
    """claims.md (every claim checked with the full sweeps, rendered with its evidence) and the
    counterexample files it links to."""
    from ..claims import process_executor, verify
    from ..claims.report import counterexample_files, render_markdown

    _progress("proofs: claims (full sweeps)")
    if workers < 1:
        results = verify()
    else:
        with process_executor(workers) as executor:
            results = verify(executor=executor)
    return {"claims.md": render_markdown(results), **counterexample_files(results)}


def run(args):
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --out {out} exists and is not a directory")
    if args.check and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --check needs an existing directory, {out} is missing")
    if args.workers < 0:
        raise UsageError(f"rnn-theory proofs: --workers must be >= 0, got {args.workers}")
    from ..cells import CELLS
    from ..symbolic import documents

    pages = {}
    for key in CELLS:
        _progress(f"proofs: {key}")
        pages.update(documents.cell_pages([key]))
    if not args.no_claims:
        pages.update(_claims_pages(args.workers))
    pages["README.md"] = documents.index_page(
        {name: text for name, text in pages.items() if name != "claims.md" and "/" not in name},
        has_claims="claims.md" in pages or (out / "claims.md").is_file(),
    )
    if args.check:
        stale = [name for name, text in pages.items() if _read(out / name) != text]
        for name in stale:
            print(f"rnn-theory proofs: {out / name} is stale (regenerate with rnn-theory proofs --out {out})", file=sys.stderr)
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out / name, text)
    print(f"wrote {len(pages)} pages to {out}")
    return 0


def _read(path):
    return path.read_text(encoding="utf-8") if path.is_file() else None
