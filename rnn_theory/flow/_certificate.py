"""The proofs and constants of every λ_max certifier of ``flow`` (``_topeig``: one matrix, and the
probes' stacks of Gram matrices; ``_topeig_batched``: stacks on any array-API namespace), in one place.

Each certifier returns a Rayleigh quotient θ ≤ λ_max (a true lower bound) and proves an upper bound
λ_max ≤ (1 + ε)·θ by one of two arguments:

- Kato–Temple (``kato_temple``): for a unit vector with Rayleigh quotient θ and residual ρ, and any
  λ̄_2 ≥ λ_2 below θ, λ_1 ≤ θ + ρ²/(θ − λ̄_2) (Kato 1949; Temple 1928; Parlett, thm 10.5.1), with
  λ̄_2 from the trace or the Frobenius norm less the other Ritz values (lower bounds of λ_i by
  Cauchy interlacing);
- Cholesky (``cholesky_proves``): (1 + ε)·θ·I − M is positive definite exactly when its Cholesky
  factorisation succeeds (Sylvester), up to the factorisation's backward error.

The constants, with their derivation:

``U = 2.3e-16``: float64's unit roundoff 2⁻⁵³ ≈ 1.1e-16, doubled for room; every sum of m ≥ 0 terms
(a trace, ‖M‖_F²) is inflated by m·U before it bounds anything. ``RITZ_SLACK = 1e-6``: a relative
slack on sums of Ritz values (each is a lower bound of its λ_i only up to ~k·u·‖M‖). ``RESIDUAL =
1e-6``: the residual/θ at which a Cholesky proof is worth trying (θ's error is ~residual²/gap).

One matrix (``_topeig.top_eig``, the exact method's, NumPy):

- ``EPS_ONE = 1e-10``: the relative width proved. The Cholesky proof's backward error is
  d·2⁻⁵³·‖M‖ ≤ 1.1e-12·λ_max for d ≤ 10⁴, which 1e-10 dominates; Kato–Temple is asked for ε/2. In
  ln ‖·‖ = ½ ln λ_max that is 5e-11, under the exact method's truncation check (1e-9).
- ``BLOCK_ONE = 4`` warm vectors carried from lag to lag, ``ROUNDS_ONE = 2`` block Rayleigh–Ritz
  rounds on span[W, M W] (2p×2p problems, O(d²p) work) before Lanczos (``MAX_STEPS = 64`` steps,
  then the eigensolver); ``SMALL_ONE = 48``: below this size the eigensolver is as cheap.

The probes' stacks (``_topeig.top_eigenvalues``, NumPy): ``SQUARINGS = 4`` power steps by repeated
squaring (M¹⁶) from the best unit vector, Kato–Temple with λ̄_2 = 1 − θ (M = G/tr G); kept where it
proves ``CERTIFIED = 1e-13`` relative and the gap exceeds ``MIN_GAP = 1e-8`` (clear of the rounding
of tr M = 1 and M ⪰ 0), else the eigensolver decides.

Stacks on a namespace (``_topeig_batched``, the dense stream's, a GPU's):

- ``EPS_BATCHED = 4e-10`` in float64: 2e-10 in ln, reported as the dense stream's ``error_bound``
  beside two slacks the proofs add (M's rounding d·u·tr M, the Cholesky's backward error
  4(d + 1)·u·θ), all within the 1e-9 that ``gradient_norms`` states for it; float32: 1e3·its
  roundoff (``eps_batched``).
- ``DEPTH = 6`` Krylov blocks of ``BLOCK_BATCHED = 6`` vectors a round (a 36-dimensional space: a GPU
  pays a host step per round, not per vector), ``ROUNDS_BATCHED = 4`` rounds before the batched
  eigensolver; ``SMALL_BATCHED = DEPTH·BLOCK_BATCHED``: up to the Krylov space's size the eigensolver
  is as cheap as the iteration.

Why not one set of constants (or one certifier): the batched one at a batch of one costs ~10× what
``top_eig`` costs (0.3 vs 2.6 ms at d = 128, one thread), and ~5–12× what the squaring costs on the
probes' stacks (128 Gram matrices of 8–40 columns); its constants suit a device, the others a CPU.
"""

import numpy as np

U = 2.3e-16
RITZ_SLACK = 1e-6
RESIDUAL = 1e-6

EPS_ONE, BLOCK_ONE, ROUNDS_ONE, MAX_STEPS, SMALL_ONE = 1e-10, 4, 2, 64, 48
SQUARINGS, CERTIFIED, MIN_GAP = 4, 1e-13, 1e-8
EPS_BATCHED, DEPTH, BLOCK_BATCHED, ROUNDS_BATCHED = 4e-10, 6, 6, 4
SMALL_BATCHED = DEPTH * BLOCK_BATCHED


def roundoff(xp, dtype):
    """The unit roundoff (with room) of ``dtype``: ``U`` for float64, 1.2e-7 for float32."""
    return U if dtype == xp.float64 else 1.2e-7


def eps_batched(xp, dtype):
    """The relative width of λ_max that the batched certifier proves in ``dtype``: ``EPS_BATCHED`` in
    float64, in float32 what its rounding allows (1e3·its roundoff)."""
    return EPS_BATCHED if dtype == xp.float64 else 1e3 * roundoff(xp, dtype)


def kato_temple(theta, rho2, gap, eps):
    """Whether Kato–Temple proves λ_1 ≤ (1 + eps)·θ (elementwise for arrays): for a unit vector with
    Rayleigh quotient θ and squared residual ρ², λ_1 ≤ θ + ρ²/gap with gap = θ − λ̄_2 for any
    λ̄_2 ≥ λ_2 below θ (Kato 1949; Temple 1928; Parlett, thm 10.5.1).

    >>> bool(kato_temple(1.0, 1e-12, 0.5, 1e-10)), bool(kato_temple(1.0, 1e-9, 0.5, 1e-10))
    (True, False)
    """
    return (gap > 0) & (rho2 <= eps * theta * gap)


def cholesky_proves(M, theta, eps=EPS_ONE):
    """Whether the Cholesky factorisation of (1 + eps)·θ·I − M succeeds (NumPy, one matrix): then
    λ_max(M) < (1 + eps)·θ up to its backward error (Sylvester).

    >>> M = np.diag([1.0, 0.5])
    >>> cholesky_proves(M, 1.0), cholesky_proves(M, 0.99)
    (True, False)
    """
    if theta <= 0:
        return False
    try:
        np.linalg.cholesky((1 + eps) * theta * np.eye(M.shape[0]) - M)
        return True
    except np.linalg.LinAlgError:
        return False
