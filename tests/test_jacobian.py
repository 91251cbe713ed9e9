"""The closed-form state Jacobians against two independent routes: complex step and central
differences of ``step``, over the whole zoo and several sizes (n = 1 and m = 1 included)."""

import numpy as np
import pytest
from conftest import generic_cell, generic_point

import rnn_theory as rt

SIZES = [(1, 1), (2, 3), (3, 1), (6, 4)]


def complex_step_jacobian(cell, x, s, h=1e-30):
    """J[:, j] = Im(step(x, s + i·h·e_j))/h: no subtractive cancellation, truncation error O(h²)."""
    return np.stack([cell.step(x, s + 1j * h * e).imag / h for e in np.eye(cell.state_size)], axis=1)


def central_difference_jacobian(cell, x, s, h=1e-6):
    return np.stack(
        [(cell.step(x, s + h * e) - cell.step(x, s - h * e)) / (2 * h) for e in np.eye(cell.state_size)], axis=1
    )


@pytest.mark.parametrize("n,m", SIZES)
@pytest.mark.parametrize("seed", range(3))
def test_jacobian_matches_complex_step(zoo_entry, n, m, seed):
    key, options = zoo_entry
    cell = generic_cell(key, n, m, seed, **options)
    x, s = generic_point(cell, seed)
    J = cell.jacobian(x, s)
    # Complex step is exact up to rounding in step itself: a few ulps per operation, times the
    # O(n) terms of a matrix-vector product. 1e-12 relative leaves four orders of headroom.
    scale = max(1.0, np.abs(J).max())
    assert np.abs(J - complex_step_jacobian(cell, x, s)).max() <= 1e-12 * scale


@pytest.mark.parametrize("n,m", SIZES)
def test_jacobian_matches_central_differences(zoo_entry, n, m):
    key, options = zoo_entry
    cell = generic_cell(key, n, m, seed=7, **options)
    x, s = generic_point(cell, 7)
    J = cell.jacobian(x, s)
    # Step 1e-6: truncation O(h²·|F'''|) ~ 1e-12 and rounding O(eps/h) ~ 1e-10; 1e-7 is a safe bound
    # that still catches any wrong term (those are O(1)).
    assert np.abs(J - central_difference_jacobian(cell, x, s)).max() <= 1e-7 * max(1.0, np.abs(J).max())


def _declared(zoo_entry):
    key, options = zoo_entry
    if not rt.CELLS[key].declares_input_jacobian():
        pytest.skip(f"{key} declares no input Jacobian (a stack may hold it as its bottom layer only)")
    return key, options


@pytest.mark.parametrize("n,m", SIZES)
@pytest.mark.parametrize("seed", range(2))
def test_input_jacobian_matches_complex_step(zoo_entry, n, m, seed):
    key, options = _declared(zoo_entry)
    cell = generic_cell(key, n, m, seed, **options)
    x, s = generic_point(cell, seed)
    X = cell.input_jacobian(x, s)
    want = np.stack([cell.step(x + 1j * 1e-30 * e, s).imag / 1e-30 for e in np.eye(m)], axis=1)
    # as for the state Jacobian above: rounding in step alone, 1e-12 relative
    assert X.shape == (cell.state_size, m)
    assert np.abs(X - want).max() <= 1e-12 * max(1.0, np.abs(X).max())


@pytest.mark.parametrize("n,m", SIZES)
def test_input_jacobian_matches_central_differences(zoo_entry, n, m):
    key, options = _declared(zoo_entry)
    cell = generic_cell(key, n, m, seed=7, **options)
    x, s = generic_point(cell, 7)
    X = cell.input_jacobian(x, s)
    h = 1e-6  # as for the state Jacobian above: truncation ~1e-12, rounding ~1e-10, wrong terms O(1)
    want = np.stack([(cell.step(x + h * e, s) - cell.step(x - h * e, s)) / (2 * h) for e in np.eye(m)], axis=1)
    assert np.abs(X - want).max() <= 1e-7 * max(1.0, np.abs(X).max())


def test_every_cell_a_loaded_stack_holds_declares_its_input_jacobian():
    """PyTorch, Keras and ONNX stacks hold rnn, lstm, peephole, gru and gru_rb layers: each reads
    the layer below through a declared ∂s'/∂x."""
    for key in ("rnn", "lstm", "peephole", "gru", "gru_rb", "cifg", "lstm_nofg", "mingru", "minlstm", "indrnn", "lru"):
        assert rt.CELLS[key].declares_input_jacobian(), key


def test_a_wrong_closed_form_is_caught():
    """The check can fail: drop one term of the LSTM's ∂c'/∂h and the complex step disagrees."""
    from rnn_theory.cells.lstm import LSTM

    class Broken(LSTM):
        def cell_jacobian(self, p, pre, c, *, ops):
            dc_dh, dc_dc = super().cell_jacobian(p, pre, c, ops=ops)
            return dc_dh - ops.diag_matmul(c * ops.dsigmoid(pre[1]), p.W_f), dc_dc  # pre = (a_i, a_f, a_g)

    cell = generic_cell("lstm", 3, 2, 0)
    broken = Broken(**cell.params)
    x, s = generic_point(cell, 0)
    assert np.abs(broken.jacobian(x, s) - complex_step_jacobian(broken, x, s)).max() > 1e-3
