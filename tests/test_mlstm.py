"""The mLSTM's state of declared part sizes (h, the n×n memory C, the normaliser, the scalar
stabiliser) through the whole numeric pipeline: the state layout, the gradient-norm curves of both
methods against plain products of ``cell.jacobian``, the stabiliser's invariance of h, and the
one-sided Jacobian where a max ties."""

import numpy as np
import pytest
from conftest import generic_cell, generic_point

import rnn_theory as rt
from rnn_theory.cli import main


def test_parts_have_their_declared_sizes():
    cell = rt.CELLS["mlstm"].random(hidden_size=3, input_size=2, rng=0)
    assert [s.stop - s.start for s in cell.part_slices()] == [3, 9, 3, 1]
    assert cell.state_size == 16 and cell.size_formula() == "n² + 2n + 1"
    s = np.arange(16.0)
    h, C, norm, stab = cell._split(s)
    assert (h[0], C[0], C[-1], norm[0], stab[0]) == (0.0, 3.0, 11.0, 12.0, 15.0)
    # Parts of n entries: the state is n per part, as before.
    assert rt.CELLS["slstm"].random(hidden_size=3, input_size=2, rng=0).part_slices()[3] == slice(9, 12)


def _dense_curve(cell, xs):
    """ln‖J_T ··· J_{T−τ+1}‖₂ for every τ by plain products of the closed-form Jacobians."""
    states = cell.run(xs)
    P, out = np.eye(cell.state_size), []
    for t in range(len(xs), 0, -1):
        P = P @ cell.jacobian(xs[t - 1], states[t - 1])
        out.append(np.log(np.linalg.norm(P, 2)))
    return np.array(out)


@pytest.mark.parametrize("method", ["exact", "probe"])
def test_gradient_norms_match_plain_products(method):
    cell = generic_cell("mlstm", 3, 2, seed=4)
    xs = np.random.default_rng(4).normal(size=(60, 2))
    flow = rt.gradient_norms(cell, xs, method=method)
    want = _dense_curve(cell, xs)
    # exact: the streamed product's truncation check bounds its error by 1e-9 (check_tol); the
    # probe's lower bound is exact here (k = 8 probes per part cover the 3-, 1- and most of the
    # 9-dimensional parts), so both agree with the dense product to rounding; 1e-9 covers both.
    assert np.abs(flow.log_norm - want).max() < 1e-9
    # h' reads the memory, never h: the (h, h) block of every product of two or more steps is 0.
    assert np.isneginf(flow.log_norm_h[1:]).all() and flow.log_norm_c is None


def test_the_stabiliser_leaves_h_unchanged():
    """C, n and m carry the paper's memory as (e^m C, e^m n): shifting m by δ and C, n by e^{−δ}
    leaves every h' of a run the same (the max's floor e^{−m'} moves with them)."""
    cell = generic_cell("mlstm", 3, 2, seed=5)
    xs = np.random.default_rng(5).normal(size=(30, 2))
    s0 = generic_point(cell, 5)[1]
    s0[cell.part_slices()[2]] = np.abs(s0[cell.part_slices()[2]])
    shifted = s0.copy()
    delta = 0.7
    for part in cell.part_slices()[1:3]:
        shifted[part] *= np.exp(-delta)
    shifted[cell.part_slices()[3]] += delta
    h = cell.part_slices()[0]
    np.testing.assert_allclose(cell.run(xs, shifted)[1:, h], cell.run(xs, s0)[1:, h], rtol=1e-12, atol=1e-14)


def test_the_jacobian_is_one_sided_at_the_normaliser_tie():
    """At n'ᵀq = e^{−m'} the closed form is the derivative of the branch D = e^{−m'}: the one-sided
    difference from the side n'ᵀq < e^{−m'} agrees with it, the other side's does not."""
    cell = generic_cell("mlstm", 2, 1, seed=6)
    x, s = np.array([0.3]), generic_point(cell, 6)[1]
    norm = cell.part_slices()[2]
    read = lambda s: cell._read(cell._p, x, *cell._split(s)[1:], ops=rt.cells._numpy_ops)  # noqa: E731
    _, _, _, f, q, *_, e, _, _, u, _ = read(s)
    # n' = f' n + i' k: along d = q/(f'|q|²) in n, u = n'ᵀq moves at unit speed and e not at all.
    d = np.zeros(cell.state_size)
    d[norm] = q / (f * (q @ q))
    s = s + (e[0] - u[0]) * d  # u = e^{−m'} (to rounding)
    assert abs(read(s)[11][0] - read(s)[8][0]) < 1e-14
    eps = 1e-7
    directional = cell.jacobian(x, s) @ d
    below = (cell.step(x, s) - cell.step(x, s - eps * d)) / eps
    above = (cell.step(x, s + eps * d) - cell.step(x, s)) / eps
    # One-sided differences: truncation O(ε) ~ 1e-7; a wrong branch differs by O(0.1).
    assert np.abs(directional - below).max() < 1e-5
    assert np.abs(directional - above).max() > 1e-2


def test_cells_command_shows_the_part_sizes(capsys):
    assert main(["cells", "mlstm"]) == 0
    assert "state [h; C; norm; stab] (n² + 2n + 1)" in capsys.readouterr().out
