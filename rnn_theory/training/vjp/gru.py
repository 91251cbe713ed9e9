"""BPTT for the GRU with the reset gate after the matmul (docs/design.md#cell-zoo):

    r = σ(a_r), z = σ(a_z), u = W_n h + c_n, h̃ = tanh(a_n), a_n = U_n x + b_n + r⊙u,
    h' = (1 − z)⊙h + z⊙h̃.

Going back one step, with the recorded r, z, h̃:

    ∂L/∂a_z = ∂L/∂h' ⊙ (h̃ − h) ⊙ z(1 − z)     ∂L/∂a_n = ∂L/∂h' ⊙ z ⊙ (1 − h̃²)
    ∂L/∂a_r = ∂L/∂a_n ⊙ u ⊙ r(1 − r)            ∂L/∂u = ∂L/∂a_n ⊙ r
    ∂L/∂h = ∂L/∂h' ⊙ (1 − z) + W_rᵀ ∂L/∂a_r + W_zᵀ ∂L/∂a_z + W_nᵀ ∂L/∂u

W_n and c_n see ∂L/∂u, while U_n and b_n see ∂L/∂a_n. u is not an output of a nonlinearity, so
it is recomputed for all steps at once (one batched matmul).
"""

import numpy as np

from ._sums import outer_sum, split_gates


def vjp(tape, dh):
    p, n = tape.params, tape.cell.hidden_size
    slope = tape.cell.gate_slope  # σ' = y(1 − y) from the gate's value y, or a hard sigmoid's slope
    W_stacked_T = np.vstack([p["W_r"], p["W_z"], p["W_n"]]).T
    h_prev = np.stack(tape.parts[0][:-1])
    u = np.matmul(p["W_n"], h_prev) + p["c_n"][:, None]
    # dA[t] stacks (∂L/∂a_r, ∂L/∂a_z, ∂L/∂u, ∂L/∂a_n): rows 0..3n for W, rows (0, 1, 3) for U and b.
    dA = np.empty((tape.steps, 4, n, dh.shape[1]))
    for t in reversed(range(tape.steps)):
        r, z, h_tilde = tape.gates[t]
        da = dA[t]
        np.multiply(dh * (h_tilde - h_prev[t]), slope(z), out=da[1])
        np.multiply(dh * z, 1 - h_tilde * h_tilde, out=da[3])
        np.multiply(da[3] * u[t], slope(r), out=da[0])
        np.multiply(da[3], r, out=da[2])
        dh = dh * (1 - z) + W_stacked_T @ da[:3].reshape(3 * n, -1)
    T = tape.steps
    dW = outer_sum(dA[:, :3].reshape(T, 3 * n, -1), h_prev)
    dX = dA[:, [0, 1, 3]].reshape(T, 3 * n, -1)
    grads = {
        **split_gates(dW, "rzn", "W", n),
        **split_gates(outer_sum(dX, tape.xs), "rzn", "U", n),
        **split_gates(dX.sum(axis=(0, 2)), "rzn", "b", n),
        "c_n": dA[:, 2].sum(axis=(0, 2)),
    }
    return grads, (dh,)
