"""PyTorch as an independent implementation of the newer cells (indrnn, rglru, mamba, slstm, mlstm):
each step written here from its paper's equations in torch (the RG-LRU's a^{c·r} as a power, the
sLSTM's max with torch.maximum and ln f with logsigmoid, the mLSTM's memory as an n×n matrix with
torch.outer and max(|n'ᵀq|, e^{−m'}) with torch.abs), its Jacobian by torch.autograd, against
the cell's ``step`` and closed-form ``jacobian``. Skipped when torch is not installed."""

import numpy as np
import pytest
from conftest import generic_cell, generic_point

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch
torch.set_default_dtype(torch.float64)


def _indrnn(p, x, s):
    return torch.relu(p["u"] * s + p["W"] @ x + p["b"])


def _rglru(p, x, s):
    x_in = p["W_in"] @ x
    r, i = torch.sigmoid(p["W_a"] @ x_in + p["b_a"]), torch.sigmoid(p["W_x"] @ x_in + p["b_x"])
    a_t = torch.sigmoid(p["Lambda"]) ** (8 * r)
    return a_t * s + torch.sqrt(1 - a_t**2) * (i * x_in)


def _mamba(p, x, s):
    delta = torch.nn.functional.softplus(p["W_delta"] @ x + p["b_delta"])
    return torch.exp(delta * p["A"]) * s + delta * (p["W_B"] @ x) * (p["W_u"] @ x)


def _slstm(p, x, s):
    h, c, n, m = s.reshape(4, -1)
    a = {g: p[f"W_{g}"] @ x + p[f"R_{g}"] @ h + p[f"b_{g}"] for g in "zifo"}
    log_f = torch.nn.functional.logsigmoid(a["f"])
    m_new = torch.maximum(log_f + m, a["i"])
    i, f = torch.exp(a["i"] - m_new), torch.exp(log_f + m - m_new)
    c_new, n_new = f * c + i * torch.tanh(a["z"]), f * n + i
    return torch.cat([torch.sigmoid(a["o"]) * c_new / n_new, c_new, n_new, m_new])


def _mlstm(p, x, s):
    n = p["W_q"].shape[0]
    h, C, norm, m = torch.split(s, [n, n * n, n, 1])
    q, k, v = p["W_q"] @ x + p["b_q"], (p["W_k"] @ x + p["b_k"]) / n**0.5, p["W_v"] @ x + p["b_v"]
    a_i, log_f = p["w_i"] @ x + p["b_i"], torch.nn.functional.logsigmoid(p["w_f"] @ x + p["b_f"])
    m_new = torch.maximum(log_f + m, a_i)
    i, f = torch.exp(a_i - m_new), torch.exp(log_f + m - m_new)
    C_new, n_new = f * C.reshape(n, n) + i * torch.outer(v, k), f * norm + i * k
    h_new = (
        torch.sigmoid(p["W_o"] @ x + p["b_o"]) * (C_new @ q) / torch.maximum(torch.abs(n_new @ q), torch.exp(-m_new))
    )
    return torch.cat([h_new, C_new.reshape(-1), n_new, m_new])


STEPS = {"indrnn": _indrnn, "rglru": _rglru, "mamba": _mamba, "slstm": _slstm, "mlstm": _mlstm}


@pytest.mark.parametrize("key", sorted(STEPS))
@pytest.mark.parametrize("n,m,seed", [(1, 1, 0), (3, 2, 1), (5, 4, 2)])
def test_step_and_jacobian_match_torch(key, n, m, seed):
    cell = generic_cell(key, n, m, seed)
    x, s = generic_point(cell, seed)
    if key == "slstm":
        s[2 * n : 3 * n] = np.abs(s[2 * n : 3 * n]) + 0.5  # a normaliser n > 0, as every run keeps it
    p = {name: torch.tensor(value) for name, value in cell.params.items()}
    step = lambda state: STEPS[key](p, torch.tensor(x), state)  # noqa: E731
    want = step(torch.tensor(s)).numpy()
    J_torch = torch.autograd.functional.jacobian(step, torch.tensor(s)).numpy()
    # Same equations in a different order of operations (the RG-LRU's power against exp/softplus):
    # agreement to a few ulps per operation; 1e-12 relative leaves headroom over ~1e-15.
    assert np.abs(cell.step(x, s) - want).max() <= 1e-12 * max(1.0, np.abs(want).max())
    J = cell.jacobian(x, s)
    assert np.abs(J - J_torch).max() <= 1e-12 * max(1.0, np.abs(J).max())
