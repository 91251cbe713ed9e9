"""``rnn-theory verify``: every claim, its source, its computed verdict per reading and the evidence."""

import json
import os
import sys
import textwrap

from ..io import check_outputs, write_atomic
from . import UsageError

HELP = "check every claim of the registry: verdict (holds, holds-if, refuted, undecided) per reading, with evidence"


def add_arguments(parser):
    parser.add_argument("--json", metavar="PATH", help="write the verdicts with full evidence as JSON")
    parser.add_argument("--only", nargs="+", metavar="ID", help="check only these claims (ids or old ids; see --list)")
    parser.add_argument("--list", action="store_true", help="list the claims (id, statement, source) and exit")
    parser.add_argument("--quick", action="store_true", help="smaller sweeps where they only add evidence (seconds)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes that check claims, this one included (default: one per core; 0 or 1: this process only)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on the Dask cluster of this scheduler instead (default: $DASK_SCHEDULER_ADDRESS; "
        "needs rnn-theory[cluster]); the verdicts and the JSON are the same bytes",
    )


def run(args):
    from ..claims import CLAIMS, resolve, verify
    from ..parallel import ClusterUnavailable, executor_for, scheduler_address

    if args.list:
        print(format_list(CLAIMS.values()))
        return 0
    try:
        only = None if args.only is None else [resolve(name) for name in args.only]
    except KeyError as error:
        raise UsageError(f"rnn-theory verify: {error.args[0]}") from None
    if args.workers < 0:
        raise UsageError(f"rnn-theory verify: --workers must be >= 0, got {args.workers}")
    try:
        check_outputs([args.json] if args.json else [])  # before the run, not after it
    except ValueError as error:
        raise UsageError(f"rnn-theory verify: {error}") from None
    progress = _progress if sys.stderr.isatty() else None
    try:
        scheduler = scheduler_address(args.scheduler)
        # this process checks claims beside a local pool's workers (a cluster's take them all)
        alongside = None if scheduler else max(args.workers - 1, 0)
        with executor_for(alongside, scheduler) as executor:
            results = verify(only, quick=args.quick, executor=executor, progress=progress, alongside=alongside)
    except ClusterUnavailable as error:
        raise UsageError(f"rnn-theory verify: {error}") from None
    if progress:
        print("\r\033[K", end="", file=sys.stderr)
    print(format_table(results))
    if args.json:
        write_atomic(args.json, json_text(results))
    return 1 if any(r.regression for r in results) else 0


def json_text(results):
    """The JSON document of a list of results: deterministic, one claim after the other."""
    return json.dumps([r.to_dict() for r in results], indent=2, ensure_ascii=False) + "\n"


def format_list(claims):
    """One block per claim: id (and old ids), the statement, the source."""
    lines = []
    for current in claims:
        aliases = f"  (also: {', '.join(current.aliases)})" if current.aliases else ""
        lines.append(f"{current.id}{aliases}")
        lines.append(f"    {current.statement}")
        lines.append(
            f"    source: {_cited(current)}" + (" — a consistency identity, not a verdict" if current.identity else "")
        )
    return "\n".join(lines)


def _cited(current):
    """The claim's source, tagged with how the statement relates to the words quoted unless they make it."""
    tag = (
        "" if current.source.attribution in ("quote", "extension") else f" [{current.source.attribution}]"
    )  # cite says "extends"
    return current.source.cite + tag


def format_table(results, width=110):
    """One block per claim: id, overall verdict and the reading it comes from, the statement and its
    source, each reading's verdict, then the condition of the overall verdict, wrapped."""
    lines = []
    for result in results:
        current, found = result.claim, result.found
        flag = f"  ** REGRESSION: recorded {current.recorded}" if result.regression else ""
        readings = ", ".join(
            f"{name.replace('_', ' ')}: {reading.verdict}" for name, reading in result.readings.items()
        )
        lines.append(f"{current.id:42s} {found.verdict:9s} ({readings}){flag}")
        lines += textwrap.wrap(
            f"{current.statement} [{_cited(current)}]", width, initial_indent="    ", subsequent_indent="    "
        )
        if found.condition:
            label = "what holds instead: " if found.verdict == "refuted" else "condition: "
            lines += textwrap.wrap(label + found.condition, width, initial_indent="    ", subsequent_indent="      ")
    counts = {v: sum(r.found.verdict == v for r in results) for v in ("holds", "holds-if", "refuted", "undecided")}
    regressions = sum(r.regression for r in results)
    lines.append(
        f"\n{len(results)} claims: {counts['holds']} hold, {counts['holds-if']} hold under a condition, "
        f"{counts['refuted']} refuted, {counts['undecided']} undecided; {regressions} deviate from the recorded verdicts"
    )
    return "\n".join(lines)


def _progress(k, total, claim_id):
    print(f"\r\033[K[{k + 1}/{total}] {claim_id}", end="", file=sys.stderr, flush=True)
