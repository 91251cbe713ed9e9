"""Structural facts that hold exactly, not just to tolerance."""

import numpy as np
import pytest
from conftest import generic_cell, generic_point


def logistic(a):
    return 1.0 / (1.0 + np.exp(-a))


@pytest.mark.parametrize("n", [1, 3, 8])
def test_lstm_carousel_block_is_diag_f(n):
    cell = generic_cell("lstm", n, 2, seed=n)
    x, s = generic_point(cell, n)
    p, h = cell.params, s[:n]
    f = logistic(p["W_f"] @ h + p["U_f"] @ x + p["b_f"])
    dc_dc = cell.jacobian(x, s)[n:, n:]
    assert np.all(dc_dc[~np.eye(n, dtype=bool)] == 0)
    # Two formulas for σ (ours is (1 + tanh(a/2))/2): equal up to a few ulps.
    np.testing.assert_allclose(np.diag(dc_dc), f, rtol=4e-16 * 8, atol=0)


@pytest.mark.parametrize("n", [1, 3, 8])
def test_lstm_without_forget_gate_has_identity_carousel(n):
    cell = generic_cell("lstm_nofg", n, 2, seed=n)
    x, s = generic_point(cell, n)
    assert np.array_equal(cell.jacobian(x, s)[n:, n:], np.eye(n))


@pytest.mark.parametrize("key", ["mingru", "minlstm"])
@pytest.mark.parametrize("n", [1, 4, 9])
def test_input_only_gates_give_diagonal_jacobians(key, n):
    cell = generic_cell(key, n, 3, seed=n)
    x, s = generic_point(cell, n)
    J = cell.jacobian(x, s)
    assert np.all(J[~np.eye(n, dtype=bool)] == 0)
    assert np.all((np.diag(J) > 0) & (np.diag(J) < 1))
    # ... and independent of the state.
    assert np.array_equal(J, cell.jacobian(x, -3 * s))


@pytest.mark.parametrize("n", [2, 6, 10])
def test_lru_jacobian_is_block_diagonal_with_norm_max_r(n):
    cell = generic_cell("lru", n, 3, seed=n)
    x, s = generic_point(cell, n)
    J = cell.jacobian(x, s)
    block_of = np.arange(n) // 2
    assert np.all(J[block_of[:, None] != block_of[None, :]] == 0)
    # Each block is r_k times a rotation, so its singular values are r_k, r_k.
    assert np.linalg.norm(J, 2) == pytest.approx(cell.params["r"].max(), rel=1e-14)


def test_peephole_carousel_is_not_diag_f():
    """With peepholes, ∂c'/∂c = diag(f + c⊙σ'(a_f)⊙p_f + g⊙σ'(a_i)⊙p_i) differs from diag(f)."""
    cell = generic_cell("peephole", 4, 2, seed=1)
    x, s = generic_point(cell, 1)
    p, h, c = cell.params, s[:4], s[4:]
    f = logistic(p["W_f"] @ h + p["U_f"] @ x + p["p_f"] * c + p["b_f"])
    dc_dc = cell.jacobian(x, s)[4:, 4:]
    assert np.all(dc_dc[~np.eye(4, dtype=bool)] == 0)
    assert np.abs(np.diag(dc_dc) - f).min() > 1e-6
