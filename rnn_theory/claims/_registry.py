"""The claims registry: each published claim, how it is checked, and the verdict recorded so far.

A claim is one small entry: an id (part of the public contract), the statement as usually taught,
its source, the method, the verdict established so far, and a check function that computes the
verdict afresh. ``verify`` runs the checks; a computed verdict that differs from the recorded one is
a regression, and ``rnn-theory verify`` exits 1 on it.
"""

import math
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field

VERDICTS = ("holds", "holds-if", "refuted")


@dataclass(frozen=True)
class Verdict:
    """What a check found: ``verdict`` in VERDICTS, the exact ``condition`` for ``holds-if`` (or, for
    ``refuted``, what does hold instead), numbers as ``evidence``, and for ``refuted`` a replayable
    ``counterexample`` (see ``counterexample``)."""

    verdict: str
    evidence: dict
    condition: str | None = None
    counterexample: dict | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if (self.verdict == "refuted") != (self.counterexample is not None):
            raise ValueError("a refuted verdict carries a counterexample, and only a refuted one")
        if self.verdict == "holds-if" and not self.condition:
            raise ValueError("a holds-if verdict states its condition")


@dataclass(frozen=True)
class Claim:
    id: str
    statement: str
    source: str
    method: str
    recorded: str
    check: callable = field(repr=False, compare=False)


@dataclass(frozen=True)
class Result:
    """A claim with its freshly computed verdict; ``regression`` when it deviates from the record."""

    claim: Claim
    found: Verdict

    @property
    def regression(self):
        return self.found.verdict != self.claim.recorded

    def to_dict(self):
        return {
            "id": self.claim.id,
            "statement": self.claim.statement,
            "source": self.claim.source,
            "verdict": self.found.verdict,
            "recorded": self.claim.recorded,
            "condition": self.found.condition,
            "method": self.claim.method,
            "evidence": _rounded(self.found.evidence),
            "counterexample": _rounded(self.found.counterexample, digits=None),  # exact: it must replay
        }


@dataclass
class Context:
    """What a check may use: ``quick`` (smaller sweeps) and ``map`` over an Executor for sweeps.

    ``map(fn, items)`` runs ``fn`` (a module-level function, so that it pickles) on each item, in
    order, through the executor when one is given (processes, threads, or e.g. Dask's)."""

    quick: bool = False
    executor: Executor | None = None

    def map(self, fn, items):
        items = list(items)
        if self.executor is None or len(items) < 2:
            return [fn(item) for item in items]
        return list(self.executor.map(fn, items))

    def sweep(self, fn, settings, seeds, case):
        """``map`` over every (setting, seed), grouped: {setting: [fn(case(setting, seed)) per seed]}."""
        settings, seeds = list(settings), list(seeds)
        rows = self.map(fn, [case(setting, seed) for setting in settings for seed in seeds])
        return {setting: rows[k * len(seeds):(k + 1) * len(seeds)] for k, setting in enumerate(settings)}


def process_executor(workers):
    """The default executor for sweeps: ``workers`` fresh processes with one BLAS thread each.

    Fresh (spawned) single-threaded workers make every number independent of the machine's core
    count and of which worker ran what: a multi-threaded GEMM splits its sums by thread, and a
    forked worker inherits whatever thread state its parent had, both of which move the last bits."""
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = "1"  # read by the workers when they load NumPy
    # Workers ignore SIGINT (a terminal's Ctrl-C reaches the whole group): the parent handles it.
    return _Executor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                     initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))


class _Executor(ProcessPoolExecutor):
    """A process pool that, left by an exception (an interrupt), terminates its workers at once
    instead of waiting for their tasks, and reaps them."""

    def __exit__(self, kind, value, traceback):
        if kind is None:
            return super().__exit__(kind, value, traceback)
        for process in list((self._processes or {}).values()):
            process.terminate()
        self.shutdown(wait=True, cancel_futures=True)
        return False


CLAIMS = {}


def claim(*, id, statement, source, method, recorded):
    """Register the decorated ``check(ctx) -> Verdict`` as the check of a claim."""
    if recorded not in VERDICTS:
        raise ValueError(f"recorded verdict of {id} must be one of {VERDICTS}")

    def register(check):
        if id in CLAIMS:
            raise ValueError(f"claim {id} is registered twice")
        CLAIMS[id] = Claim(id, statement, source, method, recorded, check)
        return check

    return register


def verify(ids=None, *, quick=False, executor=None, progress=None):
    """Run the checks of the claims ``ids`` (all by default, in registry order) -> list of Result."""
    ids = list(CLAIMS) if ids is None else list(ids)
    unknown = [i for i in ids if i not in CLAIMS]
    if unknown:
        raise KeyError(f"unknown claim {unknown[0]!r}")
    ctx = Context(quick=quick, executor=executor)
    results = []
    for k, claim_id in enumerate(ids):
        if progress:
            progress(k, len(ids), claim_id)
        results.append(Result(CLAIMS[claim_id], CLAIMS[claim_id].check(ctx)))
    return results


def _rounded(value, digits=10):
    """Plain JSON values, with floats rounded to ``digits`` significant digits (None: kept exact).
    Rounded evidence is byte-stable across BLAS builds whose last bits differ, and shows no number
    with false precision."""
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
