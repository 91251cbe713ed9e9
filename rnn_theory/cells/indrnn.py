"""IndRNN: each unit recurs only on itself, through one recurrent weight u_i."""

import numpy as np

from .rnn import ActivatedCell


class IndRNN(ActivatedCell):
    """IndRNN cell (Li et al. 2018): h' = φ(u ⊙ h + W x + b), φ ∈ {relu, tanh, sigmoid}.

    The recurrent weights form a vector u: unit i sees only its own past h_i. Jacobian:
    ∂h'/∂h = diag(φ'(a) ⊙ u) with a = u ⊙ h + W x + b, a diagonal, so the gradient through τ
    steps is the product ∏_k φ'(a_{i,k}) u_i per unit. Shapes: u (n,), W (n, m), b (n,).

    >>> import numpy as np
    >>> cell = IndRNN(u=[0.5, 2.0], W=[[1.0], [0.0]], b=[0.0, 0.0])
    >>> cell.jacobian(np.array([1.0]), np.array([1.0, -1.0]))
    array([[0.5, 0. ],
           [0. , 0. ]])
    """

    key = "indrnn"
    reference = "Li, Li, Cook, Zhu & Gao 2018, 'Independently recurrent neural network (IndRNN)'"
    param_shapes = {"u": ("n",), "W": ("n", "m"), "b": ("n",)}
    init = {"u": "uniform", "W": "input", "b": "zero"}  # drawn by ``random`` below

    default_activation = "relu"

    @classmethod
    def random(cls, *, hidden_size, input_size, rng=None, gain=1.0, activation=None, u_max=1.0):
        """u ~ U[0, u_max] (recurrent weights in [0, 1] by default, the relu IndRNN's regime in which
        h neither explodes nor, for u near 1, vanishes), W ~ N(0, 1/m), b = 0. ``gain`` scales u's
        range as it scales the other cells' recurrent matrices."""
        rng = np.random.default_rng(rng)
        u = rng.uniform(0.0, gain * u_max, size=hidden_size)
        W = rng.normal(0.0, 1.0 / np.sqrt(input_size), size=(hidden_size, input_size))
        return cls(activation=activation, u=u, W=W, b=np.zeros(hidden_size))

    def recurrent_matrices(self):
        return {"diag(u)": np.diag(self._params["u"])}

    def update(self, p, x, h, *, ops):
        return (getattr(ops, self.activation)(p.u * h + p.W @ x + p.b),)

    def jacobian_blocks(self, p, x, h, *, ops):
        a = p.u * h + p.W @ x + p.b
        return ((ops.diag(getattr(ops, "d" + self.activation)(a) * p.u),),)

    def input_jacobian_blocks(self, p, x, h, *, ops):
        """∂h'/∂x = diag(φ'(a))·W."""
        return ((ops.diag_matmul(getattr(ops, "d" + self.activation)(p.u * h + p.W @ x + p.b), p.W),),)
