"""``rnn-theory verify``: every claim, its computed verdict and the evidence."""

import json
import os
import sys
import textwrap
from . import UsageError
from ..io import write_atomic
from ..io._write import check_outputs

HELP = "check every claim of the registry: verdict (holds, holds-if, refuted) with evidence"


def add_arguments(parser):
    parser.add_argument("--json", metavar="PATH", help="write the verdicts with full evidence as JSON")
    parser.add_argument("--only", nargs="+", metavar="ID", help="check only these claims")
    parser.add_argument("--quick", action="store_true", help="smaller sweeps (seconds instead of a minute)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="processes for the sweeps (default: one per core; 0 runs everything in this process)")


def run(args):
    from ..claims import CLAIMS, process_executor, verify

    unknown = [claim_id for claim_id in args.only or () if claim_id not in CLAIMS]
    if unknown:
        raise UsageError(f"rnn-theory verify: unknown claim {unknown[0]!r}; the ids are listed by 'rnn-theory verify --help'"
                         f" and in proofs/claims.md, e.g. {next(iter(CLAIMS))}")
    if args.workers < 0:
        raise UsageError(f"rnn-theory verify: --workers must be >= 0, got {args.workers}")
    try:
        check_outputs([args.json] if args.json else [])  # before the run, not after it
    except ValueError as error:
        raise UsageError(f"rnn-theory verify: {error}") from None
    progress = _progress if sys.stderr.isatty() else None
    if args.workers:
        with process_executor(args.workers) as executor:
            results = verify(args.only, quick=args.quick, executor=executor, progress=progress)
    else:
        results = verify(args.only, quick=args.quick, progress=progress)
    if progress:
        print("\r\033[K", end="", file=sys.stderr)
    print(format_table(results))
    if args.json:
        write_atomic(args.json, json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False) + "\n")
    return 1 if any(r.regression for r in results) else 0


def format_table(results, width=110):
    """One block per claim: id, verdict (and the recorded one when it deviates), then the condition or,
    where there is none, the first evidence items, wrapped."""
    lines = []
    for result in results:
        found = result.found.verdict
        flag = f"  ** REGRESSION: recorded {result.claim.recorded}" if result.regression else ""
        lines.append(f"{result.claim.id:38s} {found:9s}{flag}")
        detail = result.found.condition or "; ".join(
            f"{path} = {value:.4g}" if isinstance(value, float) else f"{path} = {value}"
            for path, value in _leaves(result.to_dict()["evidence"])[:3]
        )
        lines += textwrap.wrap(detail, width, initial_indent="    ", subsequent_indent="    ")
    counts = {v: sum(r.found.verdict == v for r in results) for v in ("holds", "holds-if", "refuted")}
    regressions = sum(r.regression for r in results)
    lines.append(
        f"\n{len(results)} claims: {counts['holds']} hold, {counts['holds-if']} hold under a condition, "
        f"{counts['refuted']} refuted; {regressions} deviate from the recorded verdicts"
    )
    return "\n".join(lines)


def _leaves(evidence, prefix=""):
    """The short leaves of nested evidence (numbers, brief formulas) as (dotted path, value), in order;
    the symbolic proofs' statements, bare counts and long texts are left to the JSON."""
    leaves = []
    for key, value in evidence.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and key != "symbolic":
            leaves += _leaves(value, path + ".")
        elif isinstance(value, float) or (isinstance(value, str) and len(value) <= 40):
            leaves.append((path, value))
    return leaves


def _progress(k, total, claim_id):
    print(f"\r\033[K[{k + 1}/{total}] {claim_id}", end="", file=sys.stderr, flush=True)
