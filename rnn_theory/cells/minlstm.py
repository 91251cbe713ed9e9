"""minLSTM: an LSTM reduced to normalised input-only forget and input gates."""

from ._base import Cell, Gate, affine, gate_init, gate_params


class MinLSTM(Cell):
    """minLSTM (Feng et al. 2024):

        f = σ(U_f x + b_f)   i = σ(U_i x + b_i)   f̂ = f/(f + i)   î = i/(f + i)
        h̃ = U_h x + b_h      h' = f̂⊙h + î⊙h̃

    ∂h'/∂h = diag(f̂) exactly. Parameters U_f, U_i, U_h (n, m), b_f, b_i, b_h (n,).
    """

    key = "minlstm"
    reference = "Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, 'Were RNNs all we needed?'"
    param_shapes = gate_params("fih", recurrent=False)
    init = gate_init("fih", recurrent=False)
    gates = (Gate("f", "sigmoid", "forget"), Gate("i", "sigmoid", "input"))
    retention_label = ("f̂ = f/(f + i)", r"$\hat f$")

    @classmethod
    def retention(cls, gates):
        return gates["f"] / (gates["f"] + gates["i"])

    @classmethod
    def _from_random(cls, params, *, forget_bias=1.0):
        params["b_f"] = params["b_f"] + forget_bias
        return cls(**params)

    def update(self, p, x, h, *, ops):
        f = ops.sigmoid(affine(p, "f", x))
        i = ops.sigmoid(affine(p, "i", x))
        f_hat, i_hat = f / (f + i), i / (f + i)
        h_tilde = affine(p, "h", x)
        return (f_hat * h + i_hat * h_tilde,)

    def jacobian_blocks(self, p, x, h, *, ops):
        f = ops.sigmoid(affine(p, "f", x))
        i = ops.sigmoid(affine(p, "i", x))
        return ((ops.diag(f / (f + i)),),)
