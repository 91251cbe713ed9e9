"""The operator tree: step Jacobians as lazy linear operators over a chunk of C time steps, the
``ops`` backend (``OPS``) that ``_batched`` runs the cells' ``jacobian_blocks`` through.

Nothing is multiplied out: ``diag(v)`` keeps the (n, C) coefficients of C time steps,
``diag_matmul(v, M)`` makes a product node, ``+`` a sum node. ``node.apply(X, j, transpose)`` applies
step j's operator (or its transpose) to a block of vectors X (n, r). How a whole block matrix of
such trees is applied: ``_gemm.apply_sum`` (any tree) and ``_plan`` (trees of the form Σ diag·W).
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops


class Op:
    __array_ufunc__ = None  # so that ``ndarray @ op`` and ``ndarray + op`` defer to the methods below

    def __add__(self, other):
        return Sum(self, as_op(other))

    __radd__ = __add__

    def __rmatmul__(self, other):
        return Product(as_op(other), self)

    def __matmul__(self, other):
        return Product(self, as_op(other))


class Dense(Op):
    def __init__(self, M):
        self.M = M

    def apply(self, X, j, transpose):
        return (self.M.T if transpose else self.M) @ X

    def diagonal(self, j):
        return np.diagonal(self.M)


class Diag(Op):
    def __init__(self, v):
        self.v = v  # (n, C): the diagonal of step j is v[:, j]

    def apply(self, X, j, transpose):
        return self.v[:, j, None] * X

    def diagonal(self, j):
        return self.v[:, j]


class Identity(Op):
    def __init__(self, n):
        self.n = n

    def apply(self, X, j, transpose):
        return X

    def diagonal(self, j):
        return np.ones(self.n)


class Zero(Op):
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols

    def apply(self, X, j, transpose):
        return np.zeros((self.cols if transpose else self.rows, X.shape[1]))


class Outer(Op):
    """a bᵀ per step: a (p, C), b (q, C); a rank-one block, or a column block where q = 1."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        a, b = (self.b, self.a) if transpose else (self.a, self.b)
        return a[:, j, None] * (b[:, j] @ X)[None, :]


class IdentityKronRow(Op):
    """I ⊗ vᵀ per step, (n, n²) for v (n, C): X (n², r) -> Σ_l X[(i, l)] v_l; its transpose spreads."""

    def __init__(self, v):
        self.v = v

    def apply(self, X, j, transpose):
        v, n = self.v[:, j], self.v.shape[0]
        if transpose:
            return (X[:, None, :] * v[None, :, None]).reshape(n * n, X.shape[1])
        return np.einsum("ilr,l->ir", X.reshape(n, n, X.shape[1]), v)


class Sum(Op):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        return self.a.apply(X, j, transpose) + self.b.apply(X, j, transpose)

    def diagonal(self, j):
        return self.a.diagonal(j) + self.b.diagonal(j)


class Product(Op):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        if transpose:  # (AB)ᵀX = Bᵀ(AᵀX)
            return self.b.apply(self.a.apply(X, j, True), j, True)
        return self.a.apply(self.b.apply(X, j, False), j, False)

    def diagonal(self, j):  # only diagonal factors occur on the carousel path
        if isinstance(self.a, Diag) and isinstance(self.b, Diag):
            return self.a.v[:, j] * self.b.v[:, j]
        raise NotImplementedError("diagonal of a general product")


def dense_leaves(op):
    """The weight matrices in an operator tree, with repetitions."""
    if isinstance(op, (Sum, Product)):
        return dense_leaves(op.a) + dense_leaves(op.b)
    return [op.M] if isinstance(op, Dense) else []


def as_op(M):
    return M if isinstance(M, Op) else Dense(np.asarray(M))


OPS = SimpleNamespace(
    sigmoid=_numpy_ops.sigmoid,
    dsigmoid=_numpy_ops.dsigmoid,
    tanh=_numpy_ops.tanh,
    dtanh=_numpy_ops.dtanh,
    relu=_numpy_ops.relu,
    drelu=_numpy_ops.drelu,
    hard_sigmoid_keras2=_numpy_ops.hard_sigmoid_keras2,
    dhard_sigmoid_keras2=_numpy_ops.dhard_sigmoid_keras2,
    hard_sigmoid_keras3=_numpy_ops.hard_sigmoid_keras3,
    dhard_sigmoid_keras3=_numpy_ops.dhard_sigmoid_keras3,
    exp=_numpy_ops.exp,
    softplus=_numpy_ops.softplus,
    sqrt=_numpy_ops.sqrt,
    diag=Diag,
    diag_matmul=lambda v, M: Product(Diag(v), as_op(M)),
    matmul_diag=lambda M, v: Product(as_op(M), Diag(v)),
    identity_like=lambda v: Identity(v.shape[0]),
    zeros_like=lambda v, w=None: Diag(np.zeros_like(v)) if w is None else Zero(v.shape[0], w.shape[0]),
    size=_numpy_ops.size,
    outer=_numpy_ops.outer,
    matvec=_numpy_ops.matvec,
    dot=_numpy_ops.dot,
    outer_matrix=Outer,
    identity_kron_row=IdentityKronRow,
    rotation_blocks=lambda r, theta: Dense(_numpy_ops.rotation_blocks(r, theta)),
)
