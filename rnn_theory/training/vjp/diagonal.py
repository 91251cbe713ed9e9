"""BPTT for the cells whose state is carried by an input-dependent diagonal: h' = a_t ⊙ h + v_t,
with a_t and v_t functions of x_t only (mamba, rglru). Only ∂L/∂h crosses steps,

    ∂L/∂h_{t−1} = a_t ⊙ ∂L/∂h_t,

so one short loop gives ∂L/∂h_t for every t, and everything else is computed for all steps at once.

    mamba (Δ = softplus(a_Δ), a_Δ = W_Δ x + b_Δ, a_t = exp(Δ⊙A), v_t = Δ ⊙ (W_B x) ⊙ (W_u x)):
        ∂L/∂(Δ⊙A) = ∂L/∂h' ⊙ h ⊙ a_t          ∂L/∂A = Σ_t ∂L/∂(Δ⊙A) ⊙ Δ
        ∂L/∂Δ = ∂L/∂h' ⊙ (W_B x) ⊙ (W_u x) + ∂L/∂(Δ⊙A) ⊙ A
        ∂L/∂a_Δ = ∂L/∂Δ ⊙ σ(a_Δ),  σ(a_Δ) = 1 − e^{−Δ}   (softplus' = σ)
        ∂L/∂W_B = Σ_t (∂L/∂h' ⊙ Δ ⊙ W_u x) xᵀ,   ∂L/∂W_u = Σ_t (∂L/∂h' ⊙ Δ ⊙ W_B x) xᵀ

    rglru (x̃ = W_in x, r = σ(a_r), i = σ(a_i), a_r = W_a x̃ + b_a, a_i = W_x x̃ + b_x,
           ln a_t = −c·r⊙softplus(−Λ), q = √(1 − a_t²), v_t = q ⊙ i ⊙ x̃):
        ∂L/∂ln a_t = ∂L/∂h' ⊙ (h − a_t ⊙ i ⊙ x̃ / q) ⊙ a_t      (∂q/∂a_t = −a_t/q)
        ∂L/∂a_r = −c·softplus(−Λ) ⊙ ∂L/∂ln a_t ⊙ r(1 − r)        ∂L/∂a_i = ∂L/∂h' ⊙ q ⊙ x̃ ⊙ i(1 − i)
        ∂L/∂Λ = c·σ(−Λ) ⊙ Σ_t r ⊙ ∂L/∂ln a_t
        ∂L/∂x̃ = ∂L/∂h' ⊙ q ⊙ i + W_aᵀ ∂L/∂a_r + W_xᵀ ∂L/∂a_i     ∂L/∂W_in = Σ_t ∂L/∂x̃ xᵀ
"""

import numpy as np

from ...cells import _numpy_ops
from ._sums import outer_sum


def _recorded(tape):
    """The recorded nonlinearities stacked over steps: one (T, n, B) (or (T, n, 1)) array each."""
    return tuple(np.stack(column) for column in zip(*tape.gates))


def _carried(a, dh):
    """∂L/∂h_t for t = 1..T as (T, n, B) (row t − 1), and ∂L/∂h_0, for h_t = a_t ⊙ h_{t−1} + v_t."""
    dH = np.empty(a.shape[:1] + dh.shape)
    for t in reversed(range(len(a))):
        dH[t] = dh
        dh = dh * a[t]
    return dH, dh


def _sum(dA):
    return dA.sum(axis=(0, 2))


def vjp_mamba(tape, dh):
    p, xs = tape.params, tape.xs
    delta, decay = _recorded(tape)
    dH, dh = _carried(decay, dh)
    h_prev = np.stack(tape.parts[0][:-1])
    Bx, ux = np.matmul(p["W_B"], xs), np.matmul(p["W_u"], xs)
    d_exponent = dH * h_prev * decay
    d_pre = (dH * Bx * ux + d_exponent * p["A"][:, None]) * -np.expm1(-delta)
    grads = {
        "W_delta": outer_sum(d_pre, xs),
        "b_delta": _sum(d_pre),
        "A": _sum(d_exponent * delta),
        "W_B": outer_sum(dH * delta * ux, xs),
        "W_u": outer_sum(dH * delta * Bx, xs),
    }
    return grads, (dh,)


def vjp_rglru(tape, dh):
    p, xs, c = tape.params, tape.xs, tape.cell.c
    r, i, decay_rate, a, q = _recorded(tape)
    dH, dh = _carried(a, dh)
    h_prev = np.stack(tape.parts[0][:-1])
    x_in = np.matmul(p["W_in"], xs)
    d_log_a = dH * (h_prev - a * i * x_in / q) * a
    d_pre_r = -c * decay_rate * d_log_a * r * (1 - r)
    d_pre_i = dH * q * x_in * i * (1 - i)
    d_x_in = dH * q * i + np.matmul(p["W_a"].T, d_pre_r) + np.matmul(p["W_x"].T, d_pre_i)
    grads = {
        "W_in": outer_sum(d_x_in, xs),
        "W_a": outer_sum(d_pre_r, x_in),
        "b_a": _sum(d_pre_r),
        "W_x": outer_sum(d_pre_i, x_in),
        "b_x": _sum(d_pre_i),
        "Lambda": c * _numpy_ops.sigmoid(-p["Lambda"]) * _sum(r * d_log_a),
    }
    return grads, (dh,)
