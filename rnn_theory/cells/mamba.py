"""Mamba's selective state-space recurrence (S6), for one channel's state."""

import numpy as np

from ._base import Cell, Gate


class Mamba(Cell):
    """Selective SSM (Gu & Dao 2023, section 3.2 and Algorithm 2), real diagonal A < 0:

        Δ = softplus(W_Δ x + b_Δ)           step size, per state unit
        B_t = W_B x                          input-dependent input matrix (s_B(x) = Linear_N(x))
        h' = exp(Δ ⊙ A) ⊙ h + Δ ⊙ B_t ⊙ (W_u x),   A < 0

    with Ā = exp(ΔA) and the simplified discretisation B̄ = ΔB.
    The state h holds the N = n states of one channel; x (m) holds the block's D = m channels. In
    Mamba, Δ is one number per channel (equal rows of W_Δ, b_Δ) and the channel's input is its own
    coordinate x_d (rows of W_u equal to e_d); here both are untied rows, which contain Mamba's
    channel as a special case. C_t only reads the state out and is not part of the cell.

    ∂h'/∂h = diag(exp(Δ ⊙ A)) exactly, entries in (0, 1) since Δ > 0 and A < 0: the state's
    gradient cannot grow through a step, and Δ sets how fast it is forgotten. Shapes: W_Δ, W_B,
    W_u (n, m), b_Δ, A (n,). (Mamba's code stores A_log = ln(−A); A is the paper's parameter.)
    """

    key = "mamba"
    reference = "Gu & Dao 2023, 'Mamba: linear-time sequence modeling with selective state spaces', Algorithm 2"
    param_shapes = {"W_delta": ("n", "m"), "b_delta": ("n",), "A": ("n",), "W_B": ("n", "m"), "W_u": ("n", "m")}
    init = {"W_delta": "input", "b_delta": "dt", "A": "s4d-real", "W_B": "input", "W_u": "input"}  # ``random``
    gates = (Gate("a", "exp", "forget"),)
    retention_label = ("exp(ΔA)", r"$e^{\Delta A}$")
    signed_params = {"A": -1}

    @classmethod
    def retention(cls, gates):
        return gates["a"]

    def __init__(self, **params):
        super().__init__(**params)
        A = self._params["A"]
        if (A >= 0).any():
            raise ValueError(f"mamba: parameter A must be negative (a decaying state), got max {A.max()}")

    def recurrent_matrices(self):
        return {}  # the state is multiplied by diag(exp(ΔA)) only

    @classmethod
    def random(cls, *, hidden_size, input_size, rng=None, gain=1.0, dt_min=1e-3, dt_max=0.1):
        """Mamba's initialisation: A_k = −(k + 1) (S4D-real); Δ's bias such that
        softplus(b_Δ) = e^{U[ln dt_min, ln dt_max]}, dt in [0.001, 0.1]; W_* ~ N(0, 1/m). ``gain``
        has no recurrent matrix to scale here."""
        rng = np.random.default_rng(rng)
        n, m = hidden_size, input_size
        W_delta = rng.normal(0.0, 1.0 / np.sqrt(m), size=(n, m))
        dt = np.exp(rng.uniform(np.log(dt_min), np.log(dt_max), size=n))
        b_delta = dt + np.log(-np.expm1(-dt))  # softplus⁻¹(dt) = ln(e^dt − 1)
        W_B = rng.normal(0.0, 1.0 / np.sqrt(m), size=(n, m))
        W_u = rng.normal(0.0, 1.0 / np.sqrt(m), size=(n, m))
        return cls(W_delta=W_delta, b_delta=b_delta, A=-np.arange(1.0, n + 1), W_B=W_B, W_u=W_u)

    def _discretised(self, p, x, *, ops):
        """(Δ, exp(Δ ⊙ A))."""
        delta = ops.softplus(p.W_delta @ x + p.b_delta)
        return delta, ops.exp(delta * p.A)

    def update(self, p, x, h, *, ops):
        delta, decay = self._discretised(p, x, ops=ops)
        return (decay * h + delta * (p.W_B @ x) * (p.W_u @ x),)

    def jacobian_blocks(self, p, x, h, *, ops):
        _, decay = self._discretised(p, x, ops=ops)
        return ((ops.diag(decay),),)
