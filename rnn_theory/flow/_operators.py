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


class _NotFlat(Exception):
    pass


def _flat_terms(op, n, C):
    """op as a list of (L, M): Σ diag(L)·M, with M None for a pure diagonal and L None for I.
    Raises _NotFlat for anything else (a weight matrix followed by another factor)."""
    if isinstance(op, _Diag):
        return [(np.broadcast_to(op.v, (n, C)), None)]
    if isinstance(op, _Identity):
        return [(np.ones((n, C)), None)]
    if isinstance(op, _Dense):
        if op.M.shape != (n, n) or op.M.dtype != np.float64:
            raise _NotFlat
        return [(None, op.M)]
    if isinstance(op, _Sum):
        return _flat_terms(op.a, n, C) + _flat_terms(op.b, n, C)
    if isinstance(op, _Product):
        out = []
        for La, Ma in _flat_terms(op.a, n, C):
            if Ma is not None:
                raise _NotFlat
            for Lb, Mb in _flat_terms(op.b, n, C):
                out.append((La if Lb is None else La * Lb, Mb))
        return out
    raise _NotFlat


class FlatTranspose:
    """Jᵀ of steps whose blocks are all Σ diag(L)·W (+ diagonals), with the coefficients of a whole
    chunk in arrays: for each output part b, (Jᵀ X)_b = [W_1ᵀ ... W_Gᵀ]·[Z_1; ...; Z_G] with
    Z_g = Σ_a L_{g,a} ⊙ X_a (one GEMM), plus Σ_a D_{b,a} ⊙ X_a. Terms that share (W, a, b) have their
    diagonals added once per chunk; the per-step work is a handful of array operations."""

    def __init__(self, blocks, n, C):
        k = len(blocks)
        self.n, self.k = n, k
        self._buffer = np.empty(0)
        self.parts = []  # per output part b: (Wt, in_parts, coef (C, A, G, n)) or None, (diag_parts, dcoef (C, A', n))
        for b in range(k):
            dense, diag = {}, {}  # id(M) -> [M, {a: L}], a -> L
            for a in range(k):
                for L, M in _flat_terms(blocks[a][b], n, C):  # block (a, b) of J: rows a, columns b
                    L = np.ones((n, C)) if L is None else L
                    if M is None:
                        diag[a] = diag[a] + L if a in diag else L
                    else:
                        coefs = dense.setdefault(id(M), [M, {}])[1]
                        coefs[a] = coefs[a] + L if a in coefs else L
            gemm = None
            if dense:
                mats = [M for M, _ in dense.values()]
                ins = sorted({a for _, coefs in dense.values() for a in coefs})
                coef = np.zeros((C, len(ins), len(mats), n))
                for g, (_, coefs) in enumerate(dense.values()):
                    for i, a in enumerate(ins):
                        if a in coefs:
                            coef[:, i, g, :] = coefs[a].T
                gemm = (np.ascontiguousarray(np.hstack([M.T for M in mats])), ins, coef, len(mats))
            dins = sorted(diag)
            dcoef = np.stack([diag[a].T for a in dins], axis=1) if dins else None  # (C, A', n)
            self.parts.append((gemm, dins, dcoef))

    def apply(self, X, j):
        n, r = self.n, X.shape[1]
        out = np.empty((self.k * n, r))
        for b, (gemm, dins, dcoef) in enumerate(self.parts):
            ob = out[b * n:(b + 1) * n]
            if gemm is not None:
                Wt, ins, coef, G = gemm
                c = coef[j]
                # Scratch space reused across steps: fresh temporaries of this size cost more
                # (page faults of large allocations) than the arithmetic.
                Z, tmp = self._scratch(2 * G * n * r)
                Z, tmp = Z.reshape(G, n, r), tmp.reshape(G, n, r)
                np.multiply(c[0, :, :, None], X[ins[0] * n:(ins[0] + 1) * n], out=Z)
                for i in range(1, len(ins)):
                    np.multiply(c[i, :, :, None], X[ins[i] * n:(ins[i] + 1) * n], out=tmp)
                    Z += tmp
                np.matmul(Wt, Z.reshape(G * n, r), out=ob)
                for i, a in enumerate(dins):
                    ob += dcoef[j, i, :, None] * X[a * n:(a + 1) * n]
            elif dins:
                np.multiply(dcoef[j, 0, :, None], X[dins[0] * n:(dins[0] + 1) * n], out=ob)
                for i in range(1, len(dins)):
                    ob += dcoef[j, i, :, None] * X[dins[i] * n:(dins[i] + 1) * n]
            else:
                ob[...] = 0.0
        return out

    def _scratch(self, size):
        if self._buffer.size < size:
            self._buffer = np.empty(size)
        half = size // 2
        return self._buffer[:half], self._buffer[half:size]


def flat_transpose_plan(blocks, n, C):
    """A ``FlatTranspose`` for these blocks, or None if some block is not of the form Σ diag·W."""
    try:
        return FlatTranspose(blocks, n, C)
    except _NotFlat:
        return None


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
