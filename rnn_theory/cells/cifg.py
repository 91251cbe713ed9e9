"""The coupled input-forget gate LSTM (CIFG): only forget when writing something in its place."""

from ._base import affine, gate_init, gate_params
from .lstm import LSTM, lstm_gates


class CIFG(LSTM):
    """LSTM with coupled gates i = 1 − f: c' = f⊙c + (1 − f)⊙g, h' = o⊙tanh(c').

        ∂c'/∂c = diag(f)
        ∂c'/∂h = diag((c − g)⊙σ'(a_f))·W_f + diag((1 − f)⊙tanh'(a_g))·W_g
    Parameters W_*, U_*, b_* for gates f, g, o.
    """

    key = "cifg"
    reference = "Olah 2015 (coupled forget and input gates); Greff et al. 2017"
    param_shapes = gate_params("fgo")
    init = gate_init("fgo")
    gates = lstm_gates("fgo")

    def input_preactivations(self, p, x, h, c):
        """(a_f, a_g)."""
        return affine(p, "f", x, h), affine(p, "g", x, h)

    def cell_update(self, pre, c, *, ops):
        a_f, a_g = pre
        f, g = self.sigma(ops, a_f), ops.tanh(a_g)
        return f * c + (1 - f) * g

    def cell_jacobian(self, p, pre, c, *, ops):
        a_f, a_g = pre
        f, g = self.sigma(ops, a_f), ops.tanh(a_g)
        dc_dh = ops.diag_matmul((c - g) * self.dsigma(ops, a_f), p.W_f) + ops.diag_matmul(
            (1 - f) * ops.dtanh(a_g), p.W_g
        )
        return dc_dh, ops.diag(f)
