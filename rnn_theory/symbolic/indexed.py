"""Index-form vectors and matrices for a general (symbolic) size n.

A vector is known by its component v[i], a matrix by its entry M[i, j], as SymPy expressions in
symbolic indices: ``W @ h`` has component Σ_k W[i, k]·h[k] (a ``Sum`` from k = 0 to n − 1), and
``+``, ``-``, ``*``, ``/`` act componentwise, with Python numbers broadcast (``1 - z``, ``0 * v``).
Each object also carries its matrix notation in LaTeX (``tex``), built from the same operations,
so that the closed forms are displayed as the cells' code writes them.

Index spaces. ``Flat(size)``: an index is one integer symbol i, 0 <= i <= size − 1.
``Paired(n)``: n = 2K positions grouped in K blocks of two (the LRU's 2×2 rotations); an index is
a pair (k, a) with symbolic block k, 0 <= k <= n/2 − 1, and concrete a ∈ {0, 1}, standing for
position 2k + a. Arrays over a paired axis are stored with that axis split in two, h[k, a].

Summation indices get canonical names (``bound_name``): the first of k, l, q, u, v, w, k_1, ...
that the summand does not already use, so the same sum built twice is the same expression.

>>> h = vector("h", Flat(n))
>>> W = matrix("W", Flat(n), Flat(n))
>>> v = 1 - W @ h
>>> v[i]
1 - Sum(W[i, k]*h[k], (k, 0, n - 1))
>>> v.tex
'1 - W h'
"""

import sympy as sp

n = sp.Symbol("n", integer=True, positive=True)
m = sp.Symbol("m", integer=True, positive=True)
i, j = sp.symbols("i j", integer=True, nonnegative=True)
BOUND_NAMES = sp.symbols("k l q u v w", integer=True, nonnegative=True) + sp.symbols(
    "k_1:40", integer=True, nonnegative=True
)
_SUM, _PRODUCT, _ATOM = 0, 1, 2  # precedence of a tex string, to know when to parenthesise


def bound_name(body, k):
    """The canonical name for the summation index k of ``body``: the first unused bound name."""
    used = body.atoms(sp.Symbol) - {k}
    return next(name for name in BOUND_NAMES if name not in used)


def index_sum(body, k, upper):
    """Σ_{k=0}^{upper} body, with k renamed canonically."""
    name = bound_name(body, k)
    return sp.Sum(body.xreplace({k: name}), (name, 0, upper))


class Flat:
    """Indices 0..size − 1, one integer symbol each."""

    def __init__(self, size):
        self.size, self.upper = size, size - 1

    def key(self, index):
        return (index,)

    def entries(self, symbol):
        """The indices that stand for the symbol (one here, two in a paired space)."""
        return [symbol]

    def sum(self, body):
        k = sp.Dummy("k", integer=True, nonnegative=True)
        return index_sum(body(k), k, self.upper)


class Paired(Flat):
    """n = 2K positions in K blocks; index (k, a) is position 2k + a, a ∈ {0, 1} concrete."""

    def __init__(self, size):
        self.size, self.upper = size, size / 2 - 1

    def key(self, index):
        return tuple(index)

    def entries(self, symbol):
        return [(symbol, 0), (symbol, 1)]

    def sum(self, body):
        k = sp.Dummy("k", integer=True, nonnegative=True)
        return index_sum(body((k, 0)) + body((k, 1)), k, self.upper)


class One(Flat):
    """A single entry (a scalar state part or gate): every index stands for entry 0, so a scalar
    meets a vector of any space componentwise (f ⊙ C)."""

    def __init__(self):
        self.size, self.upper = sp.Integer(1), 0

    def key(self, index):
        return (0,)

    def entries(self, symbol):
        return [sp.Integer(0)]

    def sum(self, body):
        return body(sp.Integer(0))


class Grid(Flat):
    """The n² entries of an n×n matrix stored as a vector row by row (the mLSTM's memory C): an index
    is a pair (k, l) of symbols over ``side``, standing for position k·n + l; C[k, l] is the entry."""

    def __init__(self, side):
        self.side, self.size, self.upper = side, side.size**2, side.upper

    def key(self, index):
        return tuple(index)

    def entries(self, symbol):
        return [(symbol, second(symbol))]

    def sum(self, body):
        return self.side.sum(lambda k: self.side.sum(lambda l: body((k, l))))


def second(symbol):
    """The column index that goes with row index ``symbol`` in a ``Grid``: i -> i_2."""
    return sp.Symbol(f"{symbol.name}_2", integer=True, nonnegative=True)


class Blocks(Flat):
    """The K block indices of a paired space (for the LRU's r_k and θ_k)."""

    def __init__(self, paired):
        self.size, self.upper, self.paired = paired.size / 2, paired.upper, paired


def _wrap(obj, level):
    return obj.tex if obj.prec >= level else rf"\left({obj.tex}\right)"


class Vec:
    """A vector by its components: ``v[index]`` is a SymPy expression.

    ``pre`` marks a pre-activation: the gate letter X of the bias b_X it contains ("" for b).
    """

    def __init__(self, space, component, tex, prec=_ATOM, pre=None):
        self.space, self._component, self.tex, self.prec, self.pre = space, component, tex, prec, pre
        self._cache = {}

    def __getitem__(self, index):
        if index not in self._cache:
            self._cache[index] = sp.sympify(self._component(index))
        return self._cache[index]

    def _lift(self, other):
        if isinstance(other, Vec):
            return other
        value = sp.sympify(other)
        return Vec(self.space, lambda index: value, sp.latex(value))

    def _combine(self, other, op, tex, prec, pre=None):
        space = other.space if isinstance(self.space, One) else self.space  # a scalar meets any vector
        return Vec(space, lambda index: op(self[index], other[index]), tex, prec, pre)

    def __add__(self, other):
        other = self._lift(other)
        pres = [v.pre for v in (self, other) if v.pre is not None]
        return self._combine(other, sp.Add, f"{self.tex} + {other.tex}", _SUM, pres[0] if len(pres) == 1 else None)

    def __radd__(self, other):
        return self._lift(other) + self

    def __sub__(self, other):
        other = self._lift(other)
        return self._combine(other, lambda a, b: a - b, f"{self.tex} - {_wrap(other, _PRODUCT)}", _SUM)

    def __rsub__(self, other):
        return self._lift(other) - self

    def __neg__(self):
        return 0 - self

    def __mul__(self, other):
        other = self._lift(other)
        return self._combine(other, sp.Mul, rf"{_wrap(self, _PRODUCT)} \odot {_wrap(other, _PRODUCT)}", _PRODUCT)

    def __rmul__(self, other):
        return self._lift(other) * self

    def __truediv__(self, other):
        other = self._lift(other)
        return self._combine(
            other, lambda a, b: a / b, rf"{_wrap(self, _ATOM)} \oslash {_wrap(other, _ATOM)}", _PRODUCT
        )


class Mat:
    """A matrix by its entries: ``M[row, col]`` is a SymPy expression."""

    def __init__(self, rows, cols, entry, tex, prec=_ATOM):
        self.rows, self.cols, self._entry, self.tex, self.prec = rows, cols, entry, tex, prec
        self._cache = {}

    def __getitem__(self, pair):
        if pair not in self._cache:
            self._cache[pair] = sp.sympify(self._entry(*pair))
        return self._cache[pair]

    def __matmul__(self, other):
        tex = f"{_wrap(self, _PRODUCT)} {_wrap(other, _ATOM)}"
        if isinstance(other, Vec):
            return Vec(self.rows, lambda r: self.cols.sum(lambda k: self[r, k] * other[k]), tex, _PRODUCT)
        return Mat(self.rows, other.cols, lambda r, c: self.cols.sum(lambda k: self[r, k] * other[k, c]), tex, _PRODUCT)

    def __add__(self, other):
        return Mat(self.rows, self.cols, lambda r, c: self[r, c] + other[r, c], f"{self.tex} + {other.tex}", _SUM)

    def __sub__(self, other):
        tex = f"{self.tex} - {_wrap(other, _PRODUCT)}"
        return Mat(self.rows, self.cols, lambda r, c: self[r, c] - other[r, c], tex, _SUM)


def _tex_name(name):
    return sp.latex(sp.Symbol(name))


def vector(name, space, key=None):
    """The vector parameter or variable ``name`` over ``space``: component name[key(index)]."""
    base, key = sp.IndexedBase(name), key or space.key
    pre = name[2:] if name.startswith("b_") else "" if name == "b" else None
    return Vec(space, lambda index: base[key(index)], _tex_name(name), pre=pre)


def matrix(name, rows, cols):
    """The matrix parameter ``name``: entry name[rows.key(r) + cols.key(c)]."""
    base = sp.IndexedBase(name)
    return Mat(rows, cols, lambda r, c: base[rows.key(r) + cols.key(c)], _tex_name(name))
