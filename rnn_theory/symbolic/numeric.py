"""Evaluate the symbolic (general-n) expressions at a concrete cell and point, via ``lambdify``.

This is the bridge for cross-checks: the derived blocks, the closed-form entries and the
components of the update, each lambdified once with n, m, i, j as arguments, are evaluated at
a numeric cell's parameters for every concrete index and assembled into arrays that can be
compared with ``cell.jacobian`` and ``cell.step``. σ and relu are evaluated by the independent
NumPy formulas of ``functions.NUMPY_FUNCTIONS`` (σ = 1/(1 + e^{−a}), not the backend's tanh form).

>>> import numpy as np
>>> import rnn_theory as rt
>>> from rnn_theory.symbolic.derive import derive
>>> cell = rt.CELLS["rnn"](W=[[0.5]], U=[[1.0]], b=[0.0])
>>> derived = jacobian_from(derive(cell), cell, np.array([0.0]), np.array([1.0]))
>>> bool(np.allclose(derived, cell.jacobian([0.0], [1.0]), rtol=1e-14))
True
"""

import numpy as np
import sympy as sp

from .functions import NUMPY_FUNCTIONS
from .indexed import i, j, m, n, second


def _arguments(cell):
    names = list(cell.param_shapes) + ["x"] + list(cell.state_parts)
    return [sp.IndexedBase(name) for name in names] + [n, m, i, j, second(i), second(j)]


def _values(derivation, cell, x, s):
    """Numeric arrays in the order of ``_arguments``; paired axes split as (n/2, 2), a matrix
    memory (a part of size n*n) as its n×n matrix."""
    arrays = [cell.params[name] for name in cell.param_shapes] + [np.asarray(x)] + list(cell._split(np.asarray(s)))
    if derivation.paired:
        k = cell.hidden_size // 2
        dims = [cell.param_shapes[name] for name in cell.param_shapes] + [("m",)] + [("n",)] * len(cell.state_parts)
        arrays = [a.reshape((k, 2) + a.shape[1:]) if d[0] == "n" else a for a, d in zip(arrays, dims)]
    first = len(cell.param_shapes) + 1
    for k, part in enumerate(cell.state_parts):
        if cell.part_size(part) == "n*n":
            arrays[first + k] = arrays[first + k].reshape(cell.hidden_size, cell.hidden_size)
    return arrays + [cell.hidden_size, cell.input_size]


def _compile(expr, cell):
    return sp.lambdify(_arguments(cell), expr, modules=[NUMPY_FUNCTIONS, "numpy"])


def _positions(derivation, cell, part, symbol):
    """(the key of the symbolic entry, the values of the index and its second) for each concrete
    position of ``part``, the entry's index being ``symbol`` (i for rows, j for columns)."""
    n = cell.hidden_size
    size = cell.part_size(part)
    if size == "n*n":
        return [((symbol, second(symbol)), (p // n, p % n)) for p in range(n * n)]
    if size == "1":
        return [(0, (0, 0))]
    if derivation.paired:
        return [((symbol, p % 2), (p // 2, 0)) for p in range(n)]
    return [(symbol, (p, 0)) for p in range(n)]


def _block_matrix(derivation, block, cell, values, which):
    compiled = {(e.row, e.col): _compile(getattr(e, which), cell) for e in block.entries}
    rows, cols = _positions(derivation, cell, block.output, i), _positions(derivation, cell, block.input, j)
    out = np.empty((len(rows), len(cols)))
    for r, (row, (ri, ri2)) in enumerate(rows):
        for c, (col, (cj, cj2)) in enumerate(cols):
            out[r, c] = compiled[(row, col)](*values, ri, cj, ri2, cj2)
    return out


def jacobian_from(derivation, cell, x, s, which="derived"):
    """The full state Jacobian at (x, s) from the symbolic ``derived`` (or ``closed``) entries."""
    values = _values(derivation, cell, x, s)
    parts = len(cell.state_parts)
    blocks = [_block_matrix(derivation, b, cell, values, which) for b in derivation.blocks]
    return np.block([[blocks[a * parts + b] for b in range(parts)] for a in range(parts)])


def step_from(derivation, cell, x, s):
    """The new state at (x, s) from the symbolic components of the update."""
    values = _values(derivation, cell, x, s)
    out = []
    for part in cell.state_parts:
        components = [_compile(c, cell) for c in derivation.new_parts[part]]
        for row, (ri, ri2) in _positions(derivation, cell, part, i):
            component = components[row[1] if derivation.paired and isinstance(row, tuple) else 0]
            out.append(component(*values, ri, 0, ri2, 0))
    return np.array(out, dtype=float)
