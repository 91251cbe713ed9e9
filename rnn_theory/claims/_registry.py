"""The claims registry: each published claim, its source, how it is checked, and the verdict recorded.

A claim is one declaration: an id (part of the public contract) and its old ids (``aliases``), a
one-line ``statement`` of what is checked, its ``Source`` (a key of the package's bibliography, the
source's own words and where they stand, and the work credited with the claim), the reading its
wording asks for, the method, the verdict recorded so far, and a check function that computes the
verdict afresh, per reading:

- ``worst_case``: is there any weight and input for which the statement fails? (adversarial search;
  a refutation carries the case found, with whether it survives small perturbations);
- ``typical``: under the initialisations its source uses and on the shipped trained models, how
  often does it hold? (a fraction with a 95% interval over seeds).

``verify`` runs the checks; an overall verdict that differs from the recorded one is a regression,
and ``rnn-theory verify`` exits 1 on it.

Ids. An id that names a work (``pascanu2013.…``) is a claim that work made, at the scope of its
quoted words; a refuted or holds-if verdict under it needs those words (``Source.quote``). A
sharper or other reading the package tests is filed under an id that names no work: ``folklore.…``
(a common statement, cited where it is taught) or ``rnn-theory.…`` (the package's own question of
a work's equations). A check that can only confirm an identity of the engine (a mismatch is a bug,
raised, never a refutation) is declared ``identity=True``: a consistency identity, not a verdict.
The rules are written out for users in docs/claims.md.
"""

import math
import threading
from concurrent.futures import Executor
from dataclasses import dataclass, field

from threadpoolctl import threadpool_limits

from ..parallel import as_executor
from ..parallel import process_pool as process_executor  # noqa: F401  (the claims' public name)
from ._bibliography import BIBLIOGRAPHY, short_cite

VERDICTS = ("holds", "holds-if", "refuted", "undecided")
READINGS = ("worst_case", "typical")
# quote: the source's own words make the claim; paraphrase: a common paraphrase, cited where it is
# taught (the quote is what that text says); derived: a consequence of the cited work's equations
# that the package checks, which the work itself does not state.
ATTRIBUTIONS = ("quote", "paraphrase", "derived", "extension")
# The prefixes of ids that name no work (see the module docstring).
UNATTRIBUTED = ("folklore", "rnn-theory")


@dataclass(frozen=True)
class Verdict:
    """What one reading found: ``verdict`` in VERDICTS, the exact ``condition`` for ``holds-if`` (or,
    for ``refuted``, what does hold instead), numbers as ``evidence``, and for ``refuted`` the
    replayable ``counterexample`` the check found (see ``counterexample``), with ``generic`` and its
    perturbation evidence."""

    verdict: str
    evidence: dict
    condition: str | None = None
    counterexample: dict | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if (self.verdict == "refuted") != (self.counterexample is not None):
            raise ValueError("a refuted verdict carries a counterexample, and only a refuted one")
        if self.counterexample is not None and "generic" not in self.counterexample:
            raise ValueError("a counterexample says whether it is generic (see claims.counterexample)")
        if self.verdict == "holds-if" and not self.condition:
            raise ValueError("a holds-if verdict states its condition")


@dataclass(frozen=True)
class Source:
    """Where a claim comes from: ``bibkey`` in the bibliography, the source's own words (``quote``,
    None when its text could not be read), where they stand (``locator``), and ``attribution`` (one
    of ATTRIBUTIONS) with a ``note`` on how the statement checked relates to the words quoted.
    ``credit``: the bibliography key of the work that made the claim, where the words quoted are
    another's that repeats or teaches it (default: ``bibkey`` itself). An ``"extension"`` (the
    package's statement goes beyond the words quoted, which it extends) credits no work."""

    bibkey: str
    quote: str | None
    locator: str
    attribution: str = "quote"
    note: str = ""
    credit: str | None = None

    def __post_init__(self):
        for key in (self.bibkey, self.credit or self.bibkey):
            if key not in BIBLIOGRAPHY:
                raise ValueError(f"unknown bibliography key {key!r}")
        if self.attribution not in ATTRIBUTIONS:
            raise ValueError(f"attribution must be one of {ATTRIBUTIONS}, got {self.attribution!r}")
        if self.attribution in ("quote", "extension") and not self.quote:
            raise ValueError(f"a claim attributed as {self.attribution!r} quotes its source's words")
        if self.attribution == "extension" and self.credit:
            raise ValueError("an extension of a source's words credits no work")

    @property
    def credited(self):
        """The bibliography key of the work credited with the claim; None for an extension (no work made it)."""
        return None if self.attribution == "extension" else self.credit or self.bibkey

    @property
    def cite(self):
        """'Author, Author & Author year, locator' (and the work credited, when another; 'extends …' for an extension)."""
        if self.attribution == "extension":
            return f"extends {short_cite(self.bibkey)}, {self.locator}"
        credit = f" (the claim of {short_cite(self.credit)})" if self.credit and self.credit != self.bibkey else ""
        return f"{short_cite(self.bibkey)}, {self.locator}{credit}"


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: Source
    asks: str
    method: str
    recorded: str
    aliases: tuple = ()
    identity: bool = False
    check: callable = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Result:
    """A claim with its freshly computed readings; ``found`` is the reading its wording asks for,
    ``regression`` when that verdict deviates from the record."""

    claim: Claim
    readings: dict

    @property
    def found(self):
        return self.readings[self.claim.asks]

    @property
    def regression(self):
        return self.found.verdict != self.claim.recorded

    def to_dict(self):
        claim, found = self.claim, self.found
        return {
            "id": claim.id,
            "aliases": list(claim.aliases),
            "statement": claim.statement,
            "source": claim.source.cite,
            "bibkey": claim.source.bibkey,
            "quote": claim.source.quote,
            "locator": claim.source.locator,
            "attribution": claim.source.attribution,
            "attribution_note": claim.source.note,
            "credit": claim.source.credited,
            "check": "consistency identity" if claim.identity else "verdict",
            "verdict": found.verdict,
            "reading": claim.asks,
            "recorded": claim.recorded,
            "condition": found.condition,
            "method": claim.method,
            "evidence": _rounded(found.evidence),
            "counterexample": _rounded(found.counterexample, digits=None),  # exact: it must replay
            "readings": {name: _reading_dict(reading) for name, reading in self.readings.items()},
        }


def _reading_dict(reading):
    return {
        "verdict": reading.verdict,
        "condition": reading.condition,
        "evidence": _rounded(reading.evidence),
        "counterexample": _rounded(reading.counterexample, digits=None),
    }


@dataclass
class Context:
    """What a check may use: ``quick`` (smaller sweeps) and ``map`` over an Executor for sweeps.

    ``map(fn, items)`` runs ``fn`` (a module-level function, so that it pickles) on each item, in
    order, through the executor when one is given (processes, threads, or e.g. Dask's).
    A quick run may shrink what only adds evidence; what decides a verdict or a condition is
    computed alike in both runs, so the two never state different conditions."""

    quick: bool = False
    executor: Executor | None = None
    memo: dict = field(default_factory=dict, repr=False)

    def once(self, fn, *args):
        """``fn(self, *args)``, computed once for the claims checked together (``_TOGETHER``): the
        claims that use the same runs share them, and their results are the bytes of separate runs."""
        key = (fn.__module__, fn.__qualname__, self.quick, args)
        if key not in self.memo:
            self.memo[key] = fn(self, *args)
        return self.memo[key]

    def map(self, fn, items):
        items = list(items)
        if self.executor is None or len(items) < 2:
            return [fn(item) for item in items]
        return list(self.executor.map(fn, items))

    def sweep(self, fn, settings, seeds, case):
        """``map`` over every (setting, seed), grouped: {setting: [fn(case(setting, seed)) per seed]}."""
        settings, seeds = list(settings), list(seeds)
        rows = self.map(fn, [case(setting, seed) for setting in settings for seed in seeds])
        return {setting: rows[k * len(seeds) : (k + 1) * len(seeds)] for k, setting in enumerate(settings)}


CLAIMS = {}
ALIASES = {}  # old id -> id


def claim(*, id, statement, source, asks, method, recorded, aliases=(), identity=False):
    """Register the decorated ``check(ctx)`` as the check of a claim. The check returns
    {reading: Verdict} (or one Verdict, the reading ``asks``); ``asks`` is the reading the claim's
    wording asks for ("always"/"is": worst_case; "typically"/"in practice": typical). ``identity``:
    the check confirms an identity of the engine and raises on a mismatch (module docstring)."""
    if recorded not in VERDICTS:
        raise ValueError(f"recorded verdict of {id} must be one of {VERDICTS}")
    if asks not in READINGS:
        raise ValueError(f"the reading {id} asks for must be one of {READINGS}")
    prefix = id.split(".")[0]
    if prefix not in (*UNATTRIBUTED, source.credited):  # an extension credits none: its id names none
        raise ValueError(f"{id}: an id names the work credited ({source.credited}) or none ({UNATTRIBUTED})")
    quoted = source.quote and source.bibkey == source.credited  # the credited work's own words
    if prefix == source.credited and recorded in ("refuted", "holds-if") and not quoted:
        raise ValueError(f"{id}: a {recorded} verdict under a work's id needs that work's words quoted")

    def register(check):
        for name in (id, *aliases):
            if name in CLAIMS or name in ALIASES:
                raise ValueError(f"claim id {name} is registered twice")
        CLAIMS[id] = Claim(id, statement, source, asks, method, recorded, tuple(aliases), identity, check)
        ALIASES.update(dict.fromkeys(aliases, id))
        return check

    return register


def resolve(name):
    """The claim id of ``name`` (an id or an old alias); KeyError naming the valid ids otherwise."""
    if name in CLAIMS:
        return name
    if name in ALIASES:
        return ALIASES[name]
    raise KeyError(f"unknown claim {name!r}; the ids are: {', '.join(CLAIMS)}")


def verify(ids=None, *, quick=False, executor=None, progress=None, alongside=None):
    """Run the checks of the claims ``ids`` (ids or aliases; all by default, in registry order)
    -> list of Result. ``executor``: a ``concurrent.futures.Executor`` or a ``distributed.Client``.
    ``alongside``: how many claims ``executor`` runs at once (its workers), for this process to check
    claims too, beside them, instead of waiting (``rnn-theory verify`` does: its pool has one worker
    fewer than ``--workers``); None: the executor runs every claim. The results are the same bytes."""
    executor = as_executor(executor)
    ids = list(CLAIMS) if ids is None else [resolve(i) for i in ids]
    if executor is not None and alongside and len(ids) > 1:
        done = _shared(_units(ids), quick, executor, alongside, progress)
        found, progress = (done[claim_id] for claim_id in ids), None  # shown as the claims finish
    elif executor is not None and len(ids) > 1:
        # Whole claims side by side (each runs its sweeps serially in its worker): most checks are
        # small, and the parent would otherwise run them one after another between sweeps. The
        # costliest start first, so that none starts last and keeps one worker busy alone.
        futures = {unit: executor.submit(_check_unit, unit, quick) for unit in _units(ids)}
        unit_of = {claim_id: unit for unit in futures for claim_id in unit}
        found = (futures[unit_of[claim_id]].result()[claim_id] for claim_id in ids)
    else:
        memo = {}  # the runs that claims share, for the whole run
        found = (_check(claim_id, quick, executor, memo) for claim_id in ids)
    results = []
    for k, (claim_id, readings) in enumerate(zip(ids, found)):
        if progress:
            progress(k, len(ids), claim_id)
        current = CLAIMS[claim_id]
        if isinstance(readings, Verdict):
            readings = {current.asks: readings}
        if current.asks not in readings or not set(readings) <= set(READINGS):
            raise ValueError(f"{claim_id}: the check must return the reading {current.asks!r}, got {sorted(readings)}")
        results.append(Result(current, {name: readings[name] for name in READINGS if name in readings}))
    return results


# The costliest checks, costliest first (CPU seconds of the full run on a 2-core machine: 15, 5, 4.4, 3.9):
# the order in which a pool starts them; any other order gives the same results.
_COSTLIEST = (
    "orvieto2023.exact-decay",
    "rnn-theory.contracting-stretch-vanishes",
    "oseledets1968.lambda1-rate",
    "chen2018.meanfield-rate",
)
# Claims that use the same runs (``Context.once``): checked one after the other in one task, which
# computes those runs once.
_TOGETHER = (("pascanu2013.sufficient-vanishing", "pascanu2013.necessary-exploding"),)


def _later(claim_id):
    """Sort key: the costliest checks first, in ``_COSTLIEST``'s order, then the others as registered."""
    return _COSTLIEST.index(claim_id) if claim_id in _COSTLIEST else len(_COSTLIEST)


def _units(ids):
    """The claims ``ids`` as tasks, costliest first: tuples of ids, those of a ``_TOGETHER`` group in one."""
    units = []
    for claim_id in sorted(ids, key=_later):
        group = next((g for g in _TOGETHER if claim_id in g), (claim_id,))
        unit = tuple(other for other in group if other in ids)
        if unit not in units:
            units.append(unit)
    return units


def _shared(units, quick, executor, workers, progress=None):
    """{claim id: readings}: the ``units`` (tuples of claim ids) checked by ``workers`` workers of
    ``executor`` and by this process, each taking the next unit when it is free. A thread per worker
    waits on its unit; this process checks its own in the main thread (one BLAS thread, as ``_check``)."""
    queue, lock, done, failed = iter(units), threading.Lock(), {}, []
    total = sum(len(unit) for unit in units)

    def take():
        with lock:
            return next(queue, None)

    def record(found):
        with lock:
            for claim_id, readings in found.items():
                done[claim_id] = readings
                if progress:
                    progress(len(done) - 1, total, claim_id)

    def feed():
        try:
            while (unit := take()) is not None:
                record(executor.submit(_check_unit, unit, quick).result())
        except BaseException as error:  # raised again in the main thread
            failed.append(error)

    threads = [threading.Thread(target=feed, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    while not failed and (unit := take()) is not None:
        record(_check_unit(unit, quick))
    for thread in threads:
        thread.join()
    if failed:
        raise failed[0]
    return done


def _check_unit(unit, quick):
    """{claim id: readings} of the claims ``unit``, checked one after the other, sharing their runs."""
    memo = {}
    return {claim_id: _check(claim_id, quick, memo=memo) for claim_id in unit}


def _check(claim_id, quick, executor=None, memo=None):
    """The readings of one claim's check (module level, so that a worker process can run it), on one
    BLAS thread wherever it runs, as the workers of ``rnn_theory.parallel``: the same bits in the parent as
    in a worker, and no threads spinning on the small products of a check while a core is taken.
    ``memo``: the runs shared with the claims checked before it in the same task (``Context.once``)."""
    with threadpool_limits(1):
        return CLAIMS[claim_id].check(Context(quick=quick, executor=executor, memo={} if memo is None else memo))


def _rounded(value, digits=7):
    """Plain JSON values, with floats rounded to ``digits`` significant digits (None: kept exact).
    Seven digits carry what the reproducibility policy promises on any machine (``RTOL`` = 1e-6,
    rnn_theory.reproducible) and no more; a counterexample keeps every bit, since it must replay."""
    if isinstance(value, dict):
        return {str(k): _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v, digits) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _rounded(value.tolist(), digits)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return value if digits is None else float(f"{value:.{digits}g}")
    return value
