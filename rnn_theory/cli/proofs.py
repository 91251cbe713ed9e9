"""``rnn-theory proofs``: (re)write proofs/, or with --check fail (exit 1) when it is stale."""

import os
import sys
import tempfile
from pathlib import Path

from . import UsageError

HELP = "(re)write proofs/: one Markdown page per cell and an index; --check: exit 1 if a page is stale"


def add_arguments(parser):
    parser.add_argument("--out", default="proofs", metavar="DIR", help="output directory (default proofs)")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if a page differs from what would be generated")


def _progress(message):
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def _write(path, text):
    """Write atomically: a temporary file in the same directory, then rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def run(args):
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --out {out} exists and is not a directory")
    if args.check and not out.is_dir():
        raise UsageError(f"rnn-theory proofs: --check needs an existing directory, {out} is missing")
    from ..cells import CELLS
    from ..symbolic import documents

    pages = {}
    for key in CELLS:
        _progress(f"proofs: {key}")
        pages.update(documents.cell_pages([key]))
    pages["README.md"] = documents.index_page(
        {name: text for name, text in pages.items()}, has_claims=(out / "claims.md").is_file()
    )
    if args.check:
        stale = [name for name, text in pages.items() if _read(out / name) != text]
        for name in stale:
            print(f"rnn-theory proofs: {out / name} is stale (regenerate with rnn-theory proofs --out {out})", file=sys.stderr)
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        _write(out / name, text)
    print(f"wrote {len(pages)} pages to {out}")
    return 0


def _read(path):
    return path.read_text(encoding="utf-8") if path.is_file() else None
