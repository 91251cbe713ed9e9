"""The 1997 LSTM without forget gate: the constant error carousel."""

import numpy as np

from ._base import affine, gate_init, gate_params
from .lstm import LSTM, lstm_gates


class LSTMNoForget(LSTM):
    """LSTM without forget gate (f ≡ 1): c' = c + i⊙g, h' = o⊙tanh(c').

    The carousel: ∂c'/∂c = I exactly (Hochreiter & Schmidhuber 1997, the CEC), while
        ∂c'/∂h = diag(g⊙σ'(a_i))·W_i + diag(i⊙tanh'(a_g))·W_g.
    Parameters W_*, U_*, b_* for gates i, g, o.
    """

    key = "lstm_nofg"
    reference = "Hochreiter & Schmidhuber 1997, section 4 (constant error carousel)"
    param_shapes = gate_params("igo")
    init = gate_init("igo")
    gates = lstm_gates("igo")
    retention_label = ("1", r"$1$")
    carousel_label = r"direct path $\ln\|I\|_2 = 0$"

    @classmethod
    def retention(cls, gates):
        return np.ones_like(gates["i"])  # f ≡ 1

    @classmethod
    def _from_random(cls, params):  # no forget gate, so no forget_bias
        return cls(**params)

    def input_preactivations(self, p, x, h, c):
        """(a_i, a_g)."""
        return affine(p, "i", x, h), affine(p, "g", x, h)

    def cell_update(self, pre, c, *, ops):
        a_i, a_g = pre
        i, g = self.sigma(ops, a_i), ops.tanh(a_g)
        return c + i * g

    def cell_jacobian(self, p, pre, c, *, ops):
        a_i, a_g = pre
        i, g = self.sigma(ops, a_i), ops.tanh(a_g)
        dc_dh = ops.diag_matmul(g * self.dsigma(ops, a_i), p.W_i) + ops.diag_matmul(i * ops.dtanh(a_g), p.W_g)
        return dc_dh, ops.identity_like(c)
