"""The gated recurrent unit, in its two conventions for the reset gate."""

from ._base import Gate, affine, gate_init, gate_params
from ._gating import GatedCell


class GRU(GatedCell):
    """GRU with the reset gate applied after the recurrent matmul (PyTorch, cuDNN, Keras default):

        r = σ(W_r h + U_r x + b_r)          z = σ(W_z h + U_z x + b_z)
        h̃ = tanh(U_n x + b_n + r⊙(W_n h + c_n))
        h' = (1 − z)⊙h + z⊙h̃

    z is the share of new content, as Chung et al. 2014, eq. (5), write it. Cho et al. 2014, eq. (7),
    who introduced the GRU, and PyTorch and Keras write h' = z⊙h + (1 − z)⊙n, so their z-gate weights
    and biases are the negatives of these (σ(−a) = 1 − σ(a)). c_n is
    PyTorch's b_hn: it sits inside r⊙(·) and cannot be merged into b_n. σ may be a hard sigmoid
    (``gate_activation``, ``cells._gating``); as σ(−a) = 1 − σ(a), so is each hard sigmoid symmetric,
    hσ(−a) = 1 − hσ(a), and the z-gate's negation on import holds for it too.

    Jacobian, with a_k the pre-activations and a_n the argument of tanh in h̃:
        ∂h'/∂h = diag(1 − z) + diag((h̃ − h)⊙σ'(a_z))·W_z
                 + diag(z⊙tanh'(a_n))·[diag((W_n h + c_n)⊙σ'(a_r))·W_r + diag(r)·W_n]
    and, from the input,
        ∂h'/∂x = diag((h̃ − h)⊙σ'(a_z))·U_z + diag(z⊙tanh'(a_n))·[diag((W_n h + c_n)⊙σ'(a_r))·U_r + U_n]
    """

    key = "gru"
    reference = (
        "Cho et al. 2014, written in the update form of Chung et al. 2014; PyTorch nn.GRU; Keras GRU(reset_after=True)"
    )
    param_shapes = {**gate_params("rzn"), "c_n": ("n",)}
    init = {**gate_init("rzn"), "c_n": "zero"}
    gates = (Gate("r", "sigmoid", "reset"), Gate("z", "sigmoid", "update"), Gate("n", "tanh", "candidate"))
    retention_label = ("1 − z", r"$1 - z$")
    convention = "gates in the native convention h' = (1−z)⊙h + z⊙h̃: z is the share of new content"

    @classmethod
    def retention(cls, gates):
        return 1 - gates["z"]

    def update(self, p, x, h, *, ops):
        r = self.sigma(ops, affine(p, "r", x, h))
        z = self.sigma(ops, affine(p, "z", x, h))
        h_tilde = ops.tanh(self.candidate_preactivation(p, x, h, r))
        return ((1 - z) * h + z * h_tilde,)

    def candidate_preactivation(self, p, x, h, r):
        return affine(p, "n", x) + r * (p.W_n @ h + p.c_n)

    def candidate_jacobian(self, p, x, h, a_r, *, ops):
        """∂a_n/∂h, the candidate pre-activation's dependence on h (through r and directly)."""
        return ops.diag_matmul((p.W_n @ h + p.c_n) * self.dsigma(ops, a_r), p.W_r) + ops.diag_matmul(
            self.sigma(ops, a_r), p.W_n
        )

    def candidate_input_jacobian(self, p, x, h, a_r, *, ops):
        """∂a_n/∂x, the candidate pre-activation's dependence on x (through r and directly)."""
        return ops.diag_matmul((p.W_n @ h + p.c_n) * self.dsigma(ops, a_r), p.U_r) + p.U_n

    def jacobian_blocks(self, p, x, h, *, ops):
        a_r, a_z = affine(p, "r", x, h), affine(p, "z", x, h)
        r, z = self.sigma(ops, a_r), self.sigma(ops, a_z)
        a_n = self.candidate_preactivation(p, x, h, r)
        h_tilde = ops.tanh(a_n)
        dh_dh = (
            ops.diag(1 - z)
            + ops.diag_matmul((h_tilde - h) * self.dsigma(ops, a_z), p.W_z)
            + ops.diag_matmul(z * ops.dtanh(a_n), self.candidate_jacobian(p, x, h, a_r, ops=ops))
        )
        return ((dh_dh,),)

    def input_jacobian_blocks(self, p, x, h, *, ops):
        a_r, a_z = affine(p, "r", x, h), affine(p, "z", x, h)
        r, z = self.sigma(ops, a_r), self.sigma(ops, a_z)
        a_n = self.candidate_preactivation(p, x, h, r)
        dh_dx = ops.diag_matmul((ops.tanh(a_n) - h) * self.dsigma(ops, a_z), p.U_z) + ops.diag_matmul(
            z * ops.dtanh(a_n), self.candidate_input_jacobian(p, x, h, a_r, ops=ops)
        )
        return ((dh_dx,),)


class GRUResetBefore(GRU):
    """GRU with the reset gate applied before the matmul (Cho et al. 2014 v3, Keras reset_after=False):

        h̃ = tanh(W_n (r⊙h) + U_n x + b_n)

    and otherwise as ``gru``. Its candidate terms in the Jacobians are
        ∂a_n/∂h = W_n·[diag(h⊙σ'(a_r))·W_r + diag(r)],   ∂a_n/∂x = W_n·diag(h⊙σ'(a_r))·U_r + U_n.
    """

    key = "gru_rb"
    reference = "Cho et al. 2014 (arXiv 1406.1078v3); Keras GRU(reset_after=False)"
    param_shapes = gate_params("rzn")
    init = gate_init("rzn")

    def candidate_preactivation(self, p, x, h, r):
        return p.W_n @ (r * h) + affine(p, "n", x)

    def candidate_jacobian(self, p, x, h, a_r, *, ops):
        return p.W_n @ ops.diag_matmul(h * self.dsigma(ops, a_r), p.W_r) + ops.matmul_diag(p.W_n, self.sigma(ops, a_r))

    def candidate_input_jacobian(self, p, x, h, a_r, *, ops):
        return p.W_n @ ops.diag_matmul(h * self.dsigma(ops, a_r), p.U_r) + p.U_n
