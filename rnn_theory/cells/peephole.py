"""The peephole LSTM: gates also look at the cell state."""

from .lstm import LSTM


class Peephole(LSTM):
    """LSTM with peepholes p_i, p_f (on c) and p_o (on c'), each a vector (n,):

        i = σ(W_i h + U_i x + p_i⊙c + b_i)   f = σ(W_f h + U_f x + p_f⊙c + b_f)
        g = tanh(W_g h + U_g x + b_g)        o = σ(W_o h + U_o x + p_o⊙c' + b_o)
        c' = f⊙c + i⊙g                       h' = o⊙tanh(c')

    The carousel is no longer diag(f) alone:
        ∂c'/∂c = diag(f + c⊙σ'(a_f)⊙p_f + g⊙σ'(a_i)⊙p_i)
    and ∂h'/∂c' gains tanh(c')⊙σ'(a_o)⊙p_o. ∂c'/∂h is as for lstm.
    """

    key = "peephole"
    reference = "Gers & Schmidhuber 2000, 'Recurrent nets that time and count'"
    param_shapes = {**LSTM.param_shapes, "p_i": ("n",), "p_f": ("n",), "p_o": ("n",)}
    carousel_label = r"direct path $\ln\|\prod\,\partial c'/\partial c\|_2$ (peephole diagonal)"
    init = {**LSTM.init, "p_i": "recurrent", "p_f": "recurrent", "p_o": "recurrent"}

    def input_preactivations(self, p, x, h, c):
        a_i, a_f, a_g = super().input_preactivations(p, x, h, c)
        return a_i + p.p_i * c, a_f + p.p_f * c, a_g

    def cell_jacobian(self, p, pre, c, *, ops):
        dc_dh, dc_dc = super().cell_jacobian(p, pre, c, ops=ops)
        a_i, a_f, a_g = pre
        peep = c * self.dsigma(ops, a_f) * p.p_f + ops.tanh(a_g) * self.dsigma(ops, a_i) * p.p_i
        return dc_dh, dc_dc + ops.diag(peep)

    def output_preactivation(self, p, x, h, c_new):
        return super().output_preactivation(p, x, h, c_new) + p.p_o * c_new

    def output_sensitivity(self, p, a_o, c_new, *, ops):
        return super().output_sensitivity(p, a_o, c_new, ops=ops) + ops.tanh(c_new) * self.dsigma(ops, a_o) * p.p_o
