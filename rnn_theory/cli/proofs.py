"""``rnn-theory proofs``: (re)write proofs/, or with --check fail (exit 1) when it is stale."""

import os
import shutil
import sys
from pathlib import Path

from ..io import check_outputs, write_set
from . import UsageError

HELP = (
    "(re)write proofs/: one Markdown page per cell, the claims with their evidence, an index; "
    "--format latex: one LaTeX article instead; --check: exit 1 if a page is stale"
)
LATEX_NAME = "proofs.tex"


def add_arguments(parser):
    parser.add_argument("--out", default="proofs", metavar="DIR", help="output directory (default proofs)")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if a page differs from what would be generated"
    )
    parser.add_argument(
        "--format",
        choices=("markdown", "latex"),
        default="markdown",
        help=f"markdown (default): the pages of proofs/; latex: one article, DIR/{LATEX_NAME} (amsmath)",
    )
    parser.add_argument(
        "--no-claims",
        action="store_true",
        help="leave claims.md alone (it takes the full claims run, about a minute on 2 cores)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes for the claims run (default: one per core)",
    )


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


def _markdown_pages(args, out):
    """File name -> text of proofs/: the cells' pages, claims.md (unless --no-claims), the index."""
    from ..cells import CELLS
    from ..symbolic import documents

    pages = {}
    for key in CELLS:
        _progress(f"proofs: {key}")
        pages.update(documents.cell_pages([key]))
    if not args.no_claims:
        pages.update(_claims_pages(args.workers))
    _progress("proofs: theorems")
    pages["README.md"] = documents.index_page(
        {name: text for name, text in pages.items() if name != "claims.md" and "/" not in name},
        has_claims="claims.md" in pages or (out / "claims.md").is_file(),
    )
    return pages


def _latex_pages():
    """{proofs.tex: the article}: cells, theorems, the chain rule for every lag, references."""
    from ..symbolic.article import article

    _progress("proofs: LaTeX article")
    return {LATEX_NAME: article()}


def run(args):
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --out {out} exists and is not a directory")
    if args.check and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --check needs an existing directory, {out} is missing")
    if args.workers < 0:
        raise UsageError(f"rnn-theory proofs: --workers must be >= 0, got {args.workers}")
    if not args.check:  # before the work: a folder that can hold the pages (README.md stands for them)
        try:
            check_outputs([out / "README.md"] if out.is_dir() else [out])
        except ValueError as error:
            raise UsageError(f"rnn-theory proofs: {error}") from None
    pages = _latex_pages() if args.format == "latex" else _markdown_pages(args, out)
    if args.check:
        stale = [name for name, text in pages.items() if _read(out / name) != text]
        for name in stale:
            again = f"rnn-theory proofs --out {out}" + (" --format latex" if args.format == "latex" else "")
            print(f"rnn-theory proofs: {out / name} is stale (regenerate with {again})", file=sys.stderr)
        return 1 if stale else 0
    created = not out.exists()
    out.mkdir(exist_ok=True)
    for folder in sorted({(out / name).parent for name in pages} - {out}):  # proofs/counterexamples/
        folder.mkdir(exist_ok=True)
    try:
        write_set({out / name: text for name, text in pages.items()})  # all pages new, or all old
    except BaseException:
        if created:
            shutil.rmtree(out, ignore_errors=True)  # only empty folders: write_set removed its temporaries
        raise
    print(f"wrote {len(pages)} page{'s' if len(pages) > 1 else ''} to {out}")
    return 0


def _read(path):
    return path.read_text(encoding="utf-8") if path.is_file() else None
