"""BPTT for the cells whose state passes through one φ: the vanilla RNN and the IndRNN.

    rnn:     h' = φ(a), a = W h + U x + b       ∂L/∂h_{t−1} = Wᵀ ∂L/∂a_t
    indrnn:  h' = φ(a), a = u⊙h + W x + b       ∂L/∂h_{t−1} = u ⊙ ∂L/∂a_t

    ∂L/∂a_t = ∂L/∂h_t ⊙ φ'(a_t)
    rnn:     ∂L/∂W = Σ_t ∂L/∂a_t h_{t−1}ᵀ   ∂L/∂U = Σ_t ∂L/∂a_t x_tᵀ   ∂L/∂b = Σ_t ∂L/∂a_t
    indrnn:  ∂L/∂u = Σ_t ∂L/∂a_t ⊙ h_{t−1}   ∂L/∂W = Σ_t ∂L/∂a_t x_tᵀ   ∂L/∂b = Σ_t ∂L/∂a_t

φ' is read from the recorded output y = φ(a): 1 − y² (tanh), y(1 − y) (σ), [y > 0] (relu).
"""

import numpy as np

from ._sums import outer_sum

_DPHI = {
    "tanh": lambda y: 1 - y * y,
    "sigmoid": lambda y: y * (1 - y),
    "relu": lambda y: y > 0,
}


def _through_phi(tape, dh, back):
    """(∂L/∂a_t for all t (T, n, B), ∂L/∂h_0), with ``back(da)`` = ∂L/∂h_{t−1} from ∂L/∂a_t."""
    dphi = _DPHI[tape.cell.activation]
    dA = np.empty((tape.steps,) + dh.shape)
    for t in reversed(range(tape.steps)):
        (y,) = tape.gates[t]
        dA[t] = da = dh * dphi(y)
        dh = back(da)
    return dA, dh


def vjp(tape, dh):
    W = tape.params["W"]
    dA, dh = _through_phi(tape, dh, lambda da: W.T @ da)
    h_prev = np.stack(tape.parts[0][:-1])
    grads = {"W": outer_sum(dA, h_prev), "U": outer_sum(dA, tape.xs), "b": dA.sum(axis=(0, 2))}
    return grads, (dh,)


def vjp_indrnn(tape, dh):
    u = tape.params["u"][:, None]
    dA, dh = _through_phi(tape, dh, lambda da: u * da)
    h_prev = np.stack(tape.parts[0][:-1])
    grads = {"u": (dA * h_prev).sum(axis=(0, 2)), "W": outer_sum(dA, tape.xs), "b": dA.sum(axis=(0, 2))}
    return grads, (dh,)
