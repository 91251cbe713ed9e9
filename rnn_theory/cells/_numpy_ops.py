"""The NumPy backend for the cells' equations.

Every cell writes its update and its closed-form Jacobian once, against an ``ops`` namespace
with the interface below, using only ``@``, ``+``, ``-`` and elementwise ``*``/``/`` besides.
This module is the numeric backend; the symbolic layer supplies a SymPy backend with the same
names, so the equations that run are the equations that are proven.

All functions accept complex arrays, so ``step`` can be differentiated by complex step.
"""

import functools

import numpy as np


def _decaying_exp(a, scale):
    """(e^{−scale·|a|}, a < 0), with |a| taken on the real part so that a complex step passes through:
    the one exponential from which σ, σ', tanh' are formed without overflow or cancellation."""
    if getattr(a, "dtype", None) == np.float64:  # the same values in fewer array passes (−scale·|a| is exact)
        return np.exp(np.abs(a) * -scale), a < 0
    negative = np.real(a) < 0
    return np.exp(scale * np.where(negative, a, -a)), negative


def sigmoid(a):
    """σ(a) = 1/(1+e^{−a}), to full relative precision for either sign of a (σ(−40) ≈ 4.2e−18)."""
    e, negative = _decaying_exp(a, 1.0)
    return np.where(negative, e, 1.0) / (1 + e)


def dsigmoid(a):
    """σ'(a) = σ(a)(1 − σ(a)) = e^{−|a|}/(1 + e^{−|a|})², accurate also where σ(a) rounds to 1."""
    e, _ = _decaying_exp(a, 1.0)
    return e / (1 + e) ** 2


def tanh(a):
    return np.tanh(a)


def dtanh(a):
    """tanh'(a) = 1 − tanh(a)² = 4e^{−2|a|}/(1 + e^{−2|a|})², accurate also where tanh(a) rounds to ±1."""
    e, _ = _decaying_exp(a, 2.0)
    return 4 * e / (1 + e) ** 2


def relu(a):
    # The comparison uses the real part so that a complex-step perturbation passes through.
    return np.where(np.real(a) > 0, a, 0)


def drelu(a):
    """relu'(a) = 1 for a > 0, else 0 (the subgradient 0 is taken at a = 0)."""
    return (np.real(a) > 0).astype(float)


def _clip_unit(y):
    """clip(y, 0, 1), compared on the real part so that a complex step passes through inside (0, 1)."""
    re = np.real(y)
    return np.where(re <= 0, 0.0, np.where(re >= 1, 1.0, y))


def _band(y, slope):
    """slope where 0 < y < 1 (y the hard sigmoid's unclipped line), else 0: the derivative of the
    hard sigmoid, with the flat side's 0 at the kinks, as relu'(0) = 0."""
    re = np.real(y)
    return slope * ((re > 0) & (re < 1))


def hard_sigmoid_keras2(a):
    """Keras 2's hard sigmoid clip(0.2·a + 0.5, 0, 1) (keras/backend: x = 0.2 * x + 0.5, then clip):
    flat at 0 for a ≤ −2.5 and at 1 for a ≥ 2.5."""
    return _clip_unit(0.2 * a + 0.5)


def dhard_sigmoid_keras2(a):
    """0.2 for −2.5 < a < 2.5, else 0 (the kinks ±2.5 take the flat side's 0: the one-sided
    derivative from outside the band, as relu'(0) = 0 and PyTorch's hardsigmoid backward)."""
    return _band(0.2 * a + 0.5, 0.2)


def hard_sigmoid_keras3(a):
    """Keras 3's hard sigmoid relu6(a + 3)/6 = clip((a + 3)/6, 0, 1), PyTorch's hardsigmoid: flat at 0
    for a ≤ −3 and at 1 for a ≥ 3."""
    return _clip_unit((a + 3) / 6)


def dhard_sigmoid_keras3(a):
    """1/6 for −3 < a < 3, else 0 (the kinks ±3 take the flat side's 0, as for Keras 2's)."""
    return _band((a + 3) / 6, 1 / 6)


def exp(a):
    return np.exp(a)


def softplus(a):
    """softplus(a) = ln(1 + e^a) = max(a, 0) + ln(1 + e^{−|a|}): no overflow for large a."""
    e, negative = _decaying_exp(a, 1.0)
    return np.where(negative, 0, a) + np.log1p(e)


def sqrt(a):
    return np.sqrt(a)


def diag(v):
    """diag(v) as a dense matrix."""
    return np.diag(v)


def diag_matmul(v, M):
    """diag(v)·M without forming diag(v)."""
    return v[:, None] * M


def matmul_diag(M, v):
    """M·diag(v) without forming diag(v)."""
    return M * v[None, :]


def size(v):
    """len(v) as a vector of length 1 (the mLSTM's key scale 1/√n)."""
    return np.array([float(len(v))])


def outer(a, b):
    """vec(a bᵀ), row by row: entry i·len(b) + j is a_i b_j. Column arrays (len, C) give (len(a)·len(b), C)."""
    return (a[:, None] * b[None]).reshape((-1,) + a.shape[1:])


def matvec(M, v):
    """M v for M = vec of a (len(M)/len(v), len(v)) matrix, row by row (the inverse of ``outer``'s layout)."""
    return (M.reshape((-1,) + v.shape) * v[None]).sum(axis=1)


def dot(a, b):
    """aᵀb as a vector of length 1 (a row (1, C) for column arrays)."""
    return (a * b).sum(axis=0, keepdims=True)


def outer_matrix(a, b):
    """The matrix a bᵀ, (len(a), len(b)): a rank-one block, or a column where len(b) = 1."""
    return np.multiply.outer(a, b)


def identity_kron_row(v):
    """I ⊗ vᵀ, (len(v), len(v)²): ∂(M v)/∂vec(M) for a square M stored as ``outer`` stores it."""
    return np.kron(np.eye(len(v)), v[None, :])


def zeros_like(v, w=None):
    """The zero matrix (len(v), len(w)), w = v if None: a block that does not depend on its input part."""
    return np.zeros((len(v), len(v if w is None else w)))


def identity_like(v):
    """The identity matrix of v's length."""
    return np.eye(len(v))


def rotation_blocks(r, theta):
    """Block-diagonal A with 2×2 blocks r_k·[[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]]; (2K, 2K),
    read-only: a run asks for the same cell's A at every step, and gets the one built for its r, θ."""
    r, theta = np.asarray(r), np.asarray(theta)
    return _rotation_blocks(r.dtype.str, r.tobytes(), theta.dtype.str, theta.tobytes())


@functools.lru_cache(maxsize=16)
def _rotation_blocks(r_type, r_bytes, theta_type, theta_bytes):
    r, theta = np.frombuffer(r_bytes, r_type), np.frombuffer(theta_bytes, theta_type)
    k = len(r)
    A = np.zeros((2 * k, 2 * k))
    cos, sin = r * np.cos(theta), r * np.sin(theta)
    even, odd = np.arange(0, 2 * k, 2), np.arange(1, 2 * k, 2)
    A[even, even], A[even, odd] = cos, -sin
    A[odd, even], A[odd, odd] = sin, cos
    A.setflags(write=False)
    return A
