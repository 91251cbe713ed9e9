"""The mLSTM of xLSTM: a matrix memory with a covariance update, exponential gating, a stabiliser."""

from ._base import Cell, Gate, forget_bias_init


class MLSTM(Cell):
    """mLSTM cell (Beck et al. 2024, section 2.3), one head; state s = [h; C; n; m] of size n² + 2n + 1
    (parts named h, C, norm, stab; the head's memory C, n×n, is stored row by row).

        q = W_q x + b_q   k = (W_k x + b_k)/√n   v = W_v x + b_v   o = σ(W_o x + b_o)
        ã_i = w_i x + b_i   ln f = −softplus(−(w_f x + b_f))       (scalar gates; σ forget gate in log space)
        m' = max(ln f + m, ã_i)   i' = exp(ã_i − m')   f' = exp(ln f + m − m')
        C' = f' C + i' v kᵀ   n' = f' n + i' k   h' = o ⊙ C' q / max(|n'ᵀq|, e^{−m'})

    Every gate and projection reads x alone (no memory mixing), so h' and the new memory do not
    depend on h, and the state enters only through C, n and m. The stabilised C', n' are the paper's
    C_t, n_t times e^{−m'}; with e^{−m'} in place of the paper's 1 in the max (as the official code
    writes it) h' is the paper's h_t unchanged. max(|u|, e) with e > 0 is evaluated as
    e + relu(u − e) + relu(−u − e), and max(a, b) as b + relu(a − b), as in the sLSTM.

    Jacobian blocks, with s = relu'(ln f + m − ã_i), ∂f'/∂m = f'(1 − s), ∂i'/∂m = −i' s, u = n'ᵀq,
    e = e^{−m'}, D = max(|u|, e), r_± = relu'(±u − e), g = −o ⊙ C'q ⊘ D²:

        ∂C'/∂C = f' I   ∂C'/∂m = vec(C) ∂f'/∂m + vec(v kᵀ) ∂i'/∂m   ∂n'/∂n = f' I   ∂n'/∂m = n ∂f'/∂m + k ∂i'/∂m
        ∂m'/∂m = s   ∂h'/∂C = f' diag(o ⊘ D)(I ⊗ qᵀ)   ∂h'/∂n = f' (r₊ − r₋) g qᵀ
        ∂h'/∂m = ∂h'/∂f' ∂f'/∂m + ∂h'/∂i' ∂i'/∂m − e s ∂h'/∂e, with
        ∂h'/∂f' = o ⊘ D ⊙ Cq + (r₊ − r₋)(nᵀq) g,  ∂h'/∂i' = (o ⊘ D ⊙ v + (r₊ − r₋) g)(kᵀq),
        ∂h'/∂e = (1 − r₊ − r₋) g;  all blocks in the column of h are 0.

    The Jacobian is one-sided where a max ties, as relu'(0) = 0 makes it: at ln f + m = ã_i it is
    that of the branch m' = ã_i, at |n'ᵀq| = e^{−m'} that of the branch D = e^{−m'}. Parameters W_*
    (n, m), b_* (n,) for q, k, v, o; w_i, w_f (1, m), b_i, b_f (1,) for the scalar gates.
    """

    key = "mlstm"
    reference = "Beck et al. 2024, 'xLSTM: extended long short-term memory', section 2.3"
    param_shapes = (
        {f"W_{g}": ("n", "m") for g in "qkvo"}
        | {f"b_{g}": ("n",) for g in "qkvo"}
        | {f"w_{g}": ("1", "m") for g in "if"}
        | {f"b_{g}": ("1",) for g in "if"}
    )
    # The official code's gate weights 0 and forget bias 3 (one head); projections N(0, 1/m).
    init = {name: "input" if name.startswith("W_") else "zero" for name in param_shapes}
    _from_random = forget_bias_init(3.0)
    # The normaliser n and stabiliser m are named in full: "n" and "m" are the sizes n and m.
    state_parts = ("h", "C", "norm", "stab")
    part_sizes = {"C": "n*n", "stab": "1"}
    gates = (
        Gate("m", "relu", "stabiliser"),
        Gate("i", "exp", "input"),
        Gate("f", "exp", "forget"),
        Gate("o", "sigmoid", "output"),
        Gate("e", "exp", "normaliser"),
        Gate("D+", "relu", "normaliser"),
        Gate("D-", "relu", "normaliser"),
    )
    retention_label = ("f'", r"$f'$")
    convention = (
        "one head, gates stabilised as in the paper: i' = exp(ã_i − m'), f' = f·exp(m − m'); f' (one per step) "
        "is the retention of the whole memory"
    )

    @classmethod
    def retention(cls, gates):
        return gates["f"]

    def _read(self, p, x, C, norm, stab, *, ops):
        """(m', ln f + m − ã_i, i', f', q, k, v, o, e, C', n', u, D), in the order the update evaluates them."""
        a_i = p.w_i @ x + p.b_i
        gap = -1 * ops.softplus(-1 * (p.w_f @ x + p.b_f)) + stab - a_i  # ln f + m − ã_i
        m_new = a_i + ops.relu(gap)
        i, f = ops.exp(a_i - m_new), ops.exp(gap + a_i - m_new)
        q, v = p.W_q @ x + p.b_q, p.W_v @ x + p.b_v
        k = (p.W_k @ x + p.b_k) / ops.sqrt(ops.size(q))
        o = ops.sigmoid(p.W_o @ x + p.b_o)
        e = ops.exp(-1 * m_new)
        C_new, n_new = f * C + i * ops.outer(v, k), f * norm + i * k
        u = ops.dot(n_new, q)
        D = e + ops.relu(u - e) + ops.relu(-1 * u - e)
        return m_new, gap, i, f, q, k, v, o, e, C_new, n_new, u, D

    def update(self, p, x, h, C, norm, stab, *, ops):
        m_new, _, _, _, q, _, _, o, _, C_new, n_new, _, D = self._read(p, x, C, norm, stab, ops=ops)
        return o * ops.matvec(C_new, q) / D, C_new, n_new, m_new

    def jacobian_blocks(self, p, x, h, C, norm, stab, *, ops):
        _, gap, i, f, q, k, v, o, e, C_new, _, u, D = self._read(p, x, C, norm, stab, ops=ops)
        s = ops.drelu(gap)
        df, di = f * (1 - s), -1 * i * s  # ∂f'/∂m, ∂i'/∂m
        r_pos, r_neg = ops.drelu(u - e), ops.drelu(-1 * u - e)
        g = -1 * o * ops.matvec(C_new, q) / (D * D)
        dh_df = o / D * ops.matvec(C, q) + g * ((r_pos - r_neg) * ops.dot(norm, q))
        dh_di = (o / D * v + g * (r_pos - r_neg)) * ops.dot(k, q)
        dh_de = g * (1 - r_pos - r_neg)
        zero = ops.zeros_like
        return (
            (
                zero(h),
                ops.diag_matmul(o * f / D, ops.identity_kron_row(q)),
                ops.outer_matrix(g, (r_pos - r_neg) * f * q),
                ops.outer_matrix(dh_df, df) + ops.outer_matrix(dh_di, di) + ops.outer_matrix(dh_de, -1 * e * s),
            ),
            (
                zero(C, h),
                ops.diag(f + 0 * C),  # the scalar f' on every entry of C
                zero(C, norm),
                ops.outer_matrix(C, df) + ops.outer_matrix(ops.outer(v, k), di),
            ),
            (
                zero(norm, h),
                zero(norm, C),
                ops.diag(f + 0 * norm),
                ops.outer_matrix(norm, df) + ops.outer_matrix(k, di),
            ),
            (zero(stab, h), zero(stab, C), zero(stab, norm), ops.diag(s)),
        )
