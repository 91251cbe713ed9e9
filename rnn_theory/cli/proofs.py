"""``rnn-theory proofs``: (re)write proofs/, or with --check fail (exit 1) when it is stale.

``--check`` compares under the reproducibility policy (``rnn_theory.reproducible``): the cells'
pages, the theorems and the LaTeX article character for character (SymPy's output, no floats from a
BLAS); ``claims.md`` with its numbers within the policy's tolerance and every other character
exactly; the counterexample files as JSON, their numbers within the tolerance."""

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
        help="processes for the cells' proofs, the theorems and the claims run (default: one per core)",
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
    from ..symbolic import documents

    pages, theorems = _symbolic(args.workers)
    if not args.no_claims:
        pages.update(_claims_pages(args.workers))
    pages["README.md"] = documents.index_page(
        {name: text for name, text in pages.items() if name != "claims.md" and "/" not in name},
        has_claims="claims.md" in pages or (out / "claims.md").is_file(),
        theorems=theorems,
    )
    return pages


def _symbolic(workers):
    """(every cell's page, every theorem's Results), on ``workers`` processes (this one for 0 or 1).
    Each page and theorem stands alone, so where it is computed does not change a character."""
    from ..cells import CELLS
    from ..symbolic import documents
    from ..symbolic.theorems import THEOREMS

    if workers <= 1:
        pages = {}
        for key in CELLS:
            _progress(f"proofs: {key}")
            pages[f"{key}.md"] = documents.cell_page(key)
        _progress("proofs: theorems")
        return pages, documents.theorem_results()
    from ..claims import process_executor

    _progress(f"proofs: the cells and theorems on {workers} processes")
    with process_executor(workers) as executor:
        # The costliest cells (the xLSTM pair) come last in CELLS: started first, they keep every
        # process busy to the end.
        cells = {key: executor.submit(documents.cell_page, key) for key in reversed(CELLS)}
        theorems = {name: executor.submit(documents.theorem_results, [name]) for name in THEOREMS}
        return (
            {f"{key}.md": cells[key].result() for key in CELLS},
            {name: future.result()[name] for name, future in theorems.items()},
        )


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
        return _check(out, pages, args)
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
    for stale in _left_over(out, pages):  # a counterexample of a claim no longer refuted, or renamed
        stale.unlink()
    print(f"wrote {len(pages)} page{'s' if len(pages) > 1 else ''} to {out}")
    return 0


def _left_over(out, pages):
    """Counterexample files in ``out`` that this run does not produce: the folder is wholly generated
    from the claims run, so a file there that the run does not write is stale (none without claims)."""
    from ..claims.report import COUNTEREXAMPLES

    if "claims.md" not in pages:
        return []
    folder = out / COUNTEREXAMPLES
    produced = {out / name for name in pages}
    return sorted(path for path in folder.glob("*.json") if path not in produced) if folder.is_dir() else []


def _check(out, pages, args):
    """Exit status of --check: 1 with one line per stale page, naming its first difference."""
    numeric = [name for name in pages if _numeric(name)]
    print(
        f"rnn-theory proofs: {len(pages) - len(numeric)} pages compared character for character"
        + (
            f", {len(numeric)} (the claims and counterexamples) with numbers within the reproducibility policy"
            if numeric
            else ""
        )
    )
    stale = {str(path.relative_to(out)): "not produced any more" for path in _left_over(out, pages)}
    for name, text in pages.items():
        committed = _read(out / name)
        if committed is None:
            stale[name] = "missing"
        elif committed != text:
            difference = _difference(name, committed, text)
            if difference:
                stale[name] = difference
    again = f"rnn-theory proofs --out {out}" + (" --format latex" if args.format == "latex" else "")
    for name, difference in stale.items():
        print(f"rnn-theory proofs: {out / name} is stale, {difference} (regenerate with {again})", file=sys.stderr)
    return 1 if stale else 0


def _numeric(name):
    """Pages whose numbers come from floating-point runs (claims.md and its counterexamples)."""
    return name == "claims.md" or name.endswith(".json")


def _difference(name, committed, text):
    """The first difference that the policy does not allow, or None."""
    from ..reproducible import compare_json_text, compare_text

    if not _numeric(name):
        return "it differs"
    if name.endswith(".json"):
        differences = compare_json_text(committed, text)
        return differences[0] if differences else None
    return compare_text(committed, text)


def _read(path):
    return path.read_text(encoding="utf-8") if path.is_file() else None
