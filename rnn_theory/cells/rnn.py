"""The vanilla (Elman) RNN: h' = φ(W h + U x + b)."""

from ._base import Cell, Gate

ACTIVATIONS = ("tanh", "sigmoid", "relu")


class ActivatedCell(Cell):
    """A cell whose state passes through one chosen φ ∈ ``ACTIVATIONS`` (rnn, indrnn)."""

    default_activation = "tanh"

    def __init__(self, *, activation=None, **params):
        activation = self.default_activation if activation is None else activation
        if activation not in ACTIVATIONS:
            raise ValueError(f"{self.key}: activation must be one of {ACTIVATIONS}, got {activation!r}")
        self.activation = activation
        super().__init__(**params)

    @property
    def gates(self):
        return (Gate("phi", self.activation, "state"),)

    @property
    def options(self):
        return {"activation": self.activation}

    def __repr__(self):
        return (
            f"{type(self).__name__}(hidden_size={self.hidden_size}, input_size={self.input_size}, "
            f"activation={self.activation!r})"
        )


class RNN(ActivatedCell):
    """Elman RNN cell, h' = φ(W h + U x + b), φ ∈ {tanh, sigmoid, relu}.

    Jacobian: ∂h'/∂h = diag(φ'(a))·W with a = W h + U x + b (Pascanu et al. 2013, eq. 5,
    written in Jacobian layout); ∂h'/∂x = diag(φ'(a))·U. Shapes: W (n, n), U (n, m), b (n,).

    >>> import numpy as np
    >>> cell = RNN(W=[[0.5]], U=[[1.0]], b=[0.0])
    >>> cell.step(np.array([0.0]), np.array([1.0])).round(6)
    array([0.462117])
    """

    key = "rnn"
    reference = "Elman 1990; Pascanu, Mikolov & Bengio 2013, eqs. (2) and (5)"
    param_shapes = {"W": ("n", "n"), "U": ("n", "m"), "b": ("n",)}
    init = {"W": "recurrent", "U": "input", "b": "zero"}

    @classmethod
    def _from_random(cls, params, *, activation=None):
        return cls(activation=activation, **params)

    def update(self, p, x, h, *, ops):
        phi = getattr(ops, self.activation)
        return (phi(p.W @ h + p.U @ x + p.b),)

    def jacobian_blocks(self, p, x, h, *, ops):
        dphi = getattr(ops, "d" + self.activation)
        a = p.W @ h + p.U @ x + p.b
        return ((ops.diag_matmul(dphi(a), p.W),),)

    def input_jacobian_blocks(self, p, x, h, *, ops):
        dphi = getattr(ops, "d" + self.activation)
        return ((ops.diag_matmul(dphi(p.W @ h + p.U @ x + p.b), p.U),),)
