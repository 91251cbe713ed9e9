"""BPTT for the sLSTM (Beck et al. 2024), state [h; c; n; m], from its update (``cells.slstm``):

    ã_X = W_X x + R_X h + b_X (X = i, f, z, o),  z = tanh(ã_z),  o = σ(ã_o),  ln f = −softplus(−ã_f)
    m' = ã_i + relu(u),  u = ln f + m − ã_i,  i' = exp(ã_i − m'),  f' = exp(ln f + m − m')
    c' = f' c + i' z,  n' = f' n + i',  h' = o c'/n'

Going back one step from the cotangents of (h', c', n', m'), with the recorded z, o, softplus(−ã_f),
relu(u), i', f' and s = [relu(u) > 0] (relu' as the cells take it, 0 at a tie):

    ∂L/∂ã_o = ∂L/∂h' ⊙ c'/n' ⊙ o(1 − o)
    ∂L/∂c' += ∂L/∂h' ⊙ o/n'          ∂L/∂n' −= ∂L/∂h' ⊙ o c'/n'²
    ∂L/∂(ln f + m − m') = (∂L/∂c' ⊙ c + ∂L/∂n' ⊙ n) ⊙ f'     (the exponent of f')
    ∂L/∂(ã_i − m') = (∂L/∂c' ⊙ z + ∂L/∂n') ⊙ i'              (the exponent of i')
    ∂L/∂ã_z = ∂L/∂c' ⊙ i' ⊙ (1 − z²)
    μ = ∂L/∂m' − ∂L/∂(ã_i − m') − ∂L/∂(ln f + m − m')      (everything that reaches m')
    ∂L/∂ã_i = ∂L/∂(ã_i − m') + μ ⊙ (1 − s)
    ∂L/∂ln f = ∂L/∂m = ∂L/∂(ln f + m − m') + μ ⊙ s
    ∂L/∂ã_f = ∂L/∂ln f ⊙ σ(−ã_f),  σ(−ã_f) = 1 − e^{−softplus(−ã_f)}
    ∂L/∂c = ∂L/∂c' ⊙ f'    ∂L/∂n = ∂L/∂n' ⊙ f'    ∂L/∂h = Σ_X R_Xᵀ ∂L/∂ã_X

∂L/∂W_X = Σ_t ∂L/∂ã_X x_tᵀ, ∂L/∂R_X = Σ_t ∂L/∂ã_X h_{t−1}ᵀ, ∂L/∂b_X = Σ_t ∂L/∂ã_X.
"""

import numpy as np

from ._sums import gate_grads

_LETTERS = "ifzo"  # the row blocks of ∂L/∂ã, as R is stacked


def vjp(tape, dh, dc, dn, dm):
    p, n = tape.params, tape.cell.hidden_size
    R_stacked_T = np.vstack([p[f"R_{g}"] for g in _LETTERS]).T
    _, c_states, n_states, _ = tape.parts
    dA = np.empty((tape.steps, 4, n, dh.shape[1]))
    for t in reversed(range(tape.steps)):
        z, o, softplus_f, relu_u, i, f = tape.gates[t]
        c, c_new, norm, n_new = c_states[t], c_states[t + 1], n_states[t], n_states[t + 1]
        da = dA[t]
        ratio = c_new / n_new
        np.multiply(dh * ratio, o * (1 - o), out=da[3])
        dc = dc + dh * o / n_new
        dn = dn - dh * o * ratio / n_new
        d_f_exponent = (dc * c + dn * norm) * f
        d_i_exponent = (dc * z + dn) * i
        np.multiply(dc * i, 1 - z * z, out=da[2])
        mu = dm - d_i_exponent - d_f_exponent
        through_u = mu * (relu_u > 0)
        np.add(d_i_exponent, mu - through_u, out=da[0])
        dm = d_f_exponent + through_u
        np.multiply(dm, -np.expm1(-softplus_f), out=da[1])
        dc, dn = dc * f, dn * f
        dh = R_stacked_T @ da.reshape(4 * n, -1)
    grads = gate_grads(dA.reshape(tape.steps, 4 * n, -1), tape, _LETTERS, recurrent="R", inputs="W")
    return grads, (dh, dc, dn, dm)
