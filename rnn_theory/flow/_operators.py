"""Lazy linear operators for step Jacobians: the ``ops`` backend that ``_batched`` runs the
cells' ``jacobian_blocks`` through.

Nothing is multiplied out: ``diag(v)`` keeps the (n, C) coefficients of C time steps,
``diag_matmul(v, M)`` makes a product node, ``+`` a sum node. ``apply(X, j, transpose)`` then
applies step j's operator (or its transpose) to a block of vectors X (n, r), one GEMM per weight
matrix, and ``apply_sum`` merges terms that share a weight matrix into one GEMM.
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops


class _Op:
    __array_ufunc__ = None  # so that ``ndarray @ op`` and ``ndarray + op`` defer to the methods below

    def __add__(self, other):
        return _Sum(self, as_op(other))

    __radd__ = __add__

    def __rmatmul__(self, other):
        return _Product(as_op(other), self)

    def __matmul__(self, other):
        return _Product(self, as_op(other))


class _Dense(_Op):
    def __init__(self, M):
        self.M = M

    def apply(self, X, j, transpose):
        return (self.M.T if transpose else self.M) @ X

    def diagonal(self, j):
        return np.diagonal(self.M)


class _Diag(_Op):
    def __init__(self, v):
        self.v = v  # (n, C): the diagonal of step j is v[:, j]

    def apply(self, X, j, transpose):
        return self.v[:, j, None] * X

    def diagonal(self, j):
        return self.v[:, j]


class _Identity(_Op):
    def __init__(self, n):
        self.n = n

    def apply(self, X, j, transpose):
        return X

    def diagonal(self, j):
        return np.ones(self.n)


class _Sum(_Op):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        return self.a.apply(X, j, transpose) + self.b.apply(X, j, transpose)

    def diagonal(self, j):
        return self.a.diagonal(j) + self.b.diagonal(j)


class _Product(_Op):
    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        if transpose:  # (AB)ᵀX = Bᵀ(AᵀX)
            return self.b.apply(self.a.apply(X, j, True), j, True)
        return self.a.apply(self.b.apply(X, j, False), j, False)

    def diagonal(self, j):  # only diagonal factors occur on the carousel path
        if isinstance(self.a, _Diag) and isinstance(self.b, _Diag):
            return self.a.v[:, j] * self.b.v[:, j]
        raise NotImplementedError("diagonal of a general product")


def apply_sum(terms, j, transpose, parts):
    """Σ op·X (or opᵀ·X) over terms (op, X, target part), with one GEMM per distinct weight matrix.

    Products are split as (AB)ᵀX = Bᵀ(AᵀX) and (AB)X = A(BX): the inner factor is applied at once,
    the outer one collects every vector headed for it first. So the LSTM's Jᵀ, whose blocks reuse
    ∂c'/∂h and the W_* several times, costs one product per W_* instead of one per occurrence.
    Any order of collection is correct; collecting before applying only saves work.
    """
    out = [0.0] * parts
    groups = {}  # outer factor -> [op, Σ X, target]

    def collect(op, X, target):
        key = (id(op.M) if isinstance(op, _Dense) else id(op), target)
        if key in groups:
            groups[key][1] = groups[key][1] + X
        else:
            groups[key] = [op, X, target]

    queue = list(terms)
    while queue or groups:
        while queue:
            op, X, target = queue.pop()
            if isinstance(op, _Sum):
                queue += [(op.a, X, target), (op.b, X, target)]
            elif isinstance(op, _Product):
                inner, outer = (op.a, op.b) if transpose else (op.b, op.a)
                collect(outer, inner.apply(X, j, transpose), target)
            elif isinstance(op, _Dense):
                collect(op, X, target)
            else:
                out[target] = out[target] + op.apply(X, j, transpose)
        structured = [key for key, (op, _, _) in groups.items() if not isinstance(op, _Dense)]
        if structured:
            queue.append(tuple(groups.pop(structured[-1])))
        else:
            for target in range(parts):
                dense = [(op.M, X) for op, X, t in groups.values() if t == target]
                if dense:
                    out[target] = out[target] + _stacked_product(dense, transpose)
            groups = {}
    return out


_STACKS = {}  # weight matrices side by side, for one GEMM over several of them


def _stacked_product(pairs, transpose):
    """Σ Mᵀ X (or Σ M X) over (M, X) pairs as one GEMM: [M_1; M_2; ...]ᵀ [X_1; X_2; ...]."""
    if len(pairs) == 1:
        M, X = pairs[0]
        return (M.T if transpose else M) @ X
    key = (transpose,) + tuple(id(M) for M, _ in pairs)
    if key not in _STACKS or any(a is not b for a, b in zip(_STACKS[key][1], (M for M, _ in pairs))):
        mats = [M for M, _ in pairs]
        _STACKS.clear()  # one cell at a time: keep the cache (and the arrays it pins) small
        _STACKS[key] = (np.vstack(mats).T if transpose else np.hstack(mats), mats)
    return _STACKS[key][0] @ np.vstack([X for _, X in pairs])


def dense_leaves(op):
    """The weight matrices in an operator tree, with repetitions."""
    if isinstance(op, (_Sum, _Product)):
        return dense_leaves(op.a) + dense_leaves(op.b)
    return [op.M] if isinstance(op, _Dense) else []


def as_op(M):
    return M if isinstance(M, _Op) else _Dense(np.asarray(M))


OPS = SimpleNamespace(
    sigmoid=_numpy_ops.sigmoid, dsigmoid=_numpy_ops.dsigmoid, tanh=_numpy_ops.tanh, dtanh=_numpy_ops.dtanh,
    relu=_numpy_ops.relu, drelu=_numpy_ops.drelu,
    diag=_Diag,
    diag_matmul=lambda v, M: _Product(_Diag(v), as_op(M)),
    matmul_diag=lambda M, v: _Product(as_op(M), _Diag(v)),
    identity_like=lambda v: _Identity(v.shape[0]),
    rotation_blocks=lambda r, theta: _Dense(_numpy_ops.rotation_blocks(r, theta)),
)
