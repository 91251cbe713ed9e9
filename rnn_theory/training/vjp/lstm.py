"""BPTT for the LSTM family with h' = o⊙tanh(c'): lstm, lstm_nofg (f ≡ 1), cifg (i = 1 − f), peephole.

With the recorded gates and tanh(c') of each step, going back one step (all cells):

    ∂L/∂c' += ∂L/∂h' ⊙ o ⊙ (1 − tanh²(c'))       ∂L/∂a_o = ∂L/∂h' ⊙ tanh(c') ⊙ o(1 − o)
    ∂L/∂h = Σ_k W_kᵀ ∂L/∂a_k  (one matmul with the gates' W stacked)

and through the cell update, per variant (``_CAROUSELS``):

    lstm       c' = f⊙c + i⊙g:       ∂L/∂a_i = ∂L/∂c'⊙g⊙i(1−i), ∂L/∂a_f = ∂L/∂c'⊙c⊙f(1−f),
                                      ∂L/∂a_g = ∂L/∂c'⊙i⊙(1−g²), ∂L/∂c = ∂L/∂c'⊙f
    lstm_nofg  c' = c + i⊙g:         as lstm without a_f, and ∂L/∂c = ∂L/∂c' (the CEC)
    cifg       c' = f⊙c + (1−f)⊙g:   ∂L/∂a_f = ∂L/∂c'⊙(c − g)⊙f(1−f), ∂L/∂a_g = ∂L/∂c'⊙(1−f)⊙(1−g²),
                                      ∂L/∂c = ∂L/∂c'⊙f

    peephole   as lstm, with p_i⊙c in a_i, p_f⊙c in a_f, p_o⊙c' in a_o: then also
               ∂L/∂c' += ∂L/∂a_o ⊙ p_o,  ∂L/∂c += ∂L/∂a_i ⊙ p_i + ∂L/∂a_f ⊙ p_f,
               ∂L/∂p_i = Σ ∂L/∂a_i ⊙ c,  ∂L/∂p_f = Σ ∂L/∂a_f ⊙ c,  ∂L/∂p_o = Σ ∂L/∂a_o ⊙ c'

With hard-sigmoid gates (``gate_activation``) each y(1 − y) above is the hard sigmoid's slope where
0 < y < 1 and 0 where the gate is flat (``GatedCell.gate_slope``). The parameter gradients are Σ_t ∂L/∂a_k h_{t−1}ᵀ etc., one GEMM each over all steps.
"""

import numpy as np

from ._sums import gate_grads


def _lstm(gates, c, dc, da, slope):
    i, f, g = gates
    np.multiply(dc * g, slope(i), out=da[0])
    np.multiply(dc * c, slope(f), out=da[1])
    np.multiply(dc * i, 1 - g * g, out=da[2])
    return dc * f


def _nofg(gates, c, dc, da, slope):
    i, g = gates
    np.multiply(dc * g, slope(i), out=da[0])
    np.multiply(dc * i, 1 - g * g, out=da[1])
    return dc


def _cifg(gates, c, dc, da, slope):
    f, g = gates
    np.multiply(dc * (c - g), slope(f), out=da[0])
    np.multiply(dc * (1 - f), 1 - g * g, out=da[1])
    return dc * f


# Cell key -> (gate letters in the order ``update`` records them, then o; the carousel step).
_CAROUSELS = {"lstm": ("ifgo", _lstm), "lstm_nofg": ("igo", _nofg), "cifg": ("fgo", _cifg), "peephole": ("ifgo", _lstm)}


def vjp(tape, dh, dc):
    letters, carousel = _CAROUSELS[tape.cell.key]
    slope = tape.cell.gate_slope  # σ' = y(1 − y) from the gate's value y, or a hard sigmoid's slope
    p, n, k = tape.params, tape.cell.hidden_size, len(letters)
    peep = tape.cell.key == "peephole"
    if peep:
        p_i, p_f, p_o = (p[name][:, None] for name in ("p_i", "p_f", "p_o"))
    W_stacked_T = np.vstack([p[f"W_{g}"] for g in letters]).T
    c_states = tape.parts[1]
    dA = np.empty((tape.steps, k, n, dh.shape[1]))
    for t in reversed(range(tape.steps)):
        *inputs, o, tanh_c = tape.gates[t]
        da = dA[t]
        np.multiply(dh * tanh_c, slope(o), out=da[-1])
        dc = dc + dh * o * (1 - tanh_c * tanh_c)
        if peep:
            dc += da[-1] * p_o
        dc = carousel(inputs, c_states[t], dc, da, slope)
        if peep:
            dc += da[0] * p_i + da[1] * p_f
        dh = W_stacked_T @ da.reshape(k * n, -1)
    grads = gate_grads(dA.reshape(tape.steps, k * n, -1), tape, letters)
    if peep:
        c = np.stack(c_states)
        grads.update(
            p_i=(dA[:, 0] * c[:-1]).sum(axis=(0, 2)),
            p_f=(dA[:, 1] * c[:-1]).sum(axis=(0, 2)),
            p_o=(dA[:, 3] * c[1:]).sum(axis=(0, 2)),
        )
    return grads, (dh, dc)
