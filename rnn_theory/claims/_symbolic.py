"""Proofs of the symbolic layer as evidence for the claims."""

from ..symbolic import prove
from ..symbolic.theorems import THEOREMS
from ._registry import Verdict


def symbolic_evidence(*items):
    """{statement: proven} for each item: a cell key is proven block by block (``prove``), any other
    item is the name of a supporting theorem in ``THEOREMS``."""
    results = []
    for item in items:
        if item in THEOREMS:
            outcome = THEOREMS[item]()
            results += outcome if isinstance(outcome, list) else [outcome]
        else:
            results += prove(item).blocks
    return {result.statement: bool(result.proven) for result in results}


def unproven(evidence):
    """The verdict when the numbers agree but a symbolic proof in ``evidence["symbolic"]`` failed."""
    return Verdict(
        "holds-if",
        evidence,
        condition="numeric evidence only: a symbolic proof listed under 'symbolic' did not go through",
    )
