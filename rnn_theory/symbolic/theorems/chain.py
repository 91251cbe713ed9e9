"""The chain rule over τ steps in index form: ∂s_t/∂s_{t−τ} = J_t ··· J_{t−τ+1}.

The cell's ``update`` is composed τ times, step t with its own parameters and input (entries
named W_f^(t), x^(t), ...), starting from the symbolic state s^(0). The left side is SymPy's
``diff`` of the composed map's component i with respect to s^(0)_j; the right side is the index
-form product Σ_k Σ_l ... of the closed-form blocks J_t = ``jacobian_blocks`` evaluated at the
symbolic state s_{t−1}, block by block for the LSTM family. Their difference is brought to 0 by
the rewriting of ``rnn_theory.symbolic.rewrite``: an identity for every n.

>>> chain_rule(2).proven
True
"""

from functools import reduce

import sympy as sp

from ..derive import as_cell, symbolic_arguments
from ..indexed import i, j
from ..ops import SympyOps
from ..result import Result
from ..rewrite import normal


def _block_product(A, B):
    """(A B)[a][b] = Σ_c A[a][c] @ B[c][b] for matrices of blocks."""
    return tuple(
        tuple(reduce(lambda x, y: x + y, [A[a][c] @ B[c][b] for c in range(len(B))]) for b in range(len(B[0])))
        for a in range(len(A))
    )


def chain_rule(tau, cell="rnn", **options):
    """Prove ∂s_t/∂s_{t−τ} = J_t···J_{t−τ+1} in index form for ``cell`` (key, class or instance)."""
    cell = as_cell(cell, **options)
    _, _, start, space = symbolic_arguments(cell, suffix="^(0)")
    ops, state, jacobians = SympyOps(), start, []
    for t in range(1, tau + 1):
        p, x, _, _ = symbolic_arguments(cell, suffix=f"^({t})")
        jacobians.append(cell.jacobian_blocks(p, x, *state, ops=ops))  # J_t at s_{t−1}
        state = cell.update(p, x, *state, ops=ops)
    product = reduce(_block_product, reversed(jacobians))
    ranges = {i: (0, space.upper), j: (0, space.upper)}
    failures = []
    for a, out in enumerate(cell.state_parts):
        for b, inp in enumerate(cell.state_parts):
            for row in space.entries(i):
                for col in space.entries(j):
                    derived = sp.diff(state[a][row], start[b][col])
                    if normal(derived - product[a][b][row, col], ranges) != 0:
                        failures.append(f"∂{out}_t/∂{inp}_(t−{tau}) entry {row}, {col}")
    return Result(
        f"{cell.key}: ∂s_t/∂s_(t−{tau}) = " + "·".join(f"J_(t−{k})" if k else "J_t" for k in range(tau)) + " in index form, for general n",
        not failures,
        "diff of the composed update − the index-form product of the closed-form blocks reduces to 0"
        if not failures
        else "non-zero remainder in " + "; ".join(failures),
    )
