"""The symbolic layer: SymPy derives every cell's state Jacobian for general n, from the cells'
own equations, and proves the closed forms the numeric code uses.

- ``derive(cell)``: the blocks ∂a'_i/∂b_j of the cell's Jacobian, by ``diff`` of its ``update``
  run on index-form symbols, next to the closed form of its ``jacobian_blocks``.
- ``prove(cell)``: derived − closed reduced to 0 by targeted rewriting, block by block.
- ``theorems``: the supporting theorems (activation bounds, Pascanu's bound, Hochreiter's
  condition, parameter counts, the chain rule), each returning a ``Result``.

>>> import rnn_theory as rt
>>> rt.prove("lstm").proven
True
"""

from .derive import derive
from .prove import prove
from .result import Result

__all__ = ["derive", "prove", "Result"]
