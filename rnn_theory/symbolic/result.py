"""The outcome of a proof: what was claimed, whether it was proven, and how."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """A proven (or not) statement. ``detail`` says how: the rewriting used, or what remained.

    >>> Result("1 + 1 = 2", True, "arithmetic")
    Result(statement='1 + 1 = 2', proven=True, detail='arithmetic')
    """

    statement: str
    proven: bool
    detail: str

    def __bool__(self):
        return self.proven
