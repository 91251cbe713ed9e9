"""The SymPy backend for the cells' equations: the interface of ``rnn_theory.cells._numpy_ops``.

Passing a ``SympyOps()`` as ``ops`` to a cell's ``update`` or ``jacobian_blocks``, with the
parameters and state as index-form objects (``rnn_theory.symbolic.indexed``), yields the
components of the new state, or the entries of the closed-form Jacobian blocks, for general n.
The backend writes each function as the numeric one does (σ' = σ(1 − σ), tanh' = 1 − tanh²,
relu' = 1 for a > 0 else 0), so the closed form proven is the closed form that runs.

It also names what it sees: a pre-activation (a vector carrying a bias b_X) becomes a_X, and σ(a_X)
the gate X (tanh(a_g) = g, tanh(a_n) = h̃). ``definitions`` keeps each name's matrix notation, in the
order met, and ``values`` the vector it names: the intermediates of a derivation in steps.

>>> from rnn_theory.symbolic.indexed import Flat, i, n, vector
>>> ops = SympyOps()
>>> f = ops.sigmoid(vector("U_f", Flat(n)) + vector("b_f", Flat(n)))
>>> f.tex, ops.definitions
('f', {'a_{f}': 'U_{f} + b_{f}', 'f': '\\\\sigma\\\\left(a_{f}\\\\right)'})
>>> ops.dsigmoid(vector("a", Flat(n)))[i]
(1 - sigma(a[i]))*sigma(a[i])
"""

import sympy as sp

from .functions import (
    dhard_sigmoid_keras2,
    dhard_sigmoid_keras3,
    hard_sigmoid_keras2,
    hard_sigmoid_keras3,
    relu,
    relu_step,
    sigma,
    softplus,
)
from .indexed import Grid, Mat, One, Vec

_GATE_ACTIVATIONS = ("sigmoid", "hard_sigmoid_keras2", "hard_sigmoid_keras3")
_GATES = {(kind, g): g for kind in _GATE_ACTIVATIONS for g in "ifozr"} | {
    ("tanh", "g"): "g",
    ("tanh", "n"): r"\tilde{h}",
}
_TEX = {
    "sigmoid": r"\sigma",
    "dsigmoid": r"\sigma'",
    "tanh": r"\tanh",
    "dtanh": r"\tanh'",
    "relu": r"\operatorname{relu}",
    "drelu": r"\operatorname{relu}'",
    "hard_sigmoid_keras2": r"\sigma_{\mathrm{h2}}",
    "dhard_sigmoid_keras2": r"\sigma_{\mathrm{h2}}'",
    "hard_sigmoid_keras3": r"\sigma_{\mathrm{h3}}",
    "dhard_sigmoid_keras3": r"\sigma_{\mathrm{h3}}'",
    "exp": r"\exp",
    "softplus": r"\operatorname{softplus}",
}
# Functions whose TeX encloses the argument in braces instead of \left( \right).
_BRACED = {"sqrt": r"\sqrt"}


class SympyOps:
    """The ops backend over index-form ``Vec``/``Mat`` objects (see the module docstring)."""

    def __init__(self):
        self.definitions = {}
        self.values = {}  # name -> the Vec it names, in the order met: the intermediates of a derivation

    def _define(self, name, tex, value):
        if self.definitions.setdefault(name, tex) != tex:
            return False
        self.values.setdefault(name, value)
        return True

    def _argument(self, a):
        """a's tex, or its name a_X when a is the pre-activation with bias b_X."""
        if a.pre is None:
            return a.tex
        name = f"a_{{{a.pre}}}" if a.pre else "a"
        return name if self._define(name, a.tex, a) else a.tex

    def _apply(self, kind, a, component):
        argument = self._argument(a)
        tex = rf"{_BRACED[kind]}{{{argument}}}" if kind in _BRACED else rf"{_TEX[kind]}\left({argument}\right)"
        gate = _GATES.get((kind, a.pre))
        value = Vec(a.space, lambda index: component(a[index]), tex)
        if gate and self._define(gate, tex, value):
            value.tex = gate
        return value

    def sigmoid(self, a):
        return self._apply("sigmoid", a, sigma)

    def dsigmoid(self, a):
        return self._apply("dsigmoid", a, lambda x: sigma(x) * (1 - sigma(x)))

    def tanh(self, a):
        return self._apply("tanh", a, sp.tanh)

    def dtanh(self, a):
        return self._apply("dtanh", a, lambda x: 1 - sp.tanh(x) ** 2)

    def relu(self, a):
        return self._apply("relu", a, relu)

    def drelu(self, a):
        return self._apply("drelu", a, relu_step)

    def hard_sigmoid_keras2(self, a):
        return self._apply("hard_sigmoid_keras2", a, hard_sigmoid_keras2)

    def dhard_sigmoid_keras2(self, a):
        return self._apply("dhard_sigmoid_keras2", a, dhard_sigmoid_keras2)

    def hard_sigmoid_keras3(self, a):
        return self._apply("hard_sigmoid_keras3", a, hard_sigmoid_keras3)

    def dhard_sigmoid_keras3(self, a):
        return self._apply("dhard_sigmoid_keras3", a, dhard_sigmoid_keras3)

    def exp(self, a):
        return self._apply("exp", a, sp.exp)

    def softplus(self, a):
        return self._apply("softplus", a, softplus)

    def sqrt(self, a):
        return self._apply("sqrt", a, sp.sqrt)

    @staticmethod
    def diag(v):
        return Mat(v.space, v.space, lambda r, c: _delta(r, c) * v[r], rf"\operatorname{{diag}}\left({v.tex}\right)")

    @staticmethod
    def diag_matmul(v, M):
        tex = rf"\operatorname{{diag}}\left({v.tex}\right) {_matrix_factor(M)}"
        return Mat(M.rows, M.cols, lambda r, c: v[r] * M[r, c], tex, prec=1)

    @staticmethod
    def matmul_diag(M, v):
        tex = rf"{_matrix_factor(M)} \operatorname{{diag}}\left({v.tex}\right)"
        return Mat(M.rows, M.cols, lambda r, c: M[r, c] * v[c], tex, prec=1)

    @staticmethod
    def zeros_like(v, w=None):
        return Mat(v.space, (v if w is None else w).space, lambda r, c: 0, "0")

    @staticmethod
    def size(v):
        return Vec(One(), lambda index: v.space.size, sp.latex(v.space.size))

    @staticmethod
    def outer(a, b):
        tex = rf"\operatorname{{vec}}\left({a.tex} {_transposed(b)}\right)"
        return Vec(Grid(a.space), lambda index: a[index[0]] * b[index[1]], tex)

    @staticmethod
    def matvec(M, v):
        return Vec(v.space, lambda r: v.space.sum(lambda k: M[(r, k)] * v[k]), f"{M.tex} {v.tex}", prec=1)

    @staticmethod
    def dot(a, b):
        return Vec(One(), lambda index: a.space.sum(lambda k: a[k] * b[k]), f"{_transposed(a)} {b.tex}", prec=1)

    @staticmethod
    def outer_matrix(a, b):
        return Mat(a.space, b.space, lambda r, c: a[r] * b[c], f"{_factor(a)} {_transposed(b)}", prec=1)

    @staticmethod
    def identity_kron_row(v):
        tex = rf"I \otimes {_transposed(v)}"
        return Mat(v.space, Grid(v.space), lambda r, c: sp.KroneckerDelta(r, c[0]) * v[c[1]], tex, prec=1)

    @staticmethod
    def identity_like(v):
        return Mat(v.space, v.space, _delta, "I")

    def rotation_blocks(self, r, theta):
        """Entry ((k, a), (l, b)) = δ_kl · r_k · [[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]]_ab."""
        self.definitions.setdefault(
            r"R\left(\theta\right)",
            r"\begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta \end{pmatrix}",
        )
        rotation = ((sp.cos, lambda t: -sp.sin(t)), (sp.sin, sp.cos))

        def entry(row, col):
            (k, a), (l, b) = row, col
            return sp.KroneckerDelta(k, l) * r[k] * rotation[a][b](theta[k])

        space = _paired_space_of(r)
        tex = r"\operatorname{blockdiag}_{k}\left(r_{k} R\left(\theta_{k}\right)\right)"
        return Mat(space, space, entry, tex)


def _delta(row, col):
    """δ between two indices: flat symbols, (block, position) pairs of a paired space or (row, column)
    pairs of a grid."""
    if isinstance(row, tuple):
        return sp.KroneckerDelta(row[0], col[0]) * sp.KroneckerDelta(row[1], col[1])
    return sp.KroneckerDelta(row, col)


def _factor(v):
    return v.tex if v.prec >= 2 else rf"\left({v.tex}\right)"


def _transposed(v):
    return rf"{_factor(v)}^\top"


def _matrix_factor(M):
    return M.tex if M.prec >= 1 else rf"\left({M.tex}\right)"


def _paired_space_of(block_vector):
    return block_vector.space.paired
