"""Derive every block of a cell's state Jacobian, for general n, from the cell's own ``update``.

The cell's ``update`` runs on index-form symbols (``SympyOps`` backend): component i of each new
part is a SymPy expression in the entries of the parameters (IndexedBase, native names), x and
the old state, with Σ over k = 0..n − 1 for every matmul. Block ∂a'/∂b is then SymPy's ``diff``
of component i of a' with respect to the entry b[j], its Σ·δ contracted (``rewrite.contract``).
The same cell's ``jacobian_blocks``, run on the same backend, gives the closed form entry (i, j).

For the LRU (a paired space) an index is (block, position): each block is derived as its 2×2
pattern ((i, a), (j, b)), a, b ∈ {0, 1}, for symbolic block indices i, j.

>>> d = derive("mingru")
>>> [(b.output, b.input) for b in d.blocks]
[('h', 'h')]
>>> d.blocks[0].entries[0].derived
(1 - sigma(b_z[i] + Sum(U_z[i, k]*x[k], (k, 0, m - 1))))*KroneckerDelta(i, j)
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import sympy as sp

from ..cells import CELLS, Cell
from .indexed import Blocks, Flat, Grid, One, Paired, i, j, m, matrix, n, second, vector
from .ops import SympyOps
from .rewrite import contract
from .steps import block_steps, expanded, intermediates


@dataclass(frozen=True)
class Entry:
    """One symbolic entry (row, col) of a block: derived by ``diff`` (``raw``, then with its Σ·δ
    contracted, ``derived``) and as the closed form."""

    row: object
    col: object
    derived: sp.Expr
    closed: sp.Expr
    raw: sp.Expr
    steps: tuple  # the derivation in steps (``steps.block_steps``); the last one's result is the entry
    expanded: sp.Expr  # the last step's result with every intermediate written out: what the proof checks


@dataclass(frozen=True)
class Block:
    """Block ∂output'/∂input: its entries and the closed form in matrix notation (LaTeX)."""

    output: str
    input: str
    entries: tuple
    closed_tex: str


@dataclass(frozen=True)
class Derivation:
    """A cell's equations and Jacobian blocks for general n (see ``derive``)."""

    cell: Cell
    equations: tuple  # (lhs, rhs) in LaTeX, from the update
    definitions: dict  # abbreviation -> LaTeX, as the backend named them
    new_parts: dict  # part -> component(s) of the new part, one per index of ``row_indices``
    blocks: tuple
    ranges: dict  # free index -> (lo, hi)
    paired: bool

    @property
    def key(self):
        return self.cell.key


def as_cell(cell, **options):
    """A cell instance from a key, a Cell class or an instance (only its methods are used)."""
    if isinstance(cell, str):
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; expected one of {', '.join(CELLS)}")
        cell = CELLS[cell]
    if isinstance(cell, type):
        cell = cell.random(hidden_size=2, input_size=1, rng=0, **options)
    return cell


def symbolic_arguments(cell, suffix=""):
    """(p, x, parts, space) for ``cell``: every parameter and variable as an index-form object,
    its entries named by native name (+ ``suffix``, e.g. a time step)."""
    paired = any("n/2" in dims for dims in cell.param_shapes.values())
    space = Paired(n) if paired else Flat(n)
    spaces = {"n": space, "m": Flat(m), "n/2": Blocks(space), "n*n": Grid(space), "1": One()}
    p = {}
    for name, dims in cell.param_shapes.items():
        label = name + suffix
        p[name] = vector(label, spaces[dims[0]]) if len(dims) == 1 else matrix(label, spaces[dims[0]], spaces[dims[1]])
    parts = tuple(vector(part + suffix, spaces[cell.part_size(part)]) for part in cell.state_parts)
    return SimpleNamespace(**p), vector("x" + suffix, spaces["m"]), parts, space


def derive(cell: str | type[Cell] | Cell, **options) -> Derivation:
    """Derive all Jacobian blocks of ``cell`` (a key, class or instance) for general n."""
    cell = as_cell(cell, **options)
    p, x, parts, space = symbolic_arguments(cell)
    ops = SympyOps()
    new = dict(zip(cell.state_parts, cell.update(p, x, *parts, ops=ops)))
    closed = cell.jacobian_blocks(p, x, *parts, ops=ops)
    alias = _aliases(new)
    ranges = index_ranges(parts, space)
    chain = intermediates(ops.values, new, space)
    blocks = []
    # Without intermediates (one direct step per part) a new part is differentiated by itself.
    direct = all(kind == "state" for _, kind, _ in chain)
    for a, out in enumerate(cell.state_parts):
        position = next(k for k, item in enumerate(chain) if item[0] == f"{out}'")
        upto = chain[position : position + 1] if direct else chain[: position + 1]
        for b, inp in enumerate(cell.state_parts):
            rows, cols = parts[a].space.entries(i), parts[b].space.entries(j)
            entries = tuple(
                _entry(
                    row,
                    col,
                    sp.diff(new[out][row], parts[b][col]),
                    closed[a][b][row, col],
                    ranges,
                    block_steps(upto, row, parts[b], col, ranges),
                    upto,
                )
                for row in rows
                for col in cols
            )
            blocks.append(Block(out, inp, entries, alias(closed[a][b].tex)))
    return Derivation(
        cell=cell,
        equations=tuple((f"{part}'", alias(new[part].tex)) for part in reversed(cell.state_parts)),
        definitions={name: alias(tex) for name, tex in ops.definitions.items()},
        new_parts={
            part: tuple(contract(new[part][row], ranges) for row in vec.space.entries(i))
            for part, vec in zip(new, parts)
        },
        blocks=tuple(blocks),
        ranges=ranges,
        paired=isinstance(space, Paired),
    )


def index_ranges(parts, space):
    """The free indices of the blocks between ``parts`` and their ranges: i, j, and i_2, j_2 where a
    part is a grid."""
    grid = any(isinstance(part.space, Grid) for part in parts)
    return {index: (0, space.upper) for index in (i, j) + ((second(i), second(j)) if grid else ())}


def _entry(row, col, raw, closed, ranges, steps, chain):
    return Entry(
        row, col, contract(raw, ranges), contract(closed, ranges), raw, steps, expanded(steps[-1].result, chain)
    )


def _aliases(new):
    """Write the new cell state as c' inside other formulas (h' = o ⊙ tanh(c'), not tanh(f ⊙ c + …))."""
    if "c" not in new:
        return lambda tex: tex
    long = new["c"].tex
    return lambda tex: (
        tex.replace(rf"\odot \left({long}\right)", r"\odot c'").replace(long, "c'") if tex != long else tex
    )
