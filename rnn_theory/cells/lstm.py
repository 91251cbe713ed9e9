"""The LSTM with forget gate: the cell state c is an additive path gated by f."""

from types import SimpleNamespace

from ._base import Gate, affine, gate_init, gate_params
from ._gating import GatedCell

_GATES = {
    "i": Gate("i", "sigmoid", "input"),
    "f": Gate("f", "sigmoid", "forget"),
    "g": Gate("g", "tanh", "candidate"),
    "o": Gate("o", "sigmoid", "output"),
}


def lstm_gates(letters):
    """The declared gates of an LSTM-family cell whose gates are ``letters`` (in the order its
    ``update`` evaluates them), then the readout tanh(c')."""
    return (*(_GATES[letter] for letter in letters), Gate("tanh_c", "tanh", "readout"))


def _input_as_state(p):
    """p with every W_k replaced by U_k: the pre-activations a_k = W_k h + U_k x + b_k meet x
    through U_k exactly where they meet h through W_k, so ∂(·)/∂h written with these parameters
    is ∂(·)/∂x."""
    return SimpleNamespace(**{**vars(p), **{"W" + k[1:]: v for k, v in vars(p).items() if k.startswith("U_")}})


class LSTM(GatedCell):
    """LSTM cell with forget gate; state s = [h; c] of size 2n.

        i = σ(W_i h + U_i x + b_i)      f = σ(W_f h + U_f x + b_f)
        g = tanh(W_g h + U_g x + b_g)   o = σ(W_o h + U_o x + b_o)
        c' = f⊙c + i⊙g                  h' = o⊙tanh(c')

    Jacobian blocks (rows = outputs), with a_k the pre-activation of gate k:
        ∂c'/∂c = diag(f)
        ∂c'/∂h = diag(c⊙σ'(a_f))·W_f + diag(g⊙σ'(a_i))·W_i + diag(i⊙tanh'(a_g))·W_g
        ∂h'/∂h = diag(tanh(c')⊙σ'(a_o))·W_o + diag(o⊙tanh'(c'))·∂c'/∂h
        ∂h'/∂c = diag(o⊙tanh'(c'))·∂c'/∂c
    and, as the pre-activations a_k = W_k h + U_k x + b_k meet x through U_k where they meet h
    through W_k, the input blocks ∂c'/∂x and ∂h'/∂x are ∂c'/∂h and ∂h'/∂h with U_* for W_*.

    The variants (lstm_nofg, cifg, peephole) change the cell update and ∂c'/∂(h, c) only. σ may be a
    hard sigmoid (``gate_activation``, ``cells._gating``); σ' is then its piecewise-constant slope.
    Parameters W_* (n, n), U_* (n, m), b_* (n,) for gates i, f, g, o (PyTorch's order).
    """

    key = "lstm"
    reference = "Gers, Schmidhuber & Cummins 2000; Olah 2015; PyTorch nn.LSTM"
    param_shapes = gate_params("ifgo")
    init = gate_init("ifgo")
    state_parts = ("h", "c")
    gates = lstm_gates("ifgo")
    retention_label = ("f", r"$f$")
    carousel_label = r"direct path $\ln\|\prod\,\mathrm{diag}(f)\|_2$"  # ∂c'/∂c over the lags

    @classmethod
    def retention(cls, gates):
        return gates["f"]

    @classmethod
    def _from_random(cls, params, *, forget_bias=1.0):
        params["b_f"] = params["b_f"] + forget_bias
        return cls(**params)

    def update(self, p, x, h, c, *, ops):
        c_new = self.cell_update(self.input_preactivations(p, x, h, c), c, ops=ops)
        o = self.sigma(ops, self.output_preactivation(p, x, h, c_new))
        h_new = o * ops.tanh(c_new)
        return h_new, c_new

    def jacobian_blocks(self, p, x, h, c, *, ops):
        (dh_dh, dc_dh), dh_dc_new, dc_dc = self._sensitivities(p, p, x, h, c, ops=ops)
        return (dh_dh, ops.diag_matmul(dh_dc_new, dc_dc)), (dc_dh, dc_dc)

    def input_jacobian_blocks(self, p, x, h, c, *, ops):
        (dh_dx, dc_dx), _, _ = self._sensitivities(p, _input_as_state(p), x, h, c, ops=ops)
        return (dh_dx,), (dc_dx,)

    def _sensitivities(self, p, q, x, h, c, *, ops):
        """((∂h'/∂v, ∂c'/∂v), ∂h'/∂c' (a vector), ∂c'/∂c) at parameters p, for v = h (q = p) or
        v = x (q = ``_input_as_state(p)``)."""
        pre = self.input_preactivations(p, x, h, c)  # once: the cell update and its Jacobian share them
        dc_dv, dc_dc = self.cell_jacobian(q, pre, c, ops=ops)
        c_new = self.cell_update(pre, c, ops=ops)
        a_o = self.output_preactivation(p, x, h, c_new)
        dh_dc_new = self.output_sensitivity(p, a_o, c_new, ops=ops)
        dh_dv = ops.diag_matmul(ops.tanh(c_new) * self.dsigma(ops, a_o), q.W_o) + ops.diag_matmul(dh_dc_new, dc_dv)
        return (dh_dv, dc_dv), dh_dc_new, dc_dc

    def input_preactivations(self, p, x, h, c):
        """(a_i, a_f, a_g)."""
        return affine(p, "i", x, h), affine(p, "f", x, h), affine(p, "g", x, h)

    def cell_update(self, pre, c, *, ops):
        """c' from the input preactivations ``pre`` and c."""
        a_i, a_f, a_g = pre
        i, f, g = self.sigma(ops, a_i), self.sigma(ops, a_f), ops.tanh(a_g)
        return f * c + i * g

    def cell_jacobian(self, p, pre, c, *, ops):
        """(∂c'/∂h, ∂c'/∂c) from the input preactivations ``pre``."""
        a_i, a_f, a_g = pre
        i, f, g = self.sigma(ops, a_i), self.sigma(ops, a_f), ops.tanh(a_g)
        dc_dh = (
            ops.diag_matmul(c * self.dsigma(ops, a_f), p.W_f)
            + ops.diag_matmul(g * self.dsigma(ops, a_i), p.W_i)
            + ops.diag_matmul(i * ops.dtanh(a_g), p.W_g)
        )
        return dc_dh, ops.diag(f)

    def output_preactivation(self, p, x, h, c_new):
        return affine(p, "o", x, h)

    def output_sensitivity(self, p, a_o, c_new, *, ops):
        """∂h'/∂c' (a diagonal, as a vector) for h' = o⊙tanh(c')."""
        return self.sigma(ops, a_o) * ops.dtanh(c_new)
