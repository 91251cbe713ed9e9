"""BPTT and the optimiser against PyTorch: autograd gradients of nn.RNN / nn.LSTM / nn.GRU through
a whole sequence, and torch.optim.Adam with clip_grad_norm_. Skipped without torch."""

import numpy as np
import pytest
from conftest import generic_cell

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
from test_torch_oracle import torch_module  # noqa: E402  (the native -> PyTorch weight mapping)

from rnn_theory.training import backward, forward  # noqa: E402
from rnn_theory.training.adam import Adam, clip_global_norm  # noqa: E402


def native_grads(cell, module):
    """PyTorch's parameter gradients in native names, undoing the mapping of ``torch_module``."""
    n = cell.hidden_size
    g = {
        name: getattr(module, name).grad.numpy()
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    }
    if cell.key == "rnn":
        return {"U": g["weight_ih_l0"], "W": g["weight_hh_l0"], "b": g["bias_ih_l0"]}
    letters, signs = ("ifgo", [1] * 4) if cell.key == "lstm" else ("rzn", [1, -1, 1])
    out = {}
    for j, (letter, sign) in enumerate(zip(letters, signs)):
        rows = slice(j * n, (j + 1) * n)
        out[f"U_{letter}"] = sign * g["weight_ih_l0"][rows]
        out[f"W_{letter}"] = sign * g["weight_hh_l0"][rows]
        out[f"b_{letter}"] = sign * g["bias_ih_l0"][rows]
    if cell.key == "gru":
        out["c_n"] = g["bias_hh_l0"][2 * n :]
    return out


def torch_final_state(cell, module, xs, s0):
    n = cell.hidden_size
    x = torch.tensor(xs.transpose(0, 2, 1).copy())  # (T, B, m)
    h0 = torch.tensor(s0[:n].T.copy())[None]
    if cell.key == "lstm":
        c0 = torch.tensor(s0[n:].T.copy())[None]
        _, (h, c) = module(x, (h0, c0))
        return torch.cat([h[0].T, c[0].T])
    _, h = module(x, h0)
    return h[0].T


CASES = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("lstm", {}), ("gru", {})]


@pytest.mark.parametrize("key,options", CASES, ids=["rnn-tanh", "rnn-relu", "lstm", "gru"])
@pytest.mark.parametrize("n,m,T,B", [(2, 1, 4, 1), (5, 3, 12, 4)])
def test_bptt_matches_torch_autograd(key, options, n, m, T, B):
    cell = generic_cell(key, n, m, seed=T, **options)
    rng = np.random.default_rng(T)
    module = torch_module(cell, rng)
    xs, s0, w = (
        rng.normal(size=(T, m, B)),
        0.5 * rng.normal(size=(cell.state_size, B)),
        rng.normal(size=(cell.state_size, B)),
    )
    (torch_final_state(cell, module, xs, s0) * torch.tensor(w)).sum().backward()
    grads, _ = backward(forward(cell, cell.params, xs, s0), w)
    expected = native_grads(cell, module)
    assert sorted(expected) == sorted(grads)
    for name, value in expected.items():
        # Two float64 implementations summing O(T·B) terms of size O(1) in different orders.
        np.testing.assert_allclose(grads[name], value, rtol=0, atol=1e-12 * max(1.0, np.abs(value).max()), err_msg=name)


def test_adam_matches_torch_optim():
    rng = np.random.default_rng(0)
    params = {"a": rng.normal(size=(3, 2)), "b": rng.normal(size=4)}
    tparams = [torch.tensor(v.copy(), requires_grad=True) for v in params.values()]
    ours, theirs = Adam(params, lr=0.05), torch.optim.Adam(tparams, lr=0.05)
    for step in range(5):
        grads = {k: rng.normal(size=v.shape) * (10 if step % 2 else 0.1) for k, v in params.items()}
        for t, g in zip(tparams, grads.values()):
            t.grad = torch.tensor(g.copy())
        ours.step(params, grads)
        theirs.step()
    for v, t in zip(params.values(), tparams):
        # The same update with the bias corrections applied in a different order: a few ulps.
        np.testing.assert_allclose(v, t.detach().numpy(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("scale", [0.1, 10.0])
def test_clipping_matches_torch_clip_grad_norm(scale):
    rng = np.random.default_rng(1)
    grads = {"a": scale * rng.normal(size=(3, 2)), "b": scale * rng.normal(size=4)}
    tensors = [torch.zeros(g.shape, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g.copy())
    norm = clip_global_norm(grads, 1.0)
    assert norm == pytest.approx(float(torch.nn.utils.clip_grad_norm_(tensors, 1.0)), rel=1e-15)
    # torch scales by 1/(‖g‖ + 1e-6) where Pascanu's Algorithm 1 has 1/‖g‖: relative gap ≤ 1e-6/‖g‖.
    for g, t in zip(grads.values(), tensors):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1.1e-6 / norm if norm >= 1 else 0, atol=0)


def torch_mlstm_final_state(params, xs, s0, n):
    """The mLSTM of Beck et al. 2024 (section 2.3, one head, the stabiliser as in the official code),
    written here in PyTorch from the paper's equations, batch first: the final state [h; C; n; m]."""
    F = torch.nn.functional
    x = torch.tensor(xs.transpose(2, 0, 1).copy())  # (B, T, m)
    B = x.shape[0]
    s0 = torch.tensor(s0.T.copy())
    C, norm, m = s0[:, n : n + n * n].reshape(B, n, n), s0[:, n + n * n : 2 * n + n * n], s0[:, -1:]
    h = s0[:, :n]
    for t in range(x.shape[1]):
        xt = x[:, t]
        q, v = xt @ params["W_q"].T + params["b_q"], xt @ params["W_v"].T + params["b_v"]
        k = (xt @ params["W_k"].T + params["b_k"]) / n**0.5
        o = torch.sigmoid(xt @ params["W_o"].T + params["b_o"])
        i_tilde, f_tilde = xt @ params["w_i"].T + params["b_i"], xt @ params["w_f"].T + params["b_f"]
        log_f = F.logsigmoid(f_tilde)
        m_new = torch.maximum(log_f + m, i_tilde)
        i, f = torch.exp(i_tilde - m_new), torch.exp(log_f + m - m_new)
        C = f[:, :, None] * C + i[:, :, None] * v[:, :, None] * k[:, None, :]
        norm = f * norm + i * k
        denominator = torch.maximum((norm * q).sum(1, keepdim=True).abs(), torch.exp(-m_new))
        h = o * (C @ q[:, :, None])[:, :, 0] / denominator
        m = m_new
    return torch.cat([h, C.reshape(B, n * n), norm, m], dim=1).T


@pytest.mark.parametrize("n,m,T,B", [(2, 1, 4, 1), (4, 3, 12, 5)])
def test_mlstm_bptt_matches_torch_autograd(n, m, T, B):
    """The closed-form mLSTM VJP against autograd of an independent transcription of its equations."""
    cell = generic_cell("mlstm", n, m, seed=T)
    rng = np.random.default_rng(T)
    xs, s0 = rng.normal(size=(T, m, B)), 0.5 * rng.normal(size=(cell.state_size, B))
    w = rng.normal(size=(cell.state_size, B))
    params = {name: torch.tensor(value, requires_grad=True) for name, value in cell.params.items()}
    final = torch_mlstm_final_state(params, xs, s0, n)
    np.testing.assert_allclose(
        final.detach().numpy(), forward(cell, cell.params, xs, s0).final_state(), rtol=0, atol=1e-12
    )
    (final * torch.tensor(w)).sum().backward()
    grads, _ = backward(forward(cell, cell.params, xs, s0), w)
    for name, value in params.items():
        expected = value.grad.numpy()
        np.testing.assert_allclose(
            grads[name], expected, rtol=0, atol=1e-12 * max(1.0, np.abs(expected).max()), err_msg=name
        )
