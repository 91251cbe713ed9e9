"""PyTorch as an independent implementation: nn.RNN / nn.LSTM / nn.GRU steps and
torch.autograd Jacobians on the same weights, after the convention mapping of docs/design.md#import-conventions:
gate order (i, f, g, o) and (r, z, n), two biases, and the GRU's negated z-gate.
Skipped when torch is not installed."""

import numpy as np
import pytest
from conftest import generic_cell, generic_point

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_default_dtype(torch.float64)


def two_biases(b, rng):
    """Split a native bias into PyTorch's (b_ih, b_hh): only their sum matters for these gates."""
    share = rng.normal(size=b.shape)
    return b - share, share


def torch_module(cell, rng):
    p, n, m = cell.params, cell.hidden_size, cell.input_size
    if cell.key == "rnn":
        module = torch.nn.RNN(m, n, nonlinearity=cell.activation)
        w_ih, w_hh, (b_ih, b_hh) = p["U"], p["W"], two_biases(p["b"], rng)
    elif cell.key == "lstm":
        module = torch.nn.LSTM(m, n)
        w_ih = np.vstack([p[f"U_{k}"] for k in "ifgo"])
        w_hh = np.vstack([p[f"W_{k}"] for k in "ifgo"])
        b_ih, b_hh = two_biases(np.concatenate([p[f"b_{k}"] for k in "ifgo"]), rng)
    else:  # gru: PyTorch's z is our 1 − z, i.e. σ of the negated pre-activation
        module = torch.nn.GRU(m, n)
        w_ih = np.vstack([p["U_r"], -p["U_z"], p["U_n"]])
        w_hh = np.vstack([p["W_r"], -p["W_z"], p["W_n"]])
        (bi_r, bh_r), (bi_z, bh_z) = two_biases(p["b_r"], rng), two_biases(-p["b_z"], rng)
        b_ih, b_hh = np.concatenate([bi_r, bi_z, p["b_n"]]), np.concatenate([bh_r, bh_z, p["c_n"]])
    with torch.no_grad():
        for name, value in dict(weight_ih_l0=w_ih, weight_hh_l0=w_hh, bias_ih_l0=b_ih, bias_hh_l0=b_hh).items():
            getattr(module, name).copy_(torch.tensor(value))
    return module


def torch_step(module, cell, x, s):
    n = cell.hidden_size
    xt = x.reshape(1, 1, -1)
    if cell.key == "lstm":
        _, (h, c) = module(xt, (s[:n].reshape(1, 1, n), s[n:].reshape(1, 1, n)))
        return torch.cat([h.reshape(n), c.reshape(n)])
    _, h = module(xt, s.reshape(1, 1, n))
    return h.reshape(n)


CASES = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}), ("gru", {})]


@pytest.mark.parametrize("key,options", CASES, ids=["rnn-tanh", "rnn-relu", "lstm", "gru"])
@pytest.mark.parametrize("n,m", [(1, 1), (3, 2), (8, 5)])
def test_step_and_jacobians_agree_with_torch(key, options, n, m):
    rng = np.random.default_rng(n * 10 + m)
    cell = generic_cell(key, n, m, seed=n, **options)
    module = torch_module(cell, rng)
    x, s = generic_point(cell, n)
    xt, st = torch.from_numpy(x), torch.from_numpy(s)
    # Same float64 arithmetic in a different order: agreement to a few ulps of O(1) values.
    np.testing.assert_allclose(cell.step(x, s), torch_step(module, cell, xt, st).detach().numpy(), rtol=0, atol=1e-14)
    J_torch = torch.autograd.functional.jacobian(lambda state: torch_step(module, cell, xt, state), st).numpy()
    np.testing.assert_allclose(cell.jacobian(x, s), J_torch, rtol=0, atol=1e-13 * max(1.0, np.abs(J_torch).max()))
    # ∂s'/∂x, through which a stack's upper layer reads the layer below, against autograd through x
    X_torch = torch.autograd.functional.jacobian(lambda inp: torch_step(module, cell, inp, st), xt).numpy()
    np.testing.assert_allclose(cell.input_jacobian(x, s), X_torch, rtol=0, atol=1e-13 * max(1.0, np.abs(X_torch).max()))
