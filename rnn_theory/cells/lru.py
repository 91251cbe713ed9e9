"""The linear recurrent unit, in real block form."""

import numpy as np

from . import _numpy_ops
from ._base import Cell


class LRU(Cell):
    """LRU recurrence in real form (Orvieto et al. 2023): s' = A s + B x, with
    A = blockdiag_k r_k·[[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]], 0 <= r_k < 1.

    Block k is the complex eigenvalue λ_k = r_k e^{iθ_k} of the LRU's diagonal Λ acting on
    (Re, Im) of its state. ∂s'/∂s = A exactly, so ‖∂s_T/∂s_{T−τ}‖₂ = (max_k r_k)^τ.
    Parameters r, theta (n/2,), B (n, m); n even. The output map (C, D) does not enter the
    state Jacobian and is not part of the cell.
    """

    key = "lru"
    reference = "Orvieto et al. 2023, 'Resurrecting recurrent neural networks for long sequences'"
    param_shapes = {"r": ("n/2",), "theta": ("n/2",), "B": ("n", "m")}
    init = {"r": "ring", "theta": "ring", "B": "input"}  # drawn by ``random`` below

    def __init__(self, **params):
        super().__init__(**params)
        r = self._params["r"]
        if ((r < 0) | (r >= 1)).any():
            raise ValueError(f"lru: parameter r must lie in [0, 1), got values in [{r.min()}, {r.max()}]")

    @classmethod
    def random(cls, *, hidden_size, input_size, rng=None, gain=1.0, r_min=0.0, r_max=1.0, max_phase=2 * np.pi):
        """Ring initialisation (Orvieto et al. 2023, section 3.2): |λ|² ~ U[r_min², r_max²],
        θ ~ U[0, max_phase]; B ~ N(0, 1/m) with block k scaled by γ_k = √(1 − r_k²).
        ``gain`` has no recurrent matrix to scale here."""
        if hidden_size % 2:
            raise ValueError(f"lru: hidden_size must be even (2×2 rotation blocks), got {hidden_size}")
        rng = np.random.default_rng(rng)
        k = hidden_size // 2
        r = np.sqrt(rng.uniform(r_min**2, r_max**2, size=k))
        theta = rng.uniform(0.0, max_phase, size=k)
        B = rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(hidden_size, input_size))
        B *= np.repeat(np.sqrt(1 - r**2), 2)[:, None]
        return cls(r=r, theta=theta, B=B)

    @classmethod
    def from_exponential(cls, nu, theta, B):
        """The LRU's exponential parametrisation (Orvieto et al. 2023): λ_k = exp(−exp(ν_k) + iθ_k), so
        r_k = |λ_k| = exp(−exp(ν_k)) < 1 for every real ν_k, and the input normalised per block by
        γ_k = √(1 − r_k²). nu, theta (n/2,), B (n, m) before normalisation.

        In float64 exp(−exp(ν)) rounds to exactly 1 once ν is below about −37.6 (exp(ν) under half the
        spacing of floats below 1): such a ν gives no decaying mode, and ValueError says so.

        >>> cell = LRU.from_exponential([0.0], [0.5], [[1.0], [0.0]])
        >>> round(float(cell.params["r"][0]), 6), round(float(cell.params["B"][0, 0]), 6)  # e^{−1}, √(1 − e^{−2})
        (0.367879, 0.929873)
        """
        nu = np.atleast_1d(np.asarray(nu, dtype=float))
        r = np.exp(-np.exp(nu))
        if (r >= 1).any():
            raise ValueError(
                f"lru: exp(−exp(ν)) rounds to 1 in float64 for ν = {nu[r >= 1].max():.6g}: no decaying mode"
            )
        B = np.asarray(B, dtype=float) * np.repeat(np.sqrt(1 - r**2), 2)[:, None]
        return cls(r=r, theta=theta, B=B)

    def recurrent_matrices(self):
        return {"A": _numpy_ops.rotation_blocks(self._params["r"], self._params["theta"])}

    def update(self, p, x, h, *, ops):
        return (ops.rotation_blocks(p.r, p.theta) @ h + p.B @ x,)

    def jacobian_blocks(self, p, x, h, *, ops):
        return ((ops.rotation_blocks(p.r, p.theta),),)

    def input_jacobian_blocks(self, p, x, h, *, ops):
        """∂s'/∂x = B."""
        return ((p.B,),)
