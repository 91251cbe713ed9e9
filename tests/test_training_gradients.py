"""BPTT against central differences: every parameter of every trainable cell, the initial state,
the readout and the loss heads. The loss is L = Σ w ⊙ s_T (a generic cotangent w), so ∂L/∂θ is
exactly the VJP under test."""

import numpy as np
import pytest
from conftest import generic_cell

from rnn_theory.training import TRAINABLE, backward, forward
from rnn_theory.training.readout import head_loss, init_readout, readout_vjp
from rnn_theory.training.trainer import loss_and_grads

# Every φ of the cells that choose one (rnn, indrnn), every other trainable cell as it comes.
TRAINABLE_ZOO = [(key, {"activation": a}) for key in ("rnn", "indrnn") for a in ("tanh", "sigmoid", "relu")] + [
    (key, {}) for key in TRAINABLE if key not in ("rnn", "indrnn")
]
IDS = [key + (f"-{o['activation']}" if o else "") for key, o in TRAINABLE_ZOO]
EPS = 1e-6
# Central differences have truncation error O(ε²·L''') ~ 1e-12 and rounding error O(δ/ε) with
# δ ~ 1e-15 for these O(1) losses, so ~1e-9; 1e-7 leaves margin while any wrong term (O(1e-2) or
# more at these generic points) fails by orders of magnitude.
TOL = 1e-7


def central_difference(f, x):
    """∂f/∂x entry by entry, for an array x that f reads (perturbed in place and restored)."""
    grad = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        saved = x[idx]
        x[idx] = saved + EPS
        up = f()
        x[idx] = saved - EPS
        down = f()
        x[idx] = saved
        grad[idx] = (up - down) / (2 * EPS)
    return grad


@pytest.mark.parametrize("key,options", TRAINABLE_ZOO, ids=IDS)
@pytest.mark.parametrize("n,m,T,B", [(1, 1, 3, 1), (3, 2, 6, 4)])
def test_bptt_matches_central_differences_for_every_parameter(key, options, n, m, T, B):
    cell = generic_cell(key, n, m, seed=n + T, **options)
    rng = np.random.default_rng(n * 100 + T)
    xs = rng.normal(size=(T, m, B))
    s0 = 0.5 * rng.normal(size=(cell.state_size, B))
    w = rng.normal(size=(cell.state_size, B))
    params = {name: value.copy() for name, value in cell.params.items()}

    def loss():
        return float(np.sum(w * forward(cell, params, xs, s0).final_state()))

    grads, ds0 = backward(forward(cell, params, xs, s0), w)
    assert sorted(grads) == sorted(cell.params)
    for name, value in params.items():
        assert grads[name].shape == value.shape
        np.testing.assert_allclose(grads[name], central_difference(loss, value), rtol=0, atol=TOL, err_msg=name)
    np.testing.assert_allclose(ds0, central_difference(loss, s0), rtol=0, atol=TOL, err_msg="s0")


@pytest.mark.parametrize("head,target", [("softmax", np.array([2, 0, 1])), ("mse", np.array([0.3, -0.2, 1.1]))])
def test_heads_and_readout_match_central_differences(head, target):
    rng = np.random.default_rng(7)
    k = 3 if head == "softmax" else 1
    readout = init_readout(rng, 4, k)
    readout["a"] += rng.normal(size=k)
    h = rng.normal(size=(4, 3))

    def loss():
        return float(head_loss(head, readout["V"] @ h + readout["a"][:, None], target)[0])

    _, dy = head_loss(head, readout["V"] @ h + readout["a"][:, None], target)
    grads, dh = readout_vjp(readout, h, dy)
    for name in ("V", "a"):
        np.testing.assert_allclose(grads[name], central_difference(loss, readout[name]), rtol=0, atol=TOL)
    np.testing.assert_allclose(dh, central_difference(loss, h), rtol=0, atol=TOL)


@pytest.mark.parametrize("key", ["lstm", "gru"])
def test_whole_training_loss_gradient(key):
    """forward + readout + softmax head + BPTT together, as one training step computes them."""
    cell = generic_cell(key, 3, 4, seed=3)
    rng = np.random.default_rng(3)
    xs, target = rng.normal(size=(5, 4, 6)), rng.integers(0, 2, size=6)
    params = {name: value.copy() for name, value in cell.params.items()}
    readout = init_readout(rng, 3, 2)
    _, grads = loss_and_grads("softmax", cell, params, readout, xs, target)
    arrays = {**params, **{"readout." + k: v for k, v in readout.items()}}
    for name, value in arrays.items():
        fd = central_difference(lambda: loss_and_grads("softmax", cell, params, readout, xs, target)[0], value)
        np.testing.assert_allclose(grads[name], fd, rtol=0, atol=TOL, err_msg=name)


def test_untrainable_cell_is_refused_with_its_name():
    cell = generic_cell("lru", 2, 1, seed=0)
    tape = forward(cell, cell.params, np.zeros((2, 1, 1)))
    with pytest.raises(ValueError, match="lru"):
        backward(tape, np.zeros((2, 1)))


@pytest.mark.parametrize("key,options", TRAINABLE_ZOO, ids=IDS)
def test_bptt_matches_complex_step_for_every_parameter(key, options):
    """A second route without subtractive cancellation: ∂L/∂θ_j = Im L(θ + iη e_j)/η, exact to
    rounding for the analytic forward pass (η = 1e-30), so the VJP must agree to ~1e-13."""
    cell = generic_cell(key, 3, 2, seed=11, **options)
    rng = np.random.default_rng(11)
    xs, w = rng.normal(size=(5, 2, 3)), rng.normal(size=(cell.state_size, 3))
    grads, _ = backward(forward(cell, cell.params, xs), w)
    for name, value in cell.params.items():
        step = np.zeros(value.shape, dtype=complex)
        for idx in np.ndindex(value.shape):
            params = dict(cell.params)
            params[name] = value.astype(complex)
            params[name][idx] += 1e-30j
            step[idx] = np.sum(w * forward(cell, params, xs).final_state()).imag / 1e-30
        np.testing.assert_allclose(
            grads[name], step.real, rtol=0, atol=1e-13 * max(1.0, np.abs(step).max()), err_msg=name
        )
