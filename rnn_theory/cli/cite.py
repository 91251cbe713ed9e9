"""``rnn-theory cite``: a claim's verdict ready to cite, as text, BibTeX or a LaTeX sentence
(``rnn_theory.citation``)."""

import sys

from . import UsageError

HELP = "cite a claim: the source's words, each reading's verdict computed now, evidence, package version"


def add_arguments(parser):
    parser.add_argument("claim", metavar="CLAIM_ID", help="a claim id or an old alias (see `rnn-theory verify --list`)")
    parser.add_argument(
        "--format",
        choices=("text", "bibtex", "latex"),
        default="text",
        help="text: a paragraph with each reading's verdict and evidence; bibtex: the source's entry and the "
        "package's; latex: a sentence with \\cite keys (default: text)",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="run the claim's full sweeps (same verdicts and conditions as the default quick run, more evidence)",
    )


def run(args):
    from ..citation import cite

    progress = sys.stderr.isatty()
    if progress:
        print(f"checking {args.claim} ({'full' if args.full else 'quick'} run)…", end="", file=sys.stderr, flush=True)
    try:
        text = cite(args.claim, args.format, quick=not args.full)
    except ValueError as error:
        raise UsageError(f"rnn-theory cite: {error}") from None
    finally:
        if progress:
            print("\r\033[K", end="", file=sys.stderr)
    print(text, end="")
    return 0
