"""Step Jacobians J_t as lazy operators, built for many steps at once from the cells' own
``jacobian_blocks`` (equations once), applied to blocks of vectors without forming J_t.

A chunk of C time steps runs through ``jacobian_blocks`` as *columns*: every state part and input
is an (n, C) array and every bias-like parameter (n,) an (n, 1) column, so ``W @ h + U @ x + b``
broadcasts unchanged. The ``ops`` backend below does not build matrices: ``diag(v)`` keeps the
(n, C) coefficients, ``diag_matmul(v, M)`` a product node, ``+`` a sum node. Applying step j of
the chunk to X (n, r) then costs one GEMM per weight matrix in the block (O(r·n²)), and forming
the d×d Jacobian (O(d²) memory traffic per step, the bottleneck of a dense approach) never happens.
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops


class _Op:
    __array_ufunc__ = None  # so that ``ndarray @ op`` and ``ndarray + op`` defer to the methods below

    def __add__(self, other):
        return _Sum(self, _as_op(other))

    __radd__ = __add__

    def __rmatmul__(self, other):
        return _Product(_as_op(other), self)

    def __matmul__(self, other):
        return _Product(self, _as_op(other))


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


def _apply_sum(terms, j, transpose, parts):
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


def _dense_leaves(op):
    """The weight matrices in an operator tree, with repetitions."""
    if isinstance(op, (_Sum, _Product)):
        return _dense_leaves(op.a) + _dense_leaves(op.b)
    return [op.M] if isinstance(op, _Dense) else []


def _as_op(M):
    return M if isinstance(M, _Op) else _Dense(np.asarray(M))


_OPS = SimpleNamespace(
    sigmoid=_numpy_ops.sigmoid, dsigmoid=_numpy_ops.dsigmoid, tanh=_numpy_ops.tanh, dtanh=_numpy_ops.dtanh,
    relu=_numpy_ops.relu, drelu=_numpy_ops.drelu,
    diag=_Diag,
    diag_matmul=lambda v, M: _Product(_Diag(v), _as_op(M)),
    matmul_diag=lambda M, v: _Product(_as_op(M), _Diag(v)),
    identity_like=lambda v: _Identity(v.shape[0]),
    rotation_blocks=lambda r, theta: _Dense(_numpy_ops.rotation_blocks(r, theta)),
)


class StepJacobians:
    """J_t for the steps t = start+1 .. start+C of a run, as block operators.

    ``apply(X, j)`` = J_{start+j+1} X, ``apply_t(X, j)`` = J_{start+j+1}ᵀ X for X (d, r);
    ``carousel(j)`` = the diagonal of ∂c'/∂c (LSTM family).

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["gru_rb"].random(hidden_size=3, input_size=2, rng=0)
    >>> xs, S = np.ones((4, 2)), np.linspace(-1, 1, 12).reshape(4, 3)
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> Js = StepJacobians(cell, xs, S)
    >>> bool(np.allclose(Js.apply_t(X, 2), cell.jacobian(xs[2], S[2]).T @ X, rtol=1e-13, atol=1e-14))
    True
    """

    def __init__(self, cell, xs, states, params=None):
        p = column_params(cell) if params is None else params
        n = cell.hidden_size
        parts = [states[:, k * n:(k + 1) * n].T for k in range(len(cell.state_parts))]
        self.n = n
        self.blocks = [[_as_op(b) for b in row] for row in cell.jacobian_blocks(p, xs.T, *parts, ops=_OPS)]
        # A single block with no weight matrix twice (rnn, gru, min*, lru): the plain recursion is
        # already one GEMM per weight, without the bookkeeping of ``_apply_sum``.
        leaves = [id(M) for M in _dense_leaves(self.blocks[0][0])]
        self.direct = len(self.blocks) == 1 and len(leaves) == len(set(leaves))

    def apply(self, X, j):
        return self._apply(X, j, False)

    def apply_t(self, X, j):
        return self._apply(X, j, True)

    def _apply(self, X, j, transpose):
        if self.direct:
            return self.blocks[0][0].apply(X, j, transpose)
        n, k = self.n, len(self.blocks)
        # Rows of J are outputs: (J X)_a = Σ_b B_ab X_b and (Jᵀ X)_b = Σ_a B_abᵀ X_a.
        terms = [
            (self.blocks[a][b], X[(a if transpose else b) * n:][:n], b if transpose else a)
            for a in range(k) for b in range(k)
        ]
        out = [part if isinstance(part, np.ndarray) else np.zeros((n, X.shape[1]))  # no term: 0
               for part in _apply_sum(terms, j, transpose, k)]
        return out[0] if k == 1 else np.vstack(out)

    def carousel(self, j):
        return self.blocks[1][1].diagonal(j)


def column_params(cell):
    """The cell's parameters with every (n,) vector as an (n, 1) column; other arrays unchanged."""
    return SimpleNamespace(**{
        name: value[:, None] if cell.param_shapes[name] == ("n",) else value for name, value in cell.params.items()
    })


def chunked_jacobians(cell, xs, states, *, reverse=False, chunk=256):
    """Yield (t, StepJacobians, j) for t = 1..T (T..1 when ``reverse``): J_t is step j of the chunk.

    J_t = ∂s_t/∂s_{t−1} at (xs[t−1], states[t−1]) with states = cell.run(xs, s0).
    """
    T = len(xs)
    params = column_params(cell)
    starts = range(0, T, chunk)
    for start in reversed(starts) if reverse else starts:
        stop = min(T, start + chunk)
        Js = StepJacobians(cell, xs[start:stop], states[start:stop], params)
        for j in range(stop - start - 1, -1, -1) if reverse else range(stop - start):
            yield start + j + 1, Js, j
