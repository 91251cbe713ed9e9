"""Prove, for general n, that each derived Jacobian block equals the cell's closed form.

For every block ∂a'/∂b and its symbolic entry (i, j) (the 2×2 pattern of entries for the LRU),
the difference derived − closed is brought to its normal form by the rewriting rules of
``rnn_theory.symbolic.rewrite`` (linearity of Σ, Σ·δ contraction, renaming of summation
indices, distributivity). A zero normal form proves the identity for every n >= 1, every
i, j in 0..n − 1 and every value of the parameters, inputs and state; anything else is
reported as a failure, with the remainder.

>>> proof = prove("gru")
>>> proof.proven, [r.proven for r in proof.blocks]
(True, [True])
>>> print(proof.blocks[0].statement)
gru: ∂h'_i/∂h_j derived from the update equals the closed form of jacobian_blocks, for general n
"""

from dataclasses import dataclass

import sympy as sp

from .derive import derive
from .result import Result
from .rewrite import normal

_RULES = "rewriting: linearity of Σ, Σ·δ contraction, renaming and reordering of summation indices, distributivity"


@dataclass(frozen=True)
class CellProof:
    """The proofs of all blocks of one cell, with the derivation they came from."""

    derivation: object
    blocks: tuple  # one Result per block, in the order of derivation.blocks

    @property
    def proven(self):
        return all(result.proven for result in self.blocks)


def prove(cell, **options):
    """Derive every block of ``cell`` (key, class or instance) and prove it equal to the closed form."""
    derivation = derive(cell, **options)
    return CellProof(derivation, tuple(_prove_block(derivation, block) for block in derivation.blocks))


def block_name(block, paired=False):
    """∂h'_i/∂h_j, or ∂s'_{(i,a)}/∂s_{(j,b)} for a paired state."""
    if paired:
        return f"∂{block.output}'_(i,a)/∂{block.input}_(j,b)"
    return f"∂{block.output}'_i/∂{block.input}_j"


def _prove_block(derivation, block):
    statement = (
        f"{derivation.key}: {block_name(block, derivation.paired)} derived from the update equals the closed form "
        "of jacobian_blocks, for general n"
    )
    remainders = [normal(entry.derived - entry.closed, derivation.ranges) for entry in block.entries]
    if all(r == 0 for r in remainders):
        where = f" (all {len(remainders)} entries of the 2×2 block pattern)" if derivation.paired else ""
        return Result(statement, True, f"derived − closed reduces to 0{where} by {_RULES}")
    first = next(r for r in remainders if r != 0)
    text = sp.sstr(first)
    return Result(statement, False, "derived − closed reduces to a non-zero remainder: " + _clip(text))


def _clip(text, limit=400):
    return text if len(text) <= limit else text[:limit] + f" … ({len(text)} characters)"
