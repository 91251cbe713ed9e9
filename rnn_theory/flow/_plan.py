"""The plan of a run's step Jacobians: what every chunk of the run shares (``Plan``: the cell's
parameters as columns, and their weight matrices side by side, cached by parameter name), and the
compilers of blocks that are all Σ diag·W into a few array operations per step (``FlatTranspose``
for Jᵀ, ``FlatForward`` for J; ``flat_plan``).
"""

from types import SimpleNamespace

import numpy as np

from ._gemm import SlicedProduct
from ._operator_tree import Dense, Diag, Identity, Product, Sum


class Plan:
    """What every chunk of a run's step Jacobians shares: the cell's parameters with every (n,)
    vector as an (n, 1) column (``params``, what ``jacobian_blocks`` runs on), and their weight
    matrices side by side (``side_by_side``), built once a run and kept by the parameters' names.

    >>> import numpy as np, rnn_theory as rt
    >>> plan = Plan(rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0))
    >>> plan.params.b.shape, plan.side_by_side([plan.params.W, plan.params.W], True).shape
    ((2, 1), (2, 4))
    """

    def __init__(self, cell):
        self.params = column_params(cell)
        # A tree's weight matrices are the parameter arrays themselves (or matrices built per chunk,
        # which are not kept): the plan holds the parameters, so their identities name them.
        self._names = {id(value): name for name, value in vars(self.params).items()}
        self._stacks = {}  # (transpose, vertical, parameter names) -> the matrices side by side

    def side_by_side(self, mats, transpose, vertical=False):
        """[M_1ᵀ M_2ᵀ ...] (or [M_1 M_2 ...]; [M_1; M_2; ...] when ``vertical``) as one C-contiguous
        array, kept for the rest of the run when every M is one of the parameters."""
        names = tuple(self._names.get(id(M)) for M in mats)
        key = (transpose, vertical, names)
        if None in names or key not in self._stacks:
            stacked = np.ascontiguousarray(
                (np.vstack if vertical else np.hstack)([M.T if transpose else M for M in mats])
            )
            if None in names:
                return stacked
            self._stacks[key] = stacked
        return self._stacks[key]


def column_params(cell):
    """The cell's parameters with every (n,) vector as an (n, 1) column; other arrays unchanged."""
    return SimpleNamespace(
        **{name: value[:, None] if cell.param_shapes[name] == ("n",) else value for name, value in cell.params.items()}
    )


class _NotFlat(Exception):
    pass


def _flat_terms(op, n, C):
    """op as a list of (factors, M): Σ diag(∏ factors)·M, M None for a pure diagonal; factors is a
    tuple of the ``Diag`` nodes themselves, so that shared diagonals are found by identity.
    Raises _NotFlat for anything else (a weight matrix followed by another factor)."""
    if isinstance(op, Diag):
        return [((op,), None)]
    if isinstance(op, Identity):
        return [((), None)]
    if isinstance(op, Dense):
        if op.M.shape != (n, n) or op.M.dtype != np.float64:
            raise _NotFlat
        return [((), op.M)]
    if isinstance(op, Sum):
        return _flat_terms(op.a, n, C) + _flat_terms(op.b, n, C)
    if isinstance(op, Product):
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

    def __init__(self, blocks, n, C, plan):
        k = len(blocks)
        self.n, self.rows = n, [slice(a * n, (a + 1) * n) for a in range(k)]
        self._width, self._layout = None, None  # see ``_lay_out``
        # Shared factors are found by the identity of their nodes and arrays, within these blocks;
        # ``_keep`` holds every array whose id is part of a key until the compilation is done.
        self._keep, self._index = [], {}  # combination key -> its position in ``combos``
        self.combos = []  # [(a, s_a (C, n, 1) or None)] per combination Y = Σ_a s_a ⊙ X_a
        self.parts = []  # per output part: (its rows, Wᵀ side by side, a sink per W, diagonal sink or None)
        for b in range(k):
            dense, diag = {}, {}  # id(M) -> [M, {a: [factors]}], a -> [factors]
            for a in range(k):
                for factors, M in _flat_terms(blocks[a][b], n, C):  # block (a, b) of J: rows a, cols b
                    sink = diag if M is None else dense.setdefault(id(M), [M, {}])[1]
                    sink.setdefault(a, []).append(factors)
            sinks = [self._sink(terms, n, C) for _, terms in dense.values()]
            Wt = plan.side_by_side([M for M, _ in dense.values()], True) if dense else None
            self.parts.append((self.rows[b], Wt, sinks, self._sink(diag, n, C) if diag else None))
        del self._keep, self._index

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
                self._keep.append(total)  # its id is part of a key
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

    def __init__(self, blocks, n, C, plan):
        k = len(blocks)
        self.n, self.rows = n, [slice(a * n, (a + 1) * n) for a in range(k)]
        self.stacks, self._width = [], None  # per input part: [W_1; W_2; ...] or None; see ``apply``
        self.terms = [[] for _ in range(k)]  # per output part: [(b, g or None for X_b itself, L (C, n, 1) or None)]
        for b in range(k):
            mats = {}  # id(M) -> (g, M), the blocks' weight matrices (alive with them)
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
            self.stacks.append(plan.side_by_side([M for _, M in mats.values()], False, vertical=True) if mats else None)

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


def _combine(terms, Xs, j):
    """Y = Σ_a s_a[j] ⊙ X_a over the terms (a, s_a or None) of a combination (a view if only X_a)."""
    Y = None
    for a, s in terms:
        term = Xs[a] if s is None else s[j] * Xs[a]
        Y = term if Y is None else Y + term
    return Y


def flat_plan(kind, blocks, n, C, plan):
    """A ``FlatTranspose`` or ``FlatForward`` (``kind``) for these blocks of the run of ``plan``, or
    None if some block is not of the form Σ diag·W."""
    try:
        return kind(blocks, n, C, plan)
    except _NotFlat:
        return None
