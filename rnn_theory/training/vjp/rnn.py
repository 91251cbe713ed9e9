"""BPTT for the vanilla RNN h' = φ(a), a = W h + U x + b.

    ∂L/∂a_t = ∂L/∂h_t ⊙ φ'(a_t)        ∂L/∂h_{t−1} = Wᵀ ∂L/∂a_t
    ∂L/∂W = Σ_t ∂L/∂a_t h_{t−1}ᵀ       ∂L/∂U = Σ_t ∂L/∂a_t x_tᵀ       ∂L/∂b = Σ_t ∂L/∂a_t

φ' is read from the recorded output y = φ(a): 1 − y² (tanh), y(1 − y) (σ), [y > 0] (relu).
"""

import numpy as np

from ._sums import outer_sum

_DPHI = {
    "tanh": lambda y: 1 - y * y,
    "sigmoid": lambda y: y * (1 - y),
    "relu": lambda y: y > 0,
}


def vjp(tape, dh):
    W, dphi = tape.params["W"], _DPHI[tape.cell.activation]
    dA = np.empty((tape.steps,) + dh.shape)
    for t in reversed(range(tape.steps)):
        (y,) = tape.gates[t]
        dA[t] = da = dh * dphi(y)
        dh = W.T @ da
    h_prev = np.stack(tape.parts[0][:-1])
    grads = {"W": outer_sum(dA, h_prev), "U": outer_sum(dA, tape.xs), "b": dA.sum(axis=(0, 2))}
    return grads, (dh,)
