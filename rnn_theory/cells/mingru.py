"""minGRU: a GRU whose gate and candidate see only the input."""

from ._base import Cell, Gate, affine, gate_init, gate_params


class MinGRU(Cell):
    """minGRU (Feng et al. 2024): z = σ(U_z x + b_z), h̃ = U_h x + b_h, h' = (1 − z)⊙h + z⊙h̃.

    ∂h'/∂h = diag(1 − z) exactly, independent of h: products of Jacobians are exact diagonals.
    Parameters U_z, U_h (n, m), b_z, b_h (n,).
    """

    key = "mingru"
    reference = "Feng, Tung, Ahmed, Bengio & Hajimirsadeghi 2024, 'Were RNNs all we needed?'"
    param_shapes = gate_params("zh", recurrent=False)
    init = gate_init("zh", recurrent=False)
    gates = (Gate("z", "sigmoid", "update"),)
    retention_label = ("1 − z", r"$1 - z$")
    convention = "gates in the native convention h' = (1−z)⊙h + z⊙h̃: z is the share of new content"

    @classmethod
    def retention(cls, gates):
        return 1 - gates["z"]

    def update(self, p, x, h, *, ops):
        z = ops.sigmoid(affine(p, "z", x))
        h_tilde = affine(p, "h", x)
        return ((1 - z) * h + z * h_tilde,)

    def jacobian_blocks(self, p, x, h, *, ops):
        z = ops.sigmoid(affine(p, "z", x))
        return ((ops.diag(1 - z),),)

    def input_jacobian_blocks(self, p, x, h, *, ops):
        """∂h'/∂x = diag((h̃ − h)⊙σ'(a_z))·U_z + diag(z)·U_h."""
        a_z = affine(p, "z", x)
        return (
            (
                ops.diag_matmul((affine(p, "h", x) - h) * ops.dsigmoid(a_z), p.U_z)
                + ops.diag_matmul(ops.sigmoid(a_z), p.U_h),
            ),
        )
