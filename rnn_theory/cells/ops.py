"""The ``ops`` interface: what a backend gives the cells' equations.

Each cell writes ``update`` and ``jacobian_blocks`` once, against an ``ops`` argument, using
besides it only ``@``, ``+``, ``-`` and elementwise ``*``/``/`` on the arrays it is handed. Four
backends implement ``Ops``, so the same equations run, are proven, are differentiated lazily and
are trained:

- ``rnn_theory.cells._numpy_ops`` (a module): NumPy arrays, real or complex (for the complex step);
- ``rnn_theory.symbolic.ops.SympyOps``: index-form SymPy objects for general n;
- ``rnn_theory.flow._operator_tree.OPS``: lazy linear operators over a chunk of C time steps;
- ``rnn_theory.training.forward._TapeOps``: the NumPy backend that also records each
  nonlinearity's output for the backward pass.

Where the arguments are NumPy arrays, every backend returns the NumPy backend's values bit for bit
(``tests/test_ops.py``); the SymPy backend agrees with them to rounding.

>>> from rnn_theory.cells import _numpy_ops
>>> isinstance(_numpy_ops, Ops)
True
>>> OPS_MEMBERS[:4]
('sigmoid', 'dsigmoid', 'tanh', 'dtanh')
"""

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Ops(Protocol):
    """The backend of the cells' equations. ``a``, ``v``, ``r``, ``theta`` are vectors, ``M`` a matrix
    (in a backend's own representation); the activations act elementwise."""

    def sigmoid(self, a: Any) -> Any:
        """σ(a) = 1/(1 + e^{−a}), to full relative precision for either sign (σ(−40) ≈ 4.2e−18)."""

    def dsigmoid(self, a: Any) -> Any:
        """σ'(a) = σ(a)(1 − σ(a))."""

    def tanh(self, a: Any) -> Any:
        """tanh(a)."""

    def dtanh(self, a: Any) -> Any:
        """tanh'(a) = 1 − tanh(a)²."""

    def relu(self, a: Any) -> Any:
        """max(a, 0)."""

    def drelu(self, a: Any) -> Any:
        """relu'(a): 1 for a > 0, else 0 (the subgradient 0 at a = 0)."""

    def hard_sigmoid_keras2(self, a: Any) -> Any:
        """Keras 2's hard sigmoid clip(0.2a + 0.5, 0, 1)."""

    def dhard_sigmoid_keras2(self, a: Any) -> Any:
        """0.2 where 0 < 0.2a + 0.5 < 1, else 0 (at the kinks a = ±2.5 the flat side's 0)."""

    def hard_sigmoid_keras3(self, a: Any) -> Any:
        """Keras 3's hard sigmoid relu6(a + 3)/6 = clip((a + 3)/6, 0, 1) (PyTorch's hardsigmoid)."""

    def dhard_sigmoid_keras3(self, a: Any) -> Any:
        """1/6 where 0 < (a + 3)/6 < 1, else 0 (at the kinks a = ±3 the flat side's 0)."""

    def exp(self, a: Any) -> Any:
        """e^a (the sLSTM's exponential gates, Mamba's and the RG-LRU's decays)."""

    def softplus(self, a: Any) -> Any:
        """ln(1 + e^a), without overflow for large a; softplus' = σ."""

    def sqrt(self, a: Any) -> Any:
        """√a (the RG-LRU's √(1 − a_t²))."""

    def diag(self, v: Any) -> Any:
        """diag(v), (n, n)."""

    def diag_matmul(self, v: Any, M: Any) -> Any:
        """diag(v)·M."""

    def matmul_diag(self, M: Any, v: Any) -> Any:
        """M·diag(v)."""

    def identity_like(self, v: Any) -> Any:
        """The identity matrix of v's length."""

    def zeros_like(self, v: Any, w: Any = None) -> Any:
        """The zero matrix (len(v), len(w)), w = v if None (a block that does not depend on its input part)."""

    def size(self, v: Any) -> Any:
        """The number of entries of v (n for a hidden vector), as a vector of length 1."""

    def outer(self, a: Any, b: Any) -> Any:
        """vec(a bᵀ) row by row, a vector of length len(a)·len(b) (the mLSTM's matrix memory)."""

    def matvec(self, M: Any, v: Any) -> Any:
        """M v for M a vector holding a (len(M)/len(v), len(v)) matrix as ``outer`` lays it out."""

    def dot(self, a: Any, b: Any) -> Any:
        """aᵀb, a vector of length 1."""

    def outer_matrix(self, a: Any, b: Any) -> Any:
        """The matrix a bᵀ (len(a), len(b)): a rank-one block, or a column block where len(b) = 1."""

    def identity_kron_row(self, v: Any) -> Any:
        """I ⊗ vᵀ (len(v), len(v)²) = ∂(M v)/∂vec(M) for a square M laid out as ``outer`` does."""

    def rotation_blocks(self, r: Any, theta: Any) -> Any:
        """Block-diagonal A with 2×2 blocks r_k·[[cos θ_k, −sin θ_k], [sin θ_k, cos θ_k]], (2K, 2K)."""


OPS_MEMBERS = tuple(name for name in vars(Ops) if not name.startswith("_"))
"""The names every backend provides, in the order above."""
