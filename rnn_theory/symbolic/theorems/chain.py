"""The chain rule over τ steps: ∂s_T/∂s_{T−τ} = P_{T,τ} = J_T J_{T−1} ··· J_{T−τ+1}, for every τ.

``chain_rule_induction`` proves it for every τ >= 1 by induction on τ. Base case τ = 1: P_{T,1} = J_T
is the definition of J_T = ∂s_T/∂s_{T−1} (the closed form a cell's code multiplies,
``jacobian_blocks``, is proven equal to this derivative by the cell's own proof, ``prove``). Inductive step:
s_T = F_T(s_{T−1}) and s_{T−1} = G(s_{T−τ}) with ∂G/∂s_{T−τ} = P_{T−1,τ−1} (the hypothesis), so by
the chain rule for the composition of two maps ∂s_T/∂s_{T−τ} = DF_T(G(s))·DG(s) = J_T P_{T−1,τ−1} =
P_{T,τ}. The general chain rule is cited; what depends on the cells is how a state is split into
parts and so how a product of Jacobians is taken block by block. SymPy checks that once per block
layout of the cells' states (``layout_step``): ∂(J (g + P s))_{(a,i)}/∂s_{(c,j)} = Σ_b Σ_k
(J_ab)_{ik} (P_bc)_{kj}, the block product ``_block_product`` the statement uses, with every block
of J and P an index-form matrix of free entries over its parts' index spaces, for general n. Each
cell enters only through its layout, which is read from the blocks its own ``jacobian_blocks``
returns.

``inductive_step(cell)`` is the same step on one cell's own ``update`` (F_T itself composed with
G(s) = g + P s, differentiated entry by entry): an independent, slower route (minutes for the
mLSTM). ``chain_rule(τ)`` is the statement at one τ, by composing ``update`` τ times directly.

>>> chain_rule(2).proven, inductive_step("rnn").proven, chain_rule_induction(["lstm"]).proven
(True, True, True)
>>> inductive_step("rnn", compose=lambda J, P: _block_product(P, J)).proven  # P J is not the chain rule
False
"""

from functools import reduce

import sympy as sp

from ...cells import CELLS
from ..derive import as_cell, index_ranges, symbolic_arguments
from ..indexed import Grid, One, Paired, i, j, matrix, vector
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


def _remainders(names, state, start, claimed, space, label):
    """Each entry of ∂state/∂start − claimed that does not reduce to 0, named for the report."""
    ranges = index_ranges(start, space)
    failures = []
    for a, out in enumerate(names):
        for b, inp in enumerate(names):
            for row in start[a].space.entries(i):
                for col in start[b].space.entries(j):
                    if normal(sp.diff(state[a][row], start[b][col]) - claimed[a][b][row, col], ranges) != 0:
                        failures.append(f"{label(out, inp)} entry {row}, {col}")
    return failures


def _verdict(failures, proven):
    return proven if not failures else "non-zero remainder in " + "; ".join(failures)


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
    failures = _remainders(
        cell.state_parts, state, start, product, space, lambda out, inp: f"∂{out}_T/∂{inp}_(T−{tau})"
    )
    return Result(
        f"{cell.key}: ∂s_T/∂s_(T−{tau}) = "
        + "·".join(f"J_(T−{k})" if k else "J_T" for k in range(factors))
        + " in index form, for general n",
        not failures,
        _verdict(
            failures, "diff of the composed update − the index-form product of the closed-form blocks reduces to 0"
        ),
    )


def _free_map(names, spaces, letter):
    """A block matrix of free index-form entries over the parts' ``spaces``: block (a, b) is letter_{ab}."""
    return tuple(
        tuple(matrix(f"{letter}_{{{a}{b}}}" if len(names) > 1 else letter, u, v) for b, v in zip(names, spaces))
        for a, u in zip(names, spaces)
    )


def _applied(M, parts, offset=None):
    """The parts of M·parts (+ offset) for a block matrix M."""
    products = [reduce(lambda u, v: u + v, [block @ part for block, part in zip(row, parts)]) for row in M]
    return products if offset is None else [o + v for o, v in zip(offset, products)]


def inductive_step(cell="rnn", compose=None, **options):
    """The inductive step on ``cell``'s own update: ∂F_T(G(s))_i/∂s_j = (J_T P)_{ij}, G(s) = g + P s.

    F_T is the cell's ``update`` with step T's parameters and input; g and P (block by block for a
    state [h; c]) are index-form objects with free entries; J_T is ``jacobian_blocks`` at G(s).
    ``compose(J, P)`` is the claimed derivative (default the block product J P): a mutant goes here.
    """
    cell = as_cell(cell, **options)
    compose = compose or _block_product
    _, _, start, space = symbolic_arguments(cell, suffix="^(T−τ)")
    p, x, _, _ = symbolic_arguments(cell, suffix="^(T)")
    names = cell.state_parts
    P = _free_map(names, [part.space for part in start], "P")
    previous = _applied(P, start, _free_vectors(names, start, "g"))
    ops = SympyOps()
    state = cell.update(p, x, *previous, ops=ops)
    claimed = compose(cell.jacobian_blocks(p, x, *previous, ops=ops), P)
    failures = _remainders(names, state, start, claimed, space, lambda out, inp: f"∂{out}_T/∂{inp}_(T−τ)")
    return Result(
        f"{cell.key}: ∂F_T(G(s))/∂s = J_T·P for G(s) = g + P s, in index form for general n",
        not failures,
        _verdict(failures, "diff of the update at G(s) − Σ_k (J_T)_ik P_kj reduces to 0"),
    )


def _free_vectors(names, parts, letter):
    """One vector of free entries per part, over the part's index space."""
    return [vector(f"{letter}_{a}" if len(names) > 1 else letter, part.space) for a, part in zip(names, parts)]


def _space_key(space):
    """An index space by kind and size: Flat(n) and Paired(n) differ, two Flat(n) are the same."""
    return type(space).__name__, space.size


def layout(cell):
    """The index spaces of ``cell``'s state parts, as its own ``jacobian_blocks`` lays out its blocks
    (block (a, b) over part a's rows and part b's columns); None when the blocks do not fit the parts.

    >>> [type(space).__name__ for space in layout("mlstm")]
    ['Flat', 'Grid', 'Flat', 'One']
    """
    cell = as_cell(cell)
    p, x, parts, _ = symbolic_arguments(cell)
    blocks = cell.jacobian_blocks(p, x, *parts, ops=SympyOps())
    keys = [_space_key(part.space) for part in parts]
    fits = len(blocks) == len(parts) and all(
        [_space_key(block.rows) for block in row] == [keys[a]] * len(parts)
        and [_space_key(block.cols) for block in row] == keys
        for a, row in enumerate(blocks)
    )
    return tuple(part.space for part in parts) if fits else None


def _describe(spaces):
    """A layout in words, one size per part: "n", "n in 2×2 blocks", "n, n², n, 1"."""
    words = {Paired: "n in 2×2 blocks", Grid: "n²", One: "1"}
    return ", ".join(words.get(type(space), "n") for space in spaces)


def layout_step(spaces, compose=None):
    """The inductive step on the state layout ``spaces`` (h's first, of n entries), the cell entering
    only through it: ∂(J (g + P s))_(a,i)/∂s_(c,j) = compose(J, P)_ac[i, j], every block of J and P a
    matrix of free entries, in index form for general n. (proven, the entries that failed).

    ``compose(J, P)`` is the claimed derivative (default the block product J P): a mutant goes here.

    >>> layout_step(layout("lstm"))
    (True, '')
    >>> layout_step(layout("lstm"), compose=lambda J, P: _block_product(P, J))[0]
    False
    """
    compose = compose or _block_product
    names = [str(a) for a in range(1, len(spaces) + 1)]
    start = _free_vectors(names, [vector("s", space) for space in spaces], "s")
    J, P = _free_map(names, spaces, "J"), _free_map(names, spaces, "P")
    composed = _applied(J, _applied(P, start, _free_vectors(names, start, "g")))
    failures = _remainders(names, composed, start, compose(J, P), spaces[0], lambda out, inp: f"block ({out}, {inp})")
    return not failures, "; ".join(failures)


def chain_rule_induction(cells=None, compose=None):
    """∂s_T/∂s_{T−τ} = J_T···J_{T−τ+1} for every τ >= 1, by induction on τ (see the module docstring),
    for ``cells`` (keys, classes or instances; default every cell): the inductive step is checked
    once per block layout of their states (``layout_step``).

    ``compose(J, P)`` is the claimed inductive step (default J P); a mutant (P J, say) fails.
    """
    groups, unfit = {}, []
    for cell in CELLS if cells is None else cells:
        cell = as_cell(cell)
        spaces = layout(cell)
        if spaces is None:
            unfit.append(cell.key)
        else:
            groups.setdefault(tuple(map(_space_key, spaces)), (spaces, []))[1].append(cell.key)
    checks = [(spaces, keys, layout_step(spaces, compose)) for spaces, keys in groups.values()]
    failed = [f"layout {_describe(spaces)}: {failures}" for spaces, _, (ok, failures) in checks if not ok]
    failed += [f"{key}: its jacobian_blocks are not laid out on its state parts" for key in unfit]
    layouts = "; ".join(f"{_describe(spaces)} ({', '.join(keys)})" for spaces, keys, _ in checks)
    steps = [
        Step(
            "definition",
            "base case τ = 1: P_(T,1) = J_T, since J_T is defined as ∂s_T/∂s_(T−1) (each cell's closed form of J_T, "
            "its jacobian_blocks, is proven equal to this derivative block by block on the cell's own page)",
        ),
        Step(
            "cited",
            "chain rule: D(F∘G)(s) = DF(G(s))·DG(s) when G is differentiable at s and F at G(s); so F_T∘G has the "
            "derivative of the composition of two linear maps, J_T = DF_T(G(s)) and P = DG(s), whatever the cell",
            True,
            RUDIN,
        ),
        Step(
            "machine",
            "inductive step, the cells entering only through the layout of their state: ∂(J(g + P s))_(a,i)/∂s_(c,j) "
            "= Σ_b Σ_k (J_ab)_ik (P_bc)_kj = (J·P)_(a,i),(c,j), every block of J and P and every entry of g free, "
            "in index form for general n, once per block layout of the state (the parts' sizes, as each cell's "
            f"jacobian_blocks lays out its blocks): {layouts}",
            not failed,
            "; ".join(failed),
        ),
        Step(
            "hand",
            "induction on τ",
            True,
            "Suppose ∂s_(T−1)/∂s_(T−τ) = P_(T−1,τ−1) = J_(T−1)···J_(T−τ+1) for every T (true for τ − 1 = 1 by the base "
            "case). Then s_T = F_T(s_(T−1)) with s_(T−1) = G(s_(T−τ)), G the composition of steps T−τ+1, …, T−1, whose "
            "derivative is P_(T−1,τ−1). By the chain rule and the machine-checked inductive step, ∂s_T/∂s_(T−τ) = "
            "J_T·P_(T−1,τ−1) = J_T·J_(T−1)···J_(T−τ+1) = P_(T,τ). So the formula holds for τ, hence for every τ >= 1.",
        ),
    ]
    return from_steps(STATEMENT, steps, "hence P_(T,τ) = ∂s_T/∂s_(T−τ) for all τ by induction")
