"""Lazy linear operators for step Jacobians: the ``ops`` backend that ``_batched`` runs the
cells' ``jacobian_blocks`` through.

Nothing is multiplied out: ``diag(v)`` keeps the (n, C) coefficients of C time steps,
``diag_matmul(v, M)`` makes a product node, ``+`` a sum node. ``apply(X, j, transpose)`` then
applies step j's operator (or its transpose) to a block of vectors X (n, r), one GEMM per weight
matrix, and ``apply_sum`` merges terms that share a weight matrix into one GEMM. For blocks that
are all Σ diag·W, ``FlatTranspose`` and ``FlatForward`` apply Jᵀ and J from coefficient arrays of
the whole chunk instead, and ``SlicedProduct`` runs their few-column GEMMs in cache-sized blocks.
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


class _Zero(_Op):
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols

    def apply(self, X, j, transpose):
        return np.zeros((self.cols if transpose else self.rows, X.shape[1]))


class _Outer(_Op):
    """a bᵀ per step: a (p, C), b (q, C); a rank-one block, or a column block where q = 1."""

    def __init__(self, a, b):
        self.a, self.b = a, b

    def apply(self, X, j, transpose):
        a, b = (self.b, self.a) if transpose else (self.a, self.b)
        return a[:, j, None] * (b[:, j] @ X)[None, :]


class _IdentityKronRow(_Op):
    """I ⊗ vᵀ per step, (n, n²) for v (n, C): X (n², r) -> Σ_l X[(i, l)] v_l; its transpose spreads."""

    def __init__(self, v):
        self.v = v

    def apply(self, X, j, transpose):
        v, n = self.v[:, j], self.v.shape[0]
        if transpose:
            return (X[:, None, :] * v[None, :, None]).reshape(n * n, X.shape[1])
        return np.einsum("ilr,l->ir", X.reshape(n, n, X.shape[1]), v)


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


_STACKS = {}  # key -> (weight matrices side by side, the matrices): every chunk of a run shares them


def _side_by_side(mats, transpose, stack=np.hstack):
    """[M_1ᵀ M_2ᵀ ...] (or [M_1 M_2 ...]; [M_1; M_2; ...] with ``stack=np.vstack``) as one
    C-contiguous array, cached while the same matrices come back."""
    key = (transpose, stack is np.vstack) + tuple(id(M) for M in mats)
    if key not in _STACKS or any(a is not b for a, b in zip(_STACKS[key][1], mats)):
        if len(_STACKS) >= 8:  # a few cells at a time: keep the cache (and the arrays it pins) small
            _STACKS.clear()
        _STACKS[key] = (np.ascontiguousarray(stack([M.T if transpose else M for M in mats])), mats)
    return _STACKS[key][0]


def _stacked_product(pairs, transpose):
    """Σ Mᵀ X (or Σ M X) over (M, X) pairs as one GEMM: [M_1; M_2; ...]ᵀ [X_1; X_2; ...]."""
    if len(pairs) == 1:
        M, X = pairs[0]
        return (M.T if transpose else M) @ X
    return _side_by_side([M for M, _ in pairs], transpose) @ np.vstack([X for _, X in pairs])


class _NotFlat(Exception):
    pass


def _flat_terms(op, n, C):
    """op as a list of (factors, M): Σ diag(∏ factors)·M, M None for a pure diagonal; factors is a
    tuple of the ``_Diag`` nodes themselves, so that shared diagonals are found by identity.
    Raises _NotFlat for anything else (a weight matrix followed by another factor)."""
    if isinstance(op, _Diag):
        return [((op,), None)]
    if isinstance(op, _Identity):
        return [((), None)]
    if isinstance(op, _Dense):
        if op.M.shape != (n, n) or op.M.dtype != np.float64:
            raise _NotFlat
        return [((), op.M)]
    if isinstance(op, _Sum):
        return _flat_terms(op.a, n, C) + _flat_terms(op.b, n, C)
    if isinstance(op, _Product):
        out = []
        for fa, Ma in _flat_terms(op.a, n, C):
            if Ma is not None:
                raise _NotFlat
            out += [(fa + fb, Mb) for fb, Mb in _flat_terms(op.b, n, C)]
        return out
    raise _NotFlat


def _product(factors, n, C):
    """∏ of the factors' diagonals as a (C, n, 1) array (steps first, step j's diagonal a column),
    or None for the empty product."""
    if not factors:
        return None
    out = np.broadcast_to(factors[0].v, (n, C))
    for f in factors[1:]:
        out = out * f.v
    return np.ascontiguousarray(np.broadcast_to(out, (n, C)).T)[:, :, None]


class FlatTranspose:
    """Jᵀ of steps whose blocks are all Σ diag·W (+ diagonals), with the coefficients of a whole
    chunk in arrays. For an output part b, (Jᵀ X)_b = Σ_g W_gᵀ Z_g + (diagonal terms), with
    Z_g = Σ_a L_{g,a} ⊙ X_a. A coefficient L_{g,a} = γ_g ⊙ s_a whose factors s_a (found by identity
    in the operator tree) are shared by several sinks is applied as Z_g = γ_g ⊙ Y, Y = Σ_a s_a ⊙ X_a,
    Y computed once per step: the LSTM's ∂c'/∂h, which reaches h' through diag(o⊙tanh'(c')), thus
    costs one combination of X_h and X_c instead of one per gate. All W_gᵀ of a part are one GEMM
    (in blocks, ``SlicedProduct``).
    """

    def __init__(self, blocks, n, C):
        k = len(blocks)
        self.n, self.rows = n, [slice(a * n, (a + 1) * n) for a in range(k)]
        self._width, self._layout = None, None  # see ``_lay_out``
        self._alive = [blocks]  # the nodes whose ids are keys below stay alive with the plan
        self._index = {}  # combination key -> its position in ``combos``
        self.combos = []  # [(a, s_a (C, n, 1) or None)] per combination Y = Σ_a s_a ⊙ X_a
        self.parts = []  # per output part: (its rows, Wᵀ side by side, a sink per W, diagonal sink or None)
        for b in range(k):
            dense, diag = {}, {}  # id(M) -> [M, {a: [factors]}], a -> [factors]
            for a in range(k):
                for factors, M in _flat_terms(blocks[a][b], n, C):  # block (a, b) of J: rows a, cols b
                    sink = diag if M is None else dense.setdefault(id(M), [M, {}])[1]
                    sink.setdefault(a, []).append(factors)
            sinks = [self._sink(terms, n, C) for _, terms in dense.values()]
            Wt = _side_by_side([M for M, _ in dense.values()], True) if dense else None
            self.parts.append((self.rows[b], Wt, sinks, self._sink(diag, n, C) if diag else None))

    def _sink(self, terms, n, C):
        """(combination, γ (C, n, 1) or None) for a sink with terms {a: [factors, ...]}."""
        if all(len(fs) == 1 for fs in terms.values()):
            tuples = {a: fs[0] for a, fs in terms.items()}
            # the same diagonal may sit in several nodes: compare the coefficient arrays themselves
            common = [
                f for f in next(iter(tuples.values())) if all(any(f.v is g.v for g in t) for t in tuples.values())
            ]
            rest = {a: tuple(f for f in t if not any(f.v is c.v for c in common)) for a, t in tuples.items()}
        else:  # sums of terms: no factoring, the summed coefficient (C, n, 1) is the part's own
            common, rest = [], {}
            for a, fs in terms.items():
                total = sum((_product(f, n, C) if f else np.ones((C, n, 1))) for f in fs)
                self._alive.append(total)  # its id is part of a key
                rest[a] = total
        key = tuple(
            (a, id(rest[a]) if isinstance(rest[a], np.ndarray) else tuple(id(f.v) for f in rest[a]))
            for a in sorted(rest)
        )
        if key not in self._index:
            self._index[key] = len(self.combos)
            self.combos.append(
                [(a, rest[a] if isinstance(rest[a], np.ndarray) else _product(rest[a], n, C)) for a in sorted(rest)]
            )
        return self._index[key], _product(tuple(common), n, C)

    def apply(self, X, j):
        r = X.shape[1]
        if r != self._width:
            self._lay_out(r)
        Xs = [X[rows] for rows in self.rows]
        Ys = [_combine(terms, Xs, j) for terms in self.combos]
        out = np.empty((len(Xs) * self.n, r))
        for (rows, _, _, diag), layout in zip(self.parts, self._layout):
            ob = out[rows]
            if layout is not None:
                fills, product, Zr = layout
                for combo, gamma, Z in fills:
                    if gamma is None:
                        Z[...] = Ys[combo]
                    else:
                        np.multiply(gamma[j], Ys[combo], out=Z)
                product(Zr, ob)
                if diag is not None:
                    combo, gamma = diag
                    ob += Ys[combo] if gamma is None else gamma[j] * Ys[combo]
            elif diag is not None:
                combo, gamma = diag
                if gamma is None:
                    ob[...] = Ys[combo]
                else:
                    np.multiply(gamma[j], Ys[combo], out=ob)
            else:
                ob[...] = 0.0
        return out

    def _lay_out(self, r):
        """For blocks of r columns, per part with weights: where each sink writes its Z_g in a
        scratch Z, and the GEMM's blocks (``SlicedProduct``). Kept while the width stays r (the probe's
        always does, the exact method's changes now and then)."""
        scratch = np.empty(max((Wt.shape[1] for _, Wt, _, _ in self.parts if Wt is not None), default=0) * r)
        self._width, self._layout = r, []
        for _, Wt, sinks, _ in self.parts:  # parts run one after another: they share the scratch
            if Wt is None:
                self._layout.append(None)
                continue
            Z = scratch[: Wt.shape[1] * r].reshape(-1, self.n, r)
            fills = [(combo, gamma, Z[g]) for g, (combo, gamma) in enumerate(sinks)]
            self._layout.append((fills, SlicedProduct(Wt, r), Z.reshape(-1, r)))


class FlatForward:
    """J of steps whose blocks are all Σ diag·W (+ diagonals), with the coefficients of a whole
    chunk in arrays. For an input part b, R_b = [W_1; W_2; ...] X_b over the distinct weight
    matrices acting on b is one GEMM (in blocks, ``SlicedProduct``); then output part a is
    (J X)_a = Σ_{b,g} L_{a,b,g} ⊙ (W_g X_b) + Σ_b D_{a,b} ⊙ X_b. The LSTM's J thus costs one
    2048×512 product at n = 512 instead of one product per occurrence of a W_* (seven).
    """

    def __init__(self, blocks, n, C):
        k = len(blocks)
        self.n, self.rows = n, [slice(a * n, (a + 1) * n) for a in range(k)]
        self._alive = [blocks]  # ``_side_by_side`` caches by the ids of the weight matrices
        self.stacks, self._width = [], None  # per input part: [W_1; W_2; ...] or None; see ``apply``
        self.terms = [[] for _ in range(k)]  # per output part: [(b, g or None for X_b itself, L (C, n, 1) or None)]
        for b in range(k):
            mats = {}  # id(M) -> (g, M)
            for a in range(k):
                coefficients = {}  # g -> Σ of the terms' coefficients
                for factors, M in _flat_terms(blocks[a][b], n, C):  # block (a, b) of J: rows a, cols b
                    g = None if M is None else mats.setdefault(id(M), (len(mats), M))[0]
                    L = _product(factors, n, C)
                    if g in coefficients:
                        coefficients[g] = _or_ones(coefficients[g], n, C) + _or_ones(L, n, C)
                    else:
                        coefficients[g] = L
                self.terms[a] += [(b, g, L) for g, L in coefficients.items()]
            self.stacks.append(_side_by_side([M for _, M in mats.values()], False, np.vstack) if mats else None)

    def apply(self, X, j):
        r = X.shape[1]
        if r != self._width:
            self._width = r
            self._products = [None if V is None else SlicedProduct(V, r) for V in self.stacks]
        Xs = [X[rows] for rows in self.rows]
        Rs = [
            None if product is None else product(Xb, np.empty((V.shape[0], r))).reshape(-1, self.n, r)
            for product, V, Xb in zip(self._products, self.stacks, Xs)
        ]
        out = np.zeros((len(Xs) * self.n, r))
        for ob, terms in zip((out[rows] for rows in self.rows), self.terms):
            for b, g, L in terms:
                term = Xs[b] if g is None else Rs[b][g]
                ob += term if L is None else L[j] * term
        return out


def _or_ones(L, n, C):
    """A coefficient (C, n, 1), ones for None (the empty product)."""
    return np.ones((C, n, 1)) if L is None else L


# OpenBLAS (0.3.31, SkylakeX kernels, as numpy's wheels use here) multiplies a product with
# M·N·K ≤ 100³ by a kernel that skips packing; above that size the packed path costs 1.5–2.6× more
# per flop when N is small (one thread: 128×K by K×16, 30 µs at K = 488, 45 µs at K = 496). So a
# product A (m, K) @ B (K, r) with few columns is summed from blocks under the limit: rows of A in
# _ROW_BLOCK, K in equal slices. Measured (AMD EPYC, one thread, plain vs blocks; best of 5): A =
# 512×2048 (the LSTM's Jᵀ at n = 512) r = 5: 0.92 vs 0.34 ms, r = 16: 1.32 vs 0.68, r = 24: 1.71 vs
# 1.16, r = 40: 2.78 vs 1.81, r = 96: 5.4 vs 4.8; 2048×512 (its J) r = 5: 1.23 vs 0.40, r = 16: 1.56
# vs 0.83; 128×512 by 512×16 (the LSTM's Jᵀ at n = 128): 31–33 instead of 48–52 µs. The gain
# shrinks as r grows and each block costs a call and the addition of an (m, r) block, so a product
# needing more than _MAX_BLOCKS blocks runs whole. With two BLAS threads the blocks run on one, for
# about the same wall time as the whole product on two (LSTM, n = 128: 27 vs 28 µs).
_SMALL_GEMM, _ROW_BLOCK, _MAX_BLOCKS = 100**3, 128, 128


class SlicedProduct:
    """out = A @ B for a fixed A (m, K) and any B (K, r) of r columns, summed from blocks that
    OpenBLAS multiplies without packing (see above) where that takes at most _MAX_BLOCKS.

    >>> A, B = np.arange(12.0).reshape(3, 4), np.ones((4, 2))
    >>> SlicedProduct(A, 2)(B, np.empty((3, 2))).tolist()
    [[6.0, 6.0], [22.0, 22.0], [38.0, 38.0]]
    """

    def __init__(self, A, r):
        (m, K), rows = A.shape, min(A.shape[0], _ROW_BLOCK)
        depth = max(_SMALL_GEMM // (rows * r), 1)  # the deepest K-slice under the limit
        slices, blocks = -(-K // depth), -(-m // rows)
        if m * K * r <= _SMALL_GEMM or slices * blocks > _MAX_BLOCKS:
            rows, slices = m, 1
        step = -(-K // slices)
        ks = [slice(a, a + step) for a in range(0, K, step)]
        self.blocks = [(slice(a, a + rows), [(A[a : a + rows, k], k) for k in ks]) for a in range(0, m, rows)]

    def __call__(self, B, out):
        for rows, pieces in self.blocks:
            block = out[rows]
            (A, k), *rest = pieces
            np.matmul(A, B[k], out=block)
            for A, k in rest:
                block += A @ B[k]
        return out


def _combine(terms, Xs, j):
    """Y = Σ_a s_a[j] ⊙ X_a over the terms (a, s_a or None) of a combination (a view if only X_a)."""
    Y = None
    for a, s in terms:
        term = Xs[a] if s is None else s[j] * Xs[a]
        Y = term if Y is None else Y + term
    return Y


def flat_plan(plan, blocks, n, C):
    """A ``FlatTranspose`` or ``FlatForward`` (``plan``) for these blocks, or None if some block is
    not of the form Σ diag·W."""
    try:
        return plan(blocks, n, C)
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
    diag=_Diag,
    diag_matmul=lambda v, M: _Product(_Diag(v), as_op(M)),
    matmul_diag=lambda M, v: _Product(as_op(M), _Diag(v)),
    identity_like=lambda v: _Identity(v.shape[0]),
    zeros_like=lambda v, w=None: _Diag(np.zeros_like(v)) if w is None else _Zero(v.shape[0], w.shape[0]),
    size=_numpy_ops.size,
    outer=_numpy_ops.outer,
    matvec=_numpy_ops.matvec,
    dot=_numpy_ops.dot,
    outer_matrix=_Outer,
    identity_kron_row=_IdentityKronRow,
    rotation_blocks=lambda r, theta: _Dense(_numpy_ops.rotation_blocks(r, theta)),
)
