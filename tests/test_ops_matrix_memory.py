"""The ``ops`` members of a matrix memory (the mLSTM's C stored as a vector, row by row) against
plain NumPy linear algebra, and every backend against the NumPy one: vectors by value, blocks by
applying them (lazy) or entry by entry at n = 3 (SymPy)."""

import numpy as np
import pytest
import sympy as sp

from rnn_theory.cells import _numpy_ops
from rnn_theory.flow._operator_tree import OPS as LAZY_OPS
from rnn_theory.symbolic.indexed import Flat, Grid, One, i, j, n, second, vector
from rnn_theory.symbolic.ops import SympyOps

RNG = np.random.default_rng(3)
A, B, V = RNG.normal(size=3), RNG.normal(size=3), RNG.normal(size=3)
M = RNG.normal(size=(3, 3))


def test_vector_members_are_the_linear_algebra_they_name():
    # Exact: each entry is one product (outer) or the same few products summed in the same order.
    np.testing.assert_array_equal(_numpy_ops.outer(A, B), np.outer(A, B).reshape(-1))
    np.testing.assert_allclose(_numpy_ops.matvec(M.reshape(-1), V), M @ V, rtol=1e-15)
    np.testing.assert_allclose(_numpy_ops.dot(A, B), [A @ B], rtol=1e-15)
    np.testing.assert_array_equal(_numpy_ops.outer_matrix(A, B), np.outer(A, B))
    # ∂(M v)/∂vec(M) by the definition: column (k, l) is the derivative along e_k e_lᵀ.
    columns = [_numpy_ops.matvec(e, V) for e in np.eye(9)]
    np.testing.assert_array_equal(_numpy_ops.identity_kron_row(V), np.array(columns).T)
    assert _numpy_ops.zeros_like(A, np.ones(9)).shape == (3, 9)
    assert _numpy_ops.size(A).tolist() == [3.0] and _numpy_ops.size(np.ones((3, 4))).tolist() == [3.0]


def test_column_arrays_are_the_vectors_side_by_side():
    # The lazy backend and the tape run the same members on (len, C) columns, one per time step.
    a, b, v, Ms = (RNG.normal(size=(3, 4)) for _ in range(4))
    Ms = RNG.normal(size=(9, 4))
    for t in range(4):
        np.testing.assert_array_equal(_numpy_ops.outer(a, b)[:, t], _numpy_ops.outer(a[:, t], b[:, t]))
        np.testing.assert_allclose(_numpy_ops.matvec(Ms, v)[:, t], _numpy_ops.matvec(Ms[:, t], v[:, t]), rtol=1e-15)
        np.testing.assert_allclose(_numpy_ops.dot(a, b)[:, t], _numpy_ops.dot(a[:, t], b[:, t]), rtol=1e-15)


@pytest.mark.parametrize(
    "member, args",
    [
        ("outer_matrix", (A, B)),
        ("outer_matrix", (np.ones(9), A[:1])),  # a column block (∂C'/∂m)
        ("identity_kron_row", (V,)),
        ("zeros_like", (A, np.ones(9))),
    ],
)
def test_lazy_blocks_apply_as_the_numpy_matrices(member, args):
    expected = getattr(_numpy_ops, member)(*args)
    op = getattr(LAZY_OPS, member)(*[a[:, None] for a in args])  # a chunk of one time step
    for transpose in (False, True):
        dense = op.apply(np.eye(expected.shape[1 - transpose]), 0, transpose)
        np.testing.assert_allclose(dense, expected.T if transpose else expected, rtol=1e-15, atol=0)


def _values(expr, arrays):
    """expr at n = 3 (its sums written out) with the entries of the named arrays substituted."""
    expr = sp.sympify(expr).subs(n, 3).doit()
    for name, array in arrays.items():
        base = sp.IndexedBase(name)
        expr = expr.subs({base[idx if len(idx) > 1 else idx[0]]: float(array[idx]) for idx in np.ndindex(array.shape)})
    return float(expr)


def test_sympy_members_agree_with_numpy_entry_by_entry():
    ops, space = SympyOps(), Flat(n)
    a, b, v = vector("a", space), vector("b", space), vector("v", space)
    C = vector("C", Grid(space))
    arrays = {"a": A, "b": B, "v": V, "C": M}
    i2, j2 = second(i), second(j)
    for r in range(3):
        assert _values(ops.matvec(C, v)[r], arrays) == pytest.approx((M @ V)[r], rel=1e-15)
        for c in range(3):
            assert _values(ops.outer(a, b)[(r, c)], arrays) == pytest.approx(A[r] * B[c], rel=1e-15)
            assert _values(ops.outer_matrix(a, b)[r, c], arrays) == pytest.approx(A[r] * B[c], rel=1e-15)
            for c2 in range(3):
                entry = ops.identity_kron_row(v)[i, (j, j2)].subs({i: r, j: c, j2: c2})
                assert _values(entry, arrays) == _numpy_ops.identity_kron_row(V)[r, 3 * c + c2]
    assert _values(ops.dot(a, b)[0], arrays) == pytest.approx(A @ B, rel=1e-15)
    assert ops.size(C)[0] == n**2 and ops.size(a)[0] == n
    # A scalar (space One) meets a vector of any space componentwise, and takes that space.
    s = vector("s", One())
    assert isinstance((s * C).space, Grid) and (s * C)[(i, i2)] == sp.IndexedBase("s")[0] * sp.IndexedBase("C")[i, i2]
