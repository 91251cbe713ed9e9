"""The ``ops`` backend for any array-API namespace (PyTorch on CPU or CUDA, CuPy, NumPy itself).

``ArrayOps(xp)`` evaluates the cells' equations (``update``, ``jacobian_blocks``, written once)
on one step: vectors (n,), matrices (n, n), with the NumPy backend's formulas (σ, σ', tanh' from the
one decaying exponential e^{−|a|}, so σ(−40) ≈ 4.2e−18 keeps its relative precision).

``BatchedArrayOps(xp)`` runs C steps at once as *columns*, the layout of ``flow._batched``: every
state part and input is (n, C), bias-like parameters (n, 1) (``column_params``), so ``W @ h + b``
broadcasts unchanged; a diagonal diag(v) of v (n, C) is the stack (C, n, n), ``diag_matmul`` and
``matmul_diag`` broadcast a matrix (n, n) or a stack (C, n, n) against it, the identity and the
zero block are one (n, n) matrix that broadcasts. ``dense_jacobians`` assembles the blocks into
the step Jacobians J_t of the C steps, (C, d, d), rows = outputs.

``xp`` is a namespace as ``array_api_compat.array_namespace`` returns it; ``device`` where new
arrays (identities, zeros) are made.

>>> import numpy as np, rnn_theory as rt
>>> import array_api_compat.numpy as xp
>>> cell = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
>>> xs, S = np.ones((4, 2)), np.linspace(-1, 1, 24).reshape(4, 6)
>>> J = dense_jacobians(cell, xp, xs, S, column_params(cell, xp))
>>> J.shape, bool(np.allclose(J[2], cell.jacobian(xs[2], S[2]), rtol=1e-14, atol=1e-15))
((4, 6, 6), True)
"""

from types import SimpleNamespace


class ArrayOps:
    """The cells' ``ops`` on one step, for arrays of the namespace ``xp`` (on ``device``)."""

    def __init__(self, xp, device=None):
        self.xp, self.device = xp, device

    def _decaying_exp(self, a, scale):
        """(e^{−scale·|a|}, a < 0): the one exponential from which σ, σ', tanh' are formed without
        overflow or cancellation."""
        return self.xp.exp(self.xp.abs(a) * -scale), a < 0

    def sigmoid(self, a):
        """σ(a) = 1/(1+e^{−a}), to full relative precision for either sign of a."""
        e, negative = self._decaying_exp(a, 1.0)
        return self.xp.where(negative, e, self.xp.ones_like(e)) / (1 + e)

    def dsigmoid(self, a):
        """σ'(a) = e^{−|a|}/(1 + e^{−|a|})²."""
        e, _ = self._decaying_exp(a, 1.0)
        return e / (1 + e) ** 2

    def tanh(self, a):
        return self.xp.tanh(a)

    def dtanh(self, a):
        """tanh'(a) = 4e^{−2|a|}/(1 + e^{−2|a|})²."""
        e, _ = self._decaying_exp(a, 2.0)
        return 4 * e / (1 + e) ** 2

    def relu(self, a):
        return self.xp.where(a > 0, a, self.xp.zeros_like(a))

    def drelu(self, a):
        """1 for a > 0, else 0 (the subgradient 0 at a = 0)."""
        return self.xp.astype(a > 0, a.dtype)

    def _clip_unit(self, y):
        xp = self.xp
        return xp.where(y <= 0, xp.zeros_like(y), xp.where(y >= 1, xp.ones_like(y), y))

    def _band(self, y, slope):
        return self.xp.astype((y > 0) & (y < 1), y.dtype) * slope

    def hard_sigmoid_keras2(self, a):
        """clip(0.2a + 0.5, 0, 1) (Keras 2)."""
        return self._clip_unit(0.2 * a + 0.5)

    def dhard_sigmoid_keras2(self, a):
        """0.2 inside the band, 0 on the flat parts and at their kinks (as the NumPy backend)."""
        return self._band(0.2 * a + 0.5, 0.2)

    def hard_sigmoid_keras3(self, a):
        """relu6(a + 3)/6 = clip((a + 3)/6, 0, 1) (Keras 3, PyTorch's hardsigmoid)."""
        return self._clip_unit((a + 3) / 6)

    def dhard_sigmoid_keras3(self, a):
        return self._band((a + 3) / 6, 1 / 6)

    def exp(self, a):
        return self.xp.exp(a)

    def softplus(self, a):
        """ln(1 + e^a) = max(a, 0) + ln(1 + e^{−|a|})."""
        e, negative = self._decaying_exp(a, 1.0)
        return self.xp.where(negative, self.xp.zeros_like(a), a) + self.xp.log1p(e)

    def sqrt(self, a):
        return self.xp.sqrt(a)

    def diag(self, v):
        return self.diag_matmul(v, self._eye(v.shape[0], v.dtype))

    def diag_matmul(self, v, M):
        return v[:, None] * M

    def matmul_diag(self, M, v):
        return M * v[None, :]

    def identity_like(self, v):
        return self._eye(v.shape[0], v.dtype)

    def zeros_like(self, v, w=None):
        return self.xp.zeros((v.shape[0], (v if w is None else w).shape[0]), dtype=v.dtype, device=self.device)

    # The matrix memory (mLSTM): vec(M) row by row, as the NumPy backend stores it.
    def size(self, v):
        return self.xp.full((1,), float(v.shape[0]), dtype=v.dtype, device=self.device)

    def outer(self, a, b):
        """vec(a bᵀ) row by row; columns (len, C) give (len(a)·len(b), C)."""
        return self.xp.reshape(a[:, None, ...] * b[None, ...], (-1, *a.shape[1:]))

    def matvec(self, M, v):
        return self.xp.sum(self.xp.reshape(M, (-1, *v.shape)) * v[None, ...], axis=1)

    def dot(self, a, b):
        return self.xp.sum(a * b, axis=0, keepdims=True)

    def outer_matrix(self, a, b):
        return a[:, None] * b[None, :]

    def identity_kron_row(self, v):
        """I ⊗ vᵀ, (n, n²): entry (i, i·n + j) is v_j."""
        n = v.shape[0]
        return self.xp.reshape(self._eye(n, v.dtype)[:, :, None] * v[None, None, :], (n, n * n))

    def rotation_blocks(self, r, theta):
        """Block-diagonal A with 2×2 blocks r_k·[[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]], (2K, 2K)
        (r, theta of shape (K,) or (K, 1)); built from three diagonals, without item assignment."""
        xp = self.xp
        r, theta = xp.reshape(r, (-1,)), xp.reshape(theta, (-1,))
        cos, sin = r * xp.cos(theta), r * xp.sin(theta)
        zero = xp.zeros_like(sin)
        size = 2 * r.shape[0]

        def interleave(a, b):  # (a_0, b_0, a_1, b_1, ...)
            return xp.reshape(xp.stack([a, b], axis=1), (-1,))

        eye = lambda k: xp.eye(size, k=k, dtype=r.dtype, device=self.device)  # noqa: E731
        return (
            interleave(cos, cos)[:, None] * eye(0)
            + interleave(-sin, zero)[:, None] * eye(1)  # row 2k: −sin θ_k at column 2k + 1
            + interleave(zero, sin)[:, None] * eye(-1)  # row 2k + 1: sin θ_k at column 2k
        )

    def _eye(self, n, dtype):
        return self.xp.eye(n, dtype=dtype, device=self.device)


class BatchedArrayOps(ArrayOps):
    """The cells' ``ops`` on C steps at once: vectors are columns (n, C), diagonals stacks (C, n, n)."""

    def diag_matmul(self, v, M):
        return self.xp.matrix_transpose(v)[:, :, None] * M

    def matmul_diag(self, M, v):
        return M * self.xp.matrix_transpose(v)[:, None, :]

    def outer_matrix(self, a, b):
        """The stack of a_t b_tᵀ, (C, len(a), len(b)), for columns a (len(a), C), b (len(b), C)."""
        return self.xp.matrix_transpose(a)[:, :, None] * self.xp.matrix_transpose(b)[:, None, :]

    def identity_kron_row(self, v):
        """The stack of I ⊗ v_tᵀ, (C, n, n²), for columns v (n, C)."""
        n, vt = v.shape[0], self.xp.matrix_transpose(v)
        eye = self._eye(n, v.dtype)
        return self.xp.reshape(eye[None, :, :, None] * vt[:, None, None, :], (vt.shape[0], n, n * n))


def column_params(cell, xp, device=None, dtype=None, *, columns=True):
    """The cell's parameters as arrays of ``xp`` on ``device`` (``dtype``, default float64), every
    (n,)-like vector as a column (n, 1) so that they broadcast against (n, C) states (as they are
    with ``columns=False``, for one step)."""
    dtype = xp.float64 if dtype is None else dtype
    return SimpleNamespace(
        **{
            name: xp.asarray(
                value[:, None] if columns and value.ndim == 1 else value, dtype=dtype, device=device, copy=True
            )
            for name, value in cell.params.items()
        }
    )


def dense_jacobians(cell, xp, xs, states, params, device=None):
    """J_t = ∂s_t/∂s_{t−1} for the C steps of ``xs`` (C, m) at ``states`` (C, d): (C, d, d).

    ``params`` from ``column_params``; assembled from the cell's ``jacobian_blocks`` evaluated on all
    C steps at once (``BatchedArrayOps``). A one-part cell's is its block itself (a broadcast view
    where the block is one matrix for all steps: read it, don't write it).
    """
    xs, states = xp.asarray(xs), xp.asarray(states)
    C, slices = xs.shape[0], cell.part_slices()
    parts = [xp.matrix_transpose(states[:, part]) for part in slices]
    blocks = cell.jacobian_blocks(params, xp.matrix_transpose(xs), *parts, ops=BatchedArrayOps(xp, device))
    if len(slices) == 1:  # the one block is J (a stack already, or one matrix for every step)
        d = slices[0].stop
        return xp.broadcast_to(blocks[0][0], (C, d, d))
    # each block written once into its place (C·d² numbers: a pass over memory, not one per concat)
    J = xp.empty((C, states.shape[1], states.shape[1]), dtype=states.dtype, device=device)
    for row, rows in zip(blocks, slices):
        for block, cols in zip(row, slices):
            J[:, rows, cols] = block
    return J
