"""gradient_norms against PyTorch autograd: a batched VJP from s_T back to every s_t (skipped
without torch)."""

import numpy as np
import pytest

import rnn_theory as rt

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
