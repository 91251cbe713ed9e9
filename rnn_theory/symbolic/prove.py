"""Prove, for general n, that each derived Jacobian block equals the cell's closed form.

For every block ∂u'/∂v (u' a new state part, v an old one) and its symbolic entry (i, j) (the 2×2
pattern of entries for the LRU), two differences are brought to their normal form by the rewriting
rules of ``rnn_theory.symbolic.rewrite``: the result of the derivation in steps minus the closed
form, and SymPy's ``diff`` of the whole update minus the closed form. A zero normal form proves the
identity for every n >= 1, every i, j in 0..n − 1 and every value of the parameters, inputs and
state; the certificate names the rules that closed it. Anything else is a failure, with the remainder.

>>> proof = prove("gru")
>>> proof.proven, [r.proven for r in proof.blocks]
(True, [True])
>>> print(proof.blocks[0].statement)
gru: ∂h'_i/∂h_j derived from the update equals the closed form of jacobian_blocks, for general n
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from .derive import derive

if TYPE_CHECKING:
    from ..cells import Cell
from .result import Result, Step
from .rewrite import RULES, certificate


@dataclass(frozen=True)
class CellProof:
    """The proofs of all blocks of one cell, with the derivation they came from."""

    derivation: object
    blocks: tuple  # one Result per block, in the order of derivation.blocks

    @property
    def proven(self):
        return all(result.proven for result in self.blocks)


def prove(cell: str | type[Cell] | Cell, **options) -> CellProof:
    """Derive every block of ``cell`` (key, class or instance) and prove it equal to the closed form."""
    derivation = derive(cell, **options)
    return CellProof(derivation, tuple(_prove_block(derivation, block) for block in derivation.blocks))


def block_name(block, paired=False):
    """∂h'_i/∂h_j, or ∂s'_{(i,a)}/∂s_{(j,b)} for a paired state."""
    if paired:
        return f"∂{block.output}'_(i,a)/∂{block.input}_(j,b)"
    return f"∂{block.output}'_i/∂{block.input}_j"


def rules_text(rules):
    """The certificate in words: the rewriting rules (``rewrite.RULES``) that closed a difference."""
    if not rules:
        return "no rewriting (the two sides are the same expression once built)"
    return "; ".join(f"({k}) {RULES[k]}" for k in rules)


def _closes(entries, side, ranges):
    """(all differences side − closed reduce to 0, the union of the rules used, first remainder)."""
    used, remainder = set(), 0
    for entry in entries:
        form, rules = certificate(getattr(entry, side) - entry.closed, ranges)
        used |= set(rules)
        remainder = remainder if remainder != 0 else form
    return remainder == 0, tuple(sorted(used)), remainder


def _prove_block(derivation, block):
    statement = (
        f"{derivation.key}: {block_name(block, derivation.paired)} derived from the update equals the closed form "
        "of jacobian_blocks, for general n"
    )
    where = f" (all {len(block.entries)} entries of the 2×2 block pattern)" if derivation.paired else ""
    steps = []
    for side, what in (("expanded", "the derivation in steps"), ("raw", "SymPy's diff of the whole update")):
        closed, rules, remainder = _closes(block.entries, side, derivation.ranges)
        argument = rules_text(rules) if closed else "non-zero remainder: " + _clip(sp.sstr(remainder))
        steps.append(Step("machine", f"{what} − closed form reduces to 0{where}", closed, argument))
    return Result(
        statement,
        all(s.ok for s in steps),
        "; ".join(f"{s.claim}, by {s.argument}" if s.ok else f"{s.claim}: FAILED, {s.argument}" for s in steps),
        tuple(steps),
    )


def _clip(text, limit=400):
    return text if len(text) <= limit else text[:limit] + f" … ({len(text)} characters)"
