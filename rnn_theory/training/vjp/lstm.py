"""BPTT for the LSTM family with h' = o⊙tanh(c'): lstm, lstm_nofg (f ≡ 1), cifg (i = 1 − f).

With the recorded gates and tanh(c') of each step, going back one step (all cells):

    ∂L/∂c' += ∂L/∂h' ⊙ o ⊙ (1 − tanh²(c'))       ∂L/∂a_o = ∂L/∂h' ⊙ tanh(c') ⊙ o(1 − o)
    ∂L/∂h = Σ_k W_kᵀ ∂L/∂a_k  (one matmul with the gates' W stacked)

and through the cell update, per variant (``_CAROUSELS``):

    lstm       c' = f⊙c + i⊙g:       ∂L/∂a_i = ∂L/∂c'⊙g⊙i(1−i), ∂L/∂a_f = ∂L/∂c'⊙c⊙f(1−f),
                                      ∂L/∂a_g = ∂L/∂c'⊙i⊙(1−g²), ∂L/∂c = ∂L/∂c'⊙f
    lstm_nofg  c' = c + i⊙g:         as lstm without a_f, and ∂L/∂c = ∂L/∂c' (the CEC)
    cifg       c' = f⊙c + (1−f)⊙g:   ∂L/∂a_f = ∂L/∂c'⊙(c − g)⊙f(1−f), ∂L/∂a_g = ∂L/∂c'⊙(1−f)⊙(1−g²),
                                      ∂L/∂c = ∂L/∂c'⊙f

The parameter gradients are Σ_t ∂L/∂a_k h_{t−1}ᵀ etc., one GEMM each over all steps.
"""

import numpy as np

from ._sums import gate_grads


def _lstm(gates, c, dc, da):
    i, f, g = gates
    np.multiply(dc * g, i * (1 - i), out=da[0])
    np.multiply(dc * c, f * (1 - f), out=da[1])
    np.multiply(dc * i, 1 - g * g, out=da[2])
    return dc * f


def _nofg(gates, c, dc, da):
    i, g = gates
    np.multiply(dc * g, i * (1 - i), out=da[0])
    np.multiply(dc * i, 1 - g * g, out=da[1])
    return dc


def _cifg(gates, c, dc, da):
    f, g = gates
    np.multiply(dc * (c - g), f * (1 - f), out=da[0])
    np.multiply(dc * (1 - f), 1 - g * g, out=da[1])
    return dc * f


# Cell key -> (gate letters in the order ``update`` records them, then o; the carousel step).
_CAROUSELS = {"lstm": ("ifgo", _lstm), "lstm_nofg": ("igo", _nofg), "cifg": ("fgo", _cifg)}


def vjp(tape, dh, dc):
    letters, carousel = _CAROUSELS[tape.cell.key]
    p, n, k = tape.params, tape.cell.hidden_size, len(letters)
    W_stacked_T = np.vstack([p[f"W_{g}"] for g in letters]).T
    c_states = tape.parts[1]
    dA = np.empty((tape.steps, k, n, dh.shape[1]))
    for t in reversed(range(tape.steps)):
        *inputs, o, tanh_c = tape.gates[t]
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        da = dA[t]
        np.multiply(dh * tanh_c, o * (1 - o), out=da[-1])
        dc = carousel(inputs, c_states[t], dc, da)
        dh = W_stacked_T @ da.reshape(k * n, -1)
    return gate_grads(dA.reshape(tape.steps, k * n, -1), tape, letters), (dh, dc)
