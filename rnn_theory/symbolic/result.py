"""The outcome of a proof: what was claimed, whether it was proven, and how, step by step.

Every step says what kind of argument carries it, so that a reader can tell a machine check from
prose: ``machine`` (SymPy computed it; the check could come out false), ``hand`` (an argument
written out in ``argument``, checked by a reader, not a program), ``cited`` (a published result,
its reference in ``argument``) or ``definition`` (true by how a symbol is defined).
"""

from dataclasses import dataclass

KINDS = ("machine", "hand", "cited", "definition")


@dataclass(frozen=True)
class Step:
    """One step of a proof: ``claim``, carried by an argument of ``kind``; ``ok`` is the machine's
    verdict (a hand, cited or definition step is ``True``: nothing computes it).

    >>> Step("machine", "1 + 1 = 2", 1 + 1 == 2)
    Step(kind='machine', claim='1 + 1 = 2', ok=True, argument='')
    """

    kind: str
    claim: str
    ok: bool = True
    argument: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"step kind {self.kind!r}; expected one of {', '.join(KINDS)}")


@dataclass(frozen=True)
class Result:
    """A proven (or not) statement. ``detail`` says how: the rewriting used, or what remained;
    ``steps`` (``Step``) break the proof down by kind of argument, where the theorem has them.

    >>> Result("1 + 1 = 2", True, "arithmetic")
    Result(statement='1 + 1 = 2', proven=True, detail='arithmetic', steps=())
    """

    statement: str
    proven: bool
    detail: str
    steps: tuple = ()

    def __bool__(self):
        return self.proven


def from_steps(statement, steps, conclusion=""):
    """The Result of ``steps``: proven when every machine step holds; the detail lists each step."""
    detail = "; ".join(f"{s.claim} [{s.kind}{'' if s.ok else ': FAILED'}]" for s in steps)
    return Result(statement, all(s.ok for s in steps), detail + (f"; {conclusion}" if conclusion else ""), tuple(steps))
