"""BPTT for the GRU with the reset gate before the matmul (docs/design.md#cell-zoo, ``gru_rb``):

    r = σ(a_r), z = σ(a_z), h̃ = tanh(a_n), a_n = W_n (r⊙h) + U_n x + b_n, h' = (1 − z)⊙h + z⊙h̃.

Going back one step, with the recorded r, z, h̃:

    ∂L/∂a_z = ∂L/∂h' ⊙ (h̃ − h) ⊙ z(1 − z)     ∂L/∂a_n = ∂L/∂h' ⊙ z ⊙ (1 − h̃²)
    ∂L/∂(r⊙h) = W_nᵀ ∂L/∂a_n                   ∂L/∂a_r = ∂L/∂(r⊙h) ⊙ h ⊙ r(1 − r)
    ∂L/∂h = ∂L/∂h' ⊙ (1 − z) + r ⊙ ∂L/∂(r⊙h) + W_rᵀ ∂L/∂a_r + W_zᵀ ∂L/∂a_z

∂L/∂W_n = Σ_t ∂L/∂a_n (r⊙h)ᵀ; the other gradients as for the plain gates.
"""

import numpy as np

from ._sums import gate_grads, outer_sum


def vjp(tape, dh):
    p, n = tape.params, tape.cell.hidden_size
    slope = tape.cell.gate_slope  # σ' = y(1 − y) from the gate's value y, or a hard sigmoid's slope
    W_rz_T, W_n_T = np.vstack([p["W_r"], p["W_z"]]).T, p["W_n"].T
    h_prev = tape.parts[0][:-1]
    dA = np.empty((tape.steps, 3, n, dh.shape[1]))  # ∂L/∂a_r, ∂L/∂a_z, ∂L/∂a_n
    rh = np.empty((tape.steps, n, dh.shape[1]))
    for t in reversed(range(tape.steps)):
        r, z, h_tilde = tape.gates[t]
        da, h = dA[t], h_prev[t]
        np.multiply(r, h, out=rh[t])
        np.multiply(dh * (h_tilde - h), slope(z), out=da[1])
        np.multiply(dh * z, 1 - h_tilde * h_tilde, out=da[2])
        d_rh = W_n_T @ da[2]
        np.multiply(d_rh * h, slope(r), out=da[0])
        dh = dh * (1 - z) + r * d_rh + W_rz_T @ da[:2].reshape(2 * n, -1)
    grads = gate_grads(dA.reshape(tape.steps, 3 * n, -1), tape, "rzn")
    grads["W_n"] = outer_sum(dA[:, 2], rh)
    return grads, (dh,)
