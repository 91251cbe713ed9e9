"""BPTT for the mLSTM (Beck et al. 2024), state [h; C; n; m], from its update (``cells.mlstm``):

    q = W_q x + b_q,  k = (W_k x + b_k)/√n,  v = W_v x + b_v,  o = σ(W_o x + b_o)
    ã_i = w_i x + b_i,  ln f = −softplus(−(w_f x + b_f)),  g = ln f + m − ã_i
    m' = ã_i + relu(g),  i' = exp(ã_i − m'),  f' = exp(ln f + m − m'),  e = exp(−m')
    C' = f' C + i' v kᵀ,  n' = f' n + i' k,  u = n'ᵀq,  D = e + relu(u − e) + relu(−u − e)
    h' = o ⊙ y / D,  y = C' q

Going back one step from the cotangents of (h', C', n', m'), with the recorded softplus, relu(g),
i', f', o, e, relu(u − e), relu(−u − e) and r± = [relu(±u − e) > 0], s = [relu(g) > 0] (relu' as
the cells take it, 0 at a tie):

    ∂L/∂(W_o x + b_o) = ∂L/∂h' ⊙ y/D ⊙ o(1 − o)     ∂L/∂y = ∂L/∂h' ⊙ o/D     ∂L/∂D = −(∂L/∂h')ᵀ(o ⊙ y)/D²
    ∂L/∂u = ∂L/∂D (r₊ − r₋)    ∂L/∂e = ∂L/∂D (1 − r₊ − r₋)
    ∂L/∂C' += ∂L/∂y qᵀ        ∂L/∂n' += ∂L/∂u q          ∂L/∂q = C'ᵀ ∂L/∂y + ∂L/∂u n'
    ∂L/∂(ln f + m − m') = (⟨∂L/∂C', C⟩ + ⟨∂L/∂n', n⟩) f'            (the exponent of f')
    ∂L/∂(ã_i − m') = (vᵀ ∂L/∂C' k + ⟨∂L/∂n', k⟩) i'                 (the exponent of i')
    ∂L/∂v = i' ∂L/∂C' k      ∂L/∂k = i' (∂L/∂C'ᵀ v + ∂L/∂n')
    μ = ∂L/∂m' − e ∂L/∂e − ∂L/∂(ã_i − m') − ∂L/∂(ln f + m − m')      (everything that reaches m')
    ∂L/∂ã_i = ∂L/∂(ã_i − m') + μ (1 − s)     ∂L/∂ln f = ∂L/∂m = ∂L/∂(ln f + m − m') + μ s
    ∂L/∂(w_f x + b_f) = ∂L/∂ln f · σ(−(w_f x + b_f)),  σ(−a) = 1 − e^{−softplus(−a)}
    ∂L/∂C = f' ∂L/∂C'    ∂L/∂n = f' ∂L/∂n'    ∂L/∂h = 0 (every gate reads x alone)

and ∂L/∂W_X = Σ_t ∂L/∂(W_X x_t + b_X) x_tᵀ, ∂L/∂b_X = Σ_t ∂L/∂(W_X x_t + b_X) (for k with the 1/√n).
"""

import numpy as np

from ._sums import outer_sum


def vjp(tape, dh, dC, dn, dm):
    p, n = tape.params, tape.cell.hidden_size
    B = dh.shape[1]
    _, C_states, n_states, _ = tape.parts
    root = np.sqrt(n)
    # ∂L/∂ pre-activations per step: q, k (before 1/√n), v, o (n rows each), then ã_i, the forget's (1 row each).
    dQ, dK, dV, dO = (np.empty((tape.steps, n, B)) for _ in range(4))
    dI, dF = np.empty((tape.steps, 1, B)), np.empty((tape.steps, 1, B))
    dC = dC.reshape(n, n, B)
    for t in reversed(range(tape.steps)):
        softplus_f, relu_g, i, f, _, o, e, r_pos, r_neg = tape.gates[t]
        x = tape.xs[t]
        q, v = p["W_q"] @ x + p["b_q"][:, None], p["W_v"] @ x + p["b_v"][:, None]
        k = (p["W_k"] @ x + p["b_k"][:, None]) / root
        C, C_new = C_states[t].reshape(n, n, B), C_states[t + 1].reshape(n, n, B)
        norm, n_new = n_states[t], n_states[t + 1]
        y = np.einsum("abz,bz->az", C_new, q)
        D = e + r_pos + r_neg
        np.multiply(dh * y / D, o * (1 - o), out=dO[t])
        dy = dh * o / D
        dD = -(dh * o * y).sum(axis=0, keepdims=True) / (D * D)
        du, de = dD * ((r_pos > 0) * 1.0 - (r_neg > 0)), dD * (1.0 - (r_pos > 0) - (r_neg > 0))
        dC = dC + dy[:, None] * q[None]
        dn = dn + du * q
        dQ[t] = np.einsum("abz,az->bz", C_new, dy) + du * n_new
        dCk = np.einsum("abz,bz->az", dC, k)  # ∂L/∂C' k
        d_f_exponent = ((dC * C).sum(axis=(0, 1)) + (dn * norm).sum(axis=0))[None] * f
        d_i_exponent = ((v * dCk).sum(axis=0) + (dn * k).sum(axis=0))[None] * i
        dV[t] = i * dCk
        dK[t] = i * (np.einsum("abz,az->bz", dC, v) + dn) / root
        mu = dm - e * de - d_i_exponent - d_f_exponent
        through_g = mu * (relu_g > 0)
        dI[t] = d_i_exponent + mu - through_g
        dm = d_f_exponent + through_g
        dF[t] = dm * -np.expm1(-softplus_f)
        dC, dn = dC * f[None], dn * f
        dh = np.zeros_like(dh)  # h_t reaches nothing but the readout of step t
    grads = {}
    for letter, dA in zip("qkvo", (dQ, dK, dV, dO)):
        grads[f"W_{letter}"], grads[f"b_{letter}"] = outer_sum(dA, tape.xs), dA.sum(axis=(0, 2))
    for letter, dA in zip("if", (dI, dF)):
        grads[f"w_{letter}"], grads[f"b_{letter}"] = outer_sum(dA, tape.xs), dA.sum(axis=(0, 2))
    return grads, (dh, dC.reshape(n * n, B), dn, dm)
