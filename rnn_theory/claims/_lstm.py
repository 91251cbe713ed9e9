"""LSTM-family quantities that the gate claims compare, computed from the parameters directly
(σ as 1/(1+e^{−a}), derivatives by complex step) rather than through the cells' Jacobian code."""

import numpy as np

from ._complex_step import jacobian
from ._products import jacobian_products

# The forget biases of the frameworks' initialisations: PyTorch's 0 and Keras' unit_forget_bias 1
# (Jozefowicz et al. 2015, after Gers et al. 2000): the standard settings of the settings rule.
STANDARD_FORGET_BIASES = (0.0, 1.0)


def logistic(a):
    with np.errstate(over="ignore"):  # e^{−a} = inf for a < −709 gives the right limit σ = 0
        return 1.0 / (1.0 + np.exp(-a))


def forget_gate(cell, x, h, c):
    """f_t of an LSTM-family cell at (x_t, h_{t−1}, c_{t−1}); ones for the 1997 cell without f."""
    p = cell.params
    if "b_f" not in p:
        return np.ones(cell.hidden_size)
    a_f = p["W_f"] @ h + p["U_f"] @ x + p["b_f"] + (p["p_f"] * c if "p_f" in p else 0.0)
    return logistic(a_f)


def output_gate(cell, x, h, c_new):
    p = cell.params
    return logistic(p["W_o"] @ h + p["U_o"] @ x + p["b_o"] + (p["p_o"] * c_new if "p_o" in p else 0.0))


def partial_carousel(cell, x, s):
    """∂c_t/∂c_{t−1} with h_{t−1} held fixed, by complex step on ``cell.step``."""
    n = cell.hidden_size
    return jacobian(lambda c: cell.step(x, np.concatenate([s[:n], c]))[n:], s[n:])


def carousel_paths(cell, xs, s0, lags):
    """For each lag τ: (ln‖∂c_T/∂c_{T−τ}‖₂, ln‖∏diag(f)‖₂, relative deviation ‖C − F‖₂/‖F‖₂), where C is
    the c-block of P_{T,τ} (all paths, through h included) and F = ∏_{t>T−τ} diag(f_t) the carousel."""
    n = cell.hidden_size
    states = cell.run(xs, s0)
    T = len(xs)
    log_f = np.log([forget_gate(cell, xs[t - 1], *np.split(states[t - 1], 2)) for t in range(1, T + 1)])
    out = {}
    for tau, (log_scale, P) in jacobian_products(cell, xs, s0, lags).items():
        log_F = log_f[T - tau :].sum(axis=0)  # diagonal of ln F
        top = log_F.max()
        C = P[n:, n:]
        deviation = np.linalg.norm(np.exp(log_scale - top) * C - np.diag(np.exp(log_F - top)), 2)
        c_norm = np.linalg.norm(C, 2)
        out[tau] = (log_scale + np.log(c_norm) if c_norm > 0 else -np.inf, top, deviation)
    return out
