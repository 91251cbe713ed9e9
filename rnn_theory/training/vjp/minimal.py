"""BPTT for the cells whose gates see only the input (Feng et al. 2024): mingru and minlstm.

    mingru:  z = σ(a_z), h̃ = U_h x + b_h, h' = (1 − z)⊙h + z⊙h̃
             ∂L/∂a_z = ∂L/∂h' ⊙ (h̃ − h) ⊙ z(1 − z),  ∂L/∂h̃ = ∂L/∂h' ⊙ z,  ∂L/∂h = ∂L/∂h' ⊙ (1 − z)
    minlstm: f̂ = f/(f + i), î = i/(f + i), h' = f̂⊙h + î⊙h̃; with s = f + i,
             ∂L/∂a_f = ∂L/∂h' ⊙ (h − h̃) ⊙ i/s² ⊙ f(1 − f),  ∂L/∂a_i = ∂L/∂h' ⊙ (h̃ − h) ⊙ f/s² ⊙ i(1 − i),
             ∂L/∂h̃ = ∂L/∂h' ⊙ î,  ∂L/∂h = ∂L/∂h' ⊙ f̂

h̃ is linear (not recorded), so it is recomputed for all steps at once; ∂L/∂U_k = Σ_t ∂L/∂a_k x_tᵀ.
"""

import numpy as np

from ._sums import outer_sum, split_gates


def _candidates(tape):
    p = tape.params
    return np.matmul(p["U_h"], tape.xs) + p["b_h"][:, None]


def _input_grads(dA, tape, letters):
    n = tape.cell.hidden_size
    stacked = dA.reshape(tape.steps, len(letters) * n, -1)
    return {
        **split_gates(outer_sum(stacked, tape.xs), letters, "U", n),
        **split_gates(stacked.sum(axis=(0, 2)), letters, "b", n),
    }


def vjp_mingru(tape, dh):
    h_tilde, h_prev = _candidates(tape), tape.parts[0]
    dA = np.empty((tape.steps, 2) + dh.shape)  # ∂L/∂a_z, ∂L/∂h̃
    for t in reversed(range(tape.steps)):
        (z,) = tape.gates[t]
        np.multiply(dh * (h_tilde[t] - h_prev[t]), z * (1 - z), out=dA[t, 0])
        np.multiply(dh, z, out=dA[t, 1])
        dh = dh * (1 - z)
    return _input_grads(dA, tape, "zh"), (dh,)


def vjp_minlstm(tape, dh):
    h_tilde, h_prev = _candidates(tape), tape.parts[0]
    dA = np.empty((tape.steps, 3) + dh.shape)  # ∂L/∂a_f, ∂L/∂a_i, ∂L/∂h̃
    for t in reversed(range(tape.steps)):
        f, i = tape.gates[t]
        s = f + i
        gap = dh * (h_prev[t] - h_tilde[t]) / (s * s)
        np.multiply(gap * i, f * (1 - f), out=dA[t, 0])
        np.multiply(-gap * f, i * (1 - i), out=dA[t, 1])
        np.multiply(dh, i / s, out=dA[t, 2])
        dh = dh * (f / s)
    return _input_grads(dA, tape, "fih"), (dh,)
