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

    def input_jacobian_blocks(self, p, x, h, *, ops):
        """∂h'/∂x = diag((h − h̃)⊙σ'(a_f)⊙i/(f + i)²)·U_f − diag((h − h̃)⊙σ'(a_i)⊙f/(f + i)²)·U_i
        + diag(î)·U_h, from ∂f̂/∂f = i/(f + i)², ∂f̂/∂i = −f/(f + i)² and h' = f̂⊙(h − h̃) + h̃."""
        a_f, a_i = affine(p, "f", x), affine(p, "i", x)
        f, i = ops.sigmoid(a_f), ops.sigmoid(a_i)
        gap = (h - affine(p, "h", x)) / ((f + i) * (f + i))
        return (
            (
                ops.diag_matmul(gap * i * ops.dsigmoid(a_f), p.U_f)
                + ops.diag_matmul(-gap * f * ops.dsigmoid(a_i), p.U_i)
                + ops.diag_matmul(i / (f + i), p.U_h),
            ),
        )
