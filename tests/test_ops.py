"""Every ``ops`` backend provides the ``Ops`` interface and agrees with the NumPy backend.

The NumPy backend (``rnn_theory.cells._numpy_ops``) is the reference. The lazy operators and the
training tape must return its values bit for bit where they hand back arrays (the tape's σ is the
cells' σ, so that training runs the equations that are proven); the SymPy backend, evaluated exactly
at 30 digits, must agree to a few ulp (rtol 1e-15 ≈ 4.5 ulp: each NumPy formula is a handful of
correctly rounded operations).
"""

import inspect
from types import SimpleNamespace

import numpy as np
import pytest
import sympy as sp

import rnn_theory as rt
from rnn_theory.cells import _numpy_ops
from rnn_theory.cells.ops import OPS_MEMBERS, Ops
from rnn_theory.flow._operator_tree import OPS as LAZY_OPS
from rnn_theory.symbolic.functions import sigma
from rnn_theory.symbolic.indexed import Flat, i, j, matrix, n, vector
from rnn_theory.symbolic.ops import SympyOps
from rnn_theory.training.forward import _TapeOps

ACTIVATIONS = ("sigmoid", "dsigmoid", "tanh", "dtanh", "relu", "drelu")
HARD = ("hard_sigmoid_keras2", "dhard_sigmoid_keras2", "hard_sigmoid_keras3", "dhard_sigmoid_keras3")

# Both signs, zero, the saturated tails where 1 − σ or 1 − tanh² round away, and a random spread.
POINTS = np.concatenate(
    [
        [-745.0, -100.0, -40.0, -20.0, -1e-300, 0.0, 1e-300, 1e-8, 20.0, 40.0, 100.0, 745.0],
        np.random.default_rng(0).normal(scale=8.0, size=2000),
    ]
)


def _tape():
    tape = _TapeOps()
    tape.begin_step()
    return tape


BACKENDS = {"numpy": lambda: _numpy_ops, "sympy": SympyOps, "lazy": lambda: LAZY_OPS, "tape": _tape}


@pytest.mark.parametrize("name", BACKENDS)
def test_every_backend_provides_the_interface(name):
    backend = BACKENDS[name]()
    assert isinstance(backend, Ops)
    for member in OPS_MEMBERS:
        wanted = list(inspect.signature(getattr(Ops, member)).parameters)[1:]  # without self
        assert list(inspect.signature(getattr(backend, member)).parameters) == wanted, member


class _Recorder:
    """The NumPy backend, noting which members the equations ask for."""

    def __init__(self):
        self.used = set()

    def __getattr__(self, name):
        self.used.add(name)
        return getattr(_numpy_ops, name)


def test_the_interface_is_what_the_cells_use():
    # Every member a cell's equations ask for is in the interface, and every member is asked for.
    recorder = _Recorder()
    cells = [cls.random(hidden_size=4, input_size=2, rng=0) for cls in rt.CELLS.values()]
    cells += [rt.CELLS["rnn"].random(hidden_size=4, input_size=2, rng=0, activation=a) for a in ("sigmoid", "relu")]
    cells += [
        rt.CELLS[key].random(hidden_size=4, input_size=2, rng=0, gate_activation=g)
        for key in ("lstm", "gru")
        for g in ("hard_sigmoid_keras2", "hard_sigmoid_keras3")
    ]
    for cell in cells:
        parts = cell._split(np.full(cell.state_size, 0.1))
        p = SimpleNamespace(**cell.params)
        cell.update(p, np.ones(cell.input_size), *parts, ops=recorder)
        cell.jacobian_blocks(p, np.ones(cell.input_size), *parts, ops=recorder)
    assert recorder.used == set(OPS_MEMBERS)


@pytest.mark.parametrize("function", ACTIVATIONS + HARD)
def test_tape_and_lazy_activations_are_the_numpy_ones_bit_for_bit(function):
    expected = getattr(_numpy_ops, function)(POINTS)
    for backend in (LAZY_OPS, _tape()):
        np.testing.assert_array_equal(getattr(backend, function)(POINTS.copy()), expected)


def test_tape_sigmoid_keeps_the_tails():
    # The failure this guards against: 0.5 + 0.5·tanh(a/2) rounds σ(−40) ≈ 4.25e−18 to 0.
    tape = _tape()
    assert tape.sigmoid(np.array([-40.0]))[0] == _numpy_ops.sigmoid(np.array([-40.0]))[0] > 4e-18
    assert len(tape.steps[-1]) == 1  # and it is still recorded for the backward pass


@pytest.mark.parametrize("function", ACTIVATIONS)
def test_sympy_activations_agree_with_numpy(function):
    a = vector("a", Flat(n))
    component = getattr(SympyOps(), function)(a)[i]
    points = POINTS[np.abs(POINTS) <= 100][:200]  # beyond, both are exact 0/1 or underflow alike
    expected = getattr(_numpy_ops, function)(points)
    base = sp.IndexedBase("a")
    for x, want in zip(points, expected):
        exact = component.subs(base[i], sp.Rational(float(x))).replace(sigma, lambda b: 1 / (1 + sp.exp(-b)))
        got = float(sp.N(exact.rewrite(sp.Heaviside).subs(sp.Heaviside(0, 0), 0), 30))
        assert got == pytest.approx(want, rel=1e-15, abs=0), (function, x)


@pytest.mark.parametrize("function", HARD)
def test_sympy_hard_sigmoids_agree_with_numpy_kinks_included(function):
    # Exact rationals against NumPy's 0.2·a + 0.5 (or (a + 3)/6): two roundings of an O(1) value, so an
    # absolute 3e-16; the derivatives (0, 1/5 or 1/6) agree exactly, at the kinks ±5/2, ±3 too.
    a = vector("a", Flat(n))
    component = getattr(SympyOps(), function)(a)[i]
    kinks = [-3.0, -2.5, 2.5, 3.0, -3.5, 3.5, 0.0]
    points = np.concatenate([kinks, POINTS[:200]])
    expected = getattr(_numpy_ops, function)(points)
    for x, want in zip(points, expected):
        got = float(component.subs(sp.IndexedBase("a")[i], sp.Rational(float(x))))
        if function.startswith("d"):
            assert got == want, (function, x)
        else:
            assert got == pytest.approx(want, rel=0, abs=3e-16), (function, x)


def _structural_cases(rng):
    v, M = rng.normal(size=3), rng.normal(size=(3, 3))
    r, theta = rng.uniform(0, 1, size=2), rng.uniform(-np.pi, np.pi, size=2)
    return {
        "diag": (v,),
        "diag_matmul": (v, M),
        "matmul_diag": (M, v),
        "identity_like": (v,),
        "rotation_blocks": (r, theta),
    }


@pytest.mark.parametrize("member", ["diag", "diag_matmul", "matmul_diag", "identity_like", "rotation_blocks"])
def test_structural_members_agree_with_numpy(member):
    args = _structural_cases(np.random.default_rng(1))[member]
    expected = getattr(_numpy_ops, member)(*args)
    np.testing.assert_array_equal(getattr(_tape(), member)(*args), expected)
    # The lazy backend keeps one column of coefficients per time step: a chunk of C = 1 steps here.
    lazy_args = [a[:, None] if a.ndim == 1 and member != "rotation_blocks" else a for a in args]
    op = getattr(LAZY_OPS, member)(*lazy_args)
    for transpose in (False, True):
        dense = op.apply(np.eye(len(expected)), 0, transpose)
        np.testing.assert_array_equal(dense, expected.T if transpose else expected)


@pytest.mark.parametrize("member", ["diag", "diag_matmul", "matmul_diag", "identity_like"])
def test_sympy_structural_members_agree_with_numpy(member):
    args = _structural_cases(np.random.default_rng(2))[member]
    symbolic = [vector("v", Flat(n)) if a.ndim == 1 else matrix("M", Flat(n), Flat(n)) for a in args]
    expected = getattr(_numpy_ops, member)(*args)
    entry = getattr(SympyOps(), member)(*symbolic)[i, j]
    v, M = sp.IndexedBase("v"), sp.IndexedBase("M")
    values = {a.ndim: a for a in args}
    for row in range(3):
        for col in range(3):
            exact = entry.subs({i: row, j: col})
            exact = exact.subs({v[k]: values[1][k] for k in range(3)})
            if 2 in values:
                exact = exact.subs({M[r, c]: values[2][r, c] for r in range(3) for c in range(3)})
            assert float(exact) == pytest.approx(expected[row, col], rel=1e-15, abs=0)
