"""The IRNN (Le, Jaitly & Hinton 2015): a ReLU RNN with W = I and b = 0. Its step Jacobian is
J_t = diag(1[a_t > 0])·I, so P_τ = ∂h_T/∂h_{T−τ} = diag(∏_{t} 1[a_{i,t} > 0]) over the τ steps:
unit i passes the gradient unchanged (factor exactly 1) if it stayed active throughout, else not
at all. ‖P_τ‖₂ is 1 while one unit has stayed active, 0 after; ‖P_τ‖_F²/n is the fraction of
units that pass. ``passing_fraction`` measures both on the adding problem's inputs.
"""

import numpy as np

from ..flow import gradient_norms
from ..training.init import initial_cell
from ..training.tasks import TASKS


def passing_fraction(n=64, lag=100, seed=0):
    """(fraction (T,), log_norm (T,)) for an IRNN of n units on one adding-problem sequence of
    minimal lag ``lag`` (T ≈ 2·lag steps; ``rnn_theory.training.tasks`` "adding": values in
    [−1, 1] and markers): entry τ−1 is the fraction of units active in all of the last τ steps,
    from the pre-activations, and ln‖P_τ‖₂ from ``rnn_theory.gradient_norms`` (0 or −inf).
    Weights: ``initial_cell("rnn", n, 2, "identity")`` (U ~ N(0, 1/m)), then the sequence, from
    default_rng(seed).
    """
    rng = np.random.default_rng(seed)
    cell = initial_cell("rnn", n, 2, "identity", rng=rng)
    xs = TASKS["adding"](lag).sample(rng, 1)[0][:, :, 0]
    states = cell.run(xs)
    p = cell.params
    active = (states[:-1] @ p["W"].T + xs @ p["U"].T + p["b"]) > 0  # (T, n): a_t > 0
    passed = np.cumprod(active[::-1], axis=0)  # row τ−1: active in all of the last τ steps
    return passed.mean(axis=1), gradient_norms(cell, xs).log_norm
