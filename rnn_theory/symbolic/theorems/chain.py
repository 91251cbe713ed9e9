"""The chain rule over τ steps: ∂s_T/∂s_{T−τ} = P_{T,τ} = J_T J_{T−1} ··· J_{T−τ+1}, for every τ.

``chain_rule_induction`` proves it for every τ >= 1 by induction on τ. Base case τ = 1: P_{T,1} = J_T
is the definition of J_T = ∂s_T/∂s_{T−1}. Inductive step: s_T = F_T(s_{T−1}) and s_{T−1} = G(s_{T−τ})
with ∂G/∂s_{T−τ} = P_{T−1,τ−1} (the hypothesis), so by the chain rule for the composition of two maps
∂s_T/∂s_{T−τ} = J_T P_{T−1,τ−1} = P_{T,τ}. That step is checked by SymPy in index form for general n
(``inductive_step``): the cell's own ``update`` F_T, applied to G(s) = g + P s (any value g and any
derivative P at s, as index-form objects), differentiated entry by entry, against Σ_k (J_T)_{ik} P_{kj}
with J_T the closed form of ``jacobian_blocks`` at G(s). The general chain rule is cited (it is what
makes an affine G with the same value and derivative stand for any differentiable G).

``chain_rule(τ)`` is the same statement at one τ, by composing ``update`` τ times directly.

>>> chain_rule(2).proven, inductive_step("rnn").proven
(True, True)
>>> inductive_step("rnn", compose=lambda J, P: _block_product(P, J)).proven  # P J is not the chain rule
False
"""

from functools import reduce

import sympy as sp

from ..derive import as_cell, index_ranges, symbolic_arguments
from ..indexed import Flat, i, j, matrix, n, vector
from ..ops import SympyOps
from ..result import Result, Step, from_steps
from ..rewrite import normal

RUDIN = "Rudin 1976, Principles of Mathematical Analysis, 3rd ed., Theorem 9.15 [rudin1976]"
STATEMENT = "∂s_T/∂s_(T−τ) = P_(T,τ) = J_T·J_(T−1)···J_(T−τ+1) for every lag τ >= 1 and every n"


def _block_product(A, B):
    """(A B)[a][b] = Σ_c A[a][c] @ B[c][b] for matrices of blocks."""
    return tuple(
        tuple(reduce(lambda x, y: x + y, [A[a][c] @ B[c][b] for c in range(len(B))]) for b in range(len(B[0])))
        for a in range(len(A))
    )


def _remainders(cell, state, start, claimed, space, label):
    """Each entry of ∂state/∂start − claimed that does not reduce to 0, named for the report."""
    ranges = index_ranges(start, space)
    failures = []
    for a, out in enumerate(cell.state_parts):
        for b, inp in enumerate(cell.state_parts):
            for row in start[a].space.entries(i):
                for col in start[b].space.entries(j):
                    if normal(sp.diff(state[a][row], start[b][col]) - claimed[a][b][row, col], ranges) != 0:
                        failures.append(f"{label(out, inp)} entry {row}, {col}")
    return failures


def chain_rule(tau, cell="rnn", factors=None, **options):
    """Prove ∂s_T/∂s_{T−τ} = J_T···J_{T−τ+1} in index form for ``cell`` (key, class or instance) at one τ.

    ``factors`` (default τ) is how many Jacobians the claimed product has: a mutant of the statement.
    """
    cell = as_cell(cell, **options)
    factors = tau if factors is None else factors
    _, _, start, space = symbolic_arguments(cell, suffix="^(0)")
    ops, state, jacobians = SympyOps(), start, []
    for t in range(1, tau + 1):
        p, x, _, _ = symbolic_arguments(cell, suffix=f"^({t})")
        jacobians.append(cell.jacobian_blocks(p, x, *state, ops=ops))  # J at s_{t−1}
        state = cell.update(p, x, *state, ops=ops)
    product = reduce(_block_product, reversed(jacobians[tau - factors :]))
    failures = _remainders(cell, state, start, product, space, lambda out, inp: f"∂{out}_T/∂{inp}_(T−{tau})")
    return Result(
        f"{cell.key}: ∂s_T/∂s_(T−{tau}) = "
        + "·".join(f"J_(T−{k})" if k else "J_T" for k in range(factors))
        + " in index form, for general n",
        not failures,
        "diff of the composed update − the index-form product of the closed-form blocks reduces to 0"
        if not failures
        else "non-zero remainder in " + "; ".join(failures),
    )


def inductive_step(cell="rnn", compose=None, **options):
    """The inductive step for ``cell``: ∂F_T(G(s))_i/∂s_j = (J_T P)_{ij}, G(s) = g + P s, general n.

    F_T is the cell's ``update`` with step T's parameters and input; g and P (block by block for a
    state [h; c]) are index-form objects with free entries; J_T is ``jacobian_blocks`` at G(s).
    ``compose(J, P)`` is the claimed derivative (default the block product J P): a mutant goes here.
    """
    cell = as_cell(cell, **options)
    compose = compose or _block_product
    _, _, start, space = symbolic_arguments(cell, suffix="^(T−τ)")
    p, x, _, _ = symbolic_arguments(cell, suffix="^(T)")
    parts = cell.state_parts
    P = tuple(
        tuple(matrix(f"P_{{{a}{b}}}" if len(parts) > 1 else "P", u.space, v.space) for b, v in zip(parts, start))
        for a, u in zip(parts, start)
    )
    g = [vector(f"g_{a}" if len(parts) > 1 else "g", u.space) for a, u in zip(parts, start)]
    previous = [
        reduce(lambda u, v: u + v, [P[a][b] @ start[b] for b in range(len(parts))], g[a]) for a in range(len(parts))
    ]
    ops = SympyOps()
    state = cell.update(p, x, *previous, ops=ops)
    claimed = compose(cell.jacobian_blocks(p, x, *previous, ops=ops), P)
    failures = _remainders(cell, state, start, claimed, space, lambda out, inp: f"∂{out}_T/∂{inp}_(T−τ)")
    return Result(
        f"{cell.key}: ∂F_T(G(s))/∂s = J_T·P for G(s) = g + P s, in index form for general n",
        not failures,
        "diff of the update at G(s) − Σ_k (J_T)_ik P_kj reduces to 0"
        if not failures
        else "non-zero remainder in " + "; ".join(failures),
    )


def linear_composition(compose=None):
    """∂(A (P s))_i/∂s_j = (A P)_{ij} for general n: the index form of the product of two derivatives."""
    compose = compose or _block_product
    space = Flat(n)
    A, P, s = matrix("A", space, space), matrix("P", space, space), vector("s", space)
    difference = sp.diff((A @ (P @ s))[i], s[j]) - compose(((A,),), ((P,),))[0][0][i, j]
    return normal(difference, {i: (0, n - 1), j: (0, n - 1)}) == 0


def chain_rule_induction(cells=("rnn", "lru", "mingru"), compose=None):
    """∂s_T/∂s_{T−τ} = J_T···J_{T−τ+1} for every τ >= 1, by induction on τ (see the module docstring).

    ``compose(J, P)`` is the claimed inductive step (default J P); a mutant (P J, say) fails.
    """
    steps = [
        Step("definition", "base case τ = 1: P_(T,1) = J_T, since J_T is defined as ∂s_T/∂s_(T−1)"),
        Step(
            "cited",
            "chain rule: D(F∘G)(s) = DF(G(s))·DG(s) when G is differentiable at s and F at G(s); "
            "so F∘G has the derivative of F∘(affine map with G's value and derivative at s)",
            True,
            RUDIN,
        ),
        Step("machine", "index form for general n: ∂(A(P s))_i/∂s_j = Σ_k A_ik P_kj", linear_composition(compose)),
    ]
    results = {key: inductive_step(key, compose) for key in cells}
    failed = "; ".join(f"{key}: {r.detail}" for key, r in results.items() if not r.proven)
    steps.append(
        Step(
            "machine",
            "inductive step: ∂F_T(G(s))/∂s = J_T·P for G(s) = g + P s with free entries, in index form for general n, where "
            f"F_T is the update of {', '.join(cells)} and J_T its closed form",
            not failed,
            failed,
        )
    )
    steps.append(
        Step(
            "hand",
            "induction on τ",
            True,
            "Suppose ∂s_(T−1)/∂s_(T−τ) = P_(T−1,τ−1) = J_(T−1)···J_(T−τ+1) for every T (true for τ − 1 = 1 by the base "
            "case). Then s_T = F_T(s_(T−1)) with s_(T−1) = G(s_(T−τ)), G the composition of steps T−τ+1, …, T−1, whose "
            "derivative is P_(T−1,τ−1). By the chain rule and the machine-checked inductive step, ∂s_T/∂s_(T−τ) = "
            "J_T·P_(T−1,τ−1) = J_T·J_(T−1)···J_(T−τ+1) = P_(T,τ). So the formula holds for τ, hence for every τ >= 1.",
        )
    )
    return from_steps(STATEMENT, steps, "hence P_(T,τ) = ∂s_T/∂s_(T−τ) for all τ by induction")
