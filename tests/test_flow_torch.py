"""gradient_norms against PyTorch autograd: a batched VJP from s_T back to every s_t (skipped
without torch)."""

import numpy as np
import pytest
from conftest import assert_blocks_within_their_bounds, forgetful_stack

import rnn_theory as rt
from rnn_theory.flow.norms import system_flow

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


def torch_curves(cell, xs):
    """ln‖∂s_T/∂s_{T−τ}‖₂ and its h-, c-blocks by autograd: one batched VJP per basis vector."""
    p = {k: torch.tensor(v) for k, v in cell.params.items()}
    n, d = cell.hidden_size, cell.state_size
    s = torch.zeros(d, dtype=torch.float64, requires_grad=True)
    states = [s]
    for x in torch.tensor(xs):
        if cell.key == "rnn":
            s = torch.tanh(p["W"] @ s + p["U"] @ x + p["b"])
        else:
            h, c = s[:n], s[n:]
            a = {g: p[f"W_{g}"] @ h + p[f"U_{g}"] @ x + p[f"b_{g}"] for g in "ifgo"}
            c = torch.sigmoid(a["f"]) * c + torch.sigmoid(a["i"]) * torch.tanh(a["g"])
            s = torch.cat([torch.sigmoid(a["o"]) * torch.tanh(c), c])
        states.append(s)
    grads = torch.autograd.grad(s, states[:-1], torch.eye(d, dtype=torch.float64), is_grads_batched=True)
    P = torch.stack(grads[::-1]).numpy()  # P[τ−1] = ∂s_T/∂s_{T−τ}
    with np.errstate(divide="ignore"):
        return [np.log(np.linalg.norm(B, 2, axis=(1, 2))) for B in (P, P[:, :n, :n], P[:, n:, n:])]


@pytest.mark.parametrize("key,n", [("rnn", 8), ("lstm", 5)])
def test_against_torch_autograd(key, n):
    cell = rt.CELLS[key].random(hidden_size=n, input_size=3, rng=7, gain=1.2)
    xs = np.random.default_rng(8).normal(size=(150, 3))
    full, hh, cc = torch_curves(cell, xs)
    flow = rt.gradient_norms(cell, xs)
    # Two float64 implementations of the same products: agreement to ~1e-13; 1e-9 is the bar.
    np.testing.assert_allclose(flow.log_norm, full, rtol=0, atol=1e-9)
    np.testing.assert_allclose(flow.log_norm_h, hh, rtol=0, atol=1e-9)
    if key == "lstm":
        np.testing.assert_allclose(flow.log_norm_c, cc, rtol=0, atol=1e-9)


def _torch_stack_blocks(stack, xs):
    """The forgetful stack's (LSTM under GRU) block curves ln‖P[a, b]‖₂ by autograd: the GRU's
    h' = (1 − z)⊙h + z⊙tanh(U_n x + b_n + r⊙(W_n h + c_n)), written here from its equations."""
    lstm, gru = ({k: torch.tensor(v) for k, v in cell.params.items()} for cell in stack.layers)
    n = stack.layers[0].hidden_size
    S = torch.zeros(stack.state_size, dtype=torch.float64, requires_grad=True)
    states = [S]
    for x in torch.tensor(xs):
        h, c, g = S[:n], S[n : 2 * n], S[2 * n :]
        a = {k: lstm[f"W_{k}"] @ h + lstm[f"U_{k}"] @ x + lstm[f"b_{k}"] for k in "ifgo"}
        c = torch.sigmoid(a["f"]) * c + torch.sigmoid(a["i"]) * torch.tanh(a["g"])
        h = torch.sigmoid(a["o"]) * torch.tanh(c)
        r, z = (torch.sigmoid(gru[f"W_{k}"] @ g + gru[f"U_{k}"] @ h + gru[f"b_{k}"]) for k in "rz")
        g = (1 - z) * g + z * torch.tanh(gru["U_n"] @ h + gru["b_n"] + r * (gru["W_n"] @ g + gru["c_n"]))
        S = torch.cat([h, c, g])
        states.append(S)
    eye = torch.eye(stack.state_size, dtype=torch.float64)
    P = torch.stack(torch.autograd.grad(S, states[:-1], eye, is_grads_batched=True)[::-1]).numpy()
    return {
        name: np.log(np.linalg.norm(P[:, stack.layout[a], stack.layout[b]], 2, axis=(1, 2)))
        for name, a, b in stack.blocks
    }


def test_exact_stack_blocks_against_autograd_when_one_falls_under_the_truncation():
    """The second route for tests/test_flow_stack.py's forgetful stack: every block within its own
    bound, or below its curve where that is an upper bound; without truncation, all to 1e-9."""
    stack, xs = forgetful_stack()
    truth = _torch_stack_blocks(stack, xs)
    flow = system_flow(stack, xs, method="exact")
    assert_blocks_within_their_bounds(flow, truth)
    assert not np.isfinite(flow.block_error_bounds["1<-1"][-1])  # an upper bound there
    full = system_flow(stack, xs, method="exact", rtol=0.0)
    for name, want in truth.items():
        np.testing.assert_allclose(full.blocks[name], want, rtol=0, atol=1e-9, err_msg=name)
