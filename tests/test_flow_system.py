"""The engines' declared input (``flow.system``): a cell through its adapter meets the protocols, and
a system that names other blocks of P_{T,τ} (off-diagonal ones too) gets their curves, checked
against the dense product of the cell's own Jacobians."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.flow._cell_system import CellSystem, as_system
from rnn_theory.flow._dense_steps import DenseSteps
from rnn_theory.flow.exact import exact_curves
from rnn_theory.flow.probe import probe_curves
from rnn_theory.flow.system import RecurrentSystem, StepOperators


class _Blocks(CellSystem):
    """An LSTM as a system whose curves are its four blocks (a, b) of P_{T,τ}."""

    def __init__(self, cell):
        super().__init__(cell)
        self.blocks = tuple((a + b, a, b) for a in "hc" for b in "hc")


def _dense_curves(cell, xs, S):
    """ln ‖P_{T,τ}[a, b]‖₂ per block from the products of the closed-form Jacobians (another route)."""
    n, T = cell.hidden_size, len(xs)
    rows = {"h": slice(0, n), "c": slice(n, 2 * n)}
    P, out = np.eye(cell.state_size), {a + b: np.empty(T) for a in "hc" for b in "hc"}
    for tau in range(1, T + 1):
        P = P @ cell.jacobian(xs[T - tau], S[T - tau])
        for a in "hc":
            for b in "hc":
                out[a + b][tau - 1] = np.log(np.linalg.norm(P[rows[a], rows[b]], 2))
    return out


def test_a_cell_meets_the_protocols():
    cell = rt.CELLS["gru"].random(hidden_size=4, input_size=2, rng=0)
    system = as_system(cell)
    xs = np.ones((3, 2))
    assert isinstance(system, RecurrentSystem) and as_system(system) is system
    assert isinstance(system.step_operators(xs, system.run(xs)[:3]), StepOperators)
    assert not isinstance(cell, RecurrentSystem) and system.blocks == ()
    assert StepOperators in DenseSteps.__mro__  # declared, not only met


@pytest.mark.parametrize("T", [40, 300])  # 300: past the dense phase, into the factored form
def test_named_blocks_off_the_diagonal_equal_the_dense_product(T):
    """Every block (a, b) by the exact method within 1e-9 of the dense product (its certified
    λ_max: 5e-11; the truncation check: 1e-9), and the h and c blocks equal to a plain cell's, bit
    for bit (the same code); by the probe a lower estimate (≤ exact + 1e-9), here at exact to
    rounding: each part is in two blocks, so it carries a set of 5 per block (``probe._sources``),
    which with the 3 checks span its 12 rows."""
    cell = rt.CELLS["lstm"].random(hidden_size=12, input_size=3, rng=0)
    xs = np.random.default_rng(1).normal(size=(T, 3))
    system = _Blocks(cell)
    S = system.run(xs)
    got = exact_curves(system, xs, S)["blocks"]
    want = _dense_curves(cell, xs, S)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=0, atol=1e-9, err_msg=name)
    plain = rt.gradient_norms(cell, xs)
    assert np.array_equal(got["hh"], plain.log_norm_h) and np.array_equal(got["cc"], plain.log_norm_c)
    probe = probe_curves(system, xs, S)["blocks"]
    for name in want:
        assert np.all(probe[name] <= got[name] + 1e-9), name
        np.testing.assert_allclose(probe[name], got[name], rtol=0, atol=1e-9, err_msg=name)
