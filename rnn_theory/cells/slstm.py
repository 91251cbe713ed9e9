"""The sLSTM of xLSTM: exponential input gate, normaliser and stabiliser states."""

from ._base import Cell, Gate

_GATE_LETTERS = "zifo"


class SLSTM(Cell):
    """sLSTM cell (Beck et al. 2024, section 2.2); state s = [h; c; n; m] of size 4n
    (parts named h, c, norm, stab).

        z = tanh(ã_z)   o = σ(ã_o)   ln f = −softplus(−ã_f)   (σ forget gate, in log space)
        m' = max(ln f + m, ã_i)                                 stabiliser
        i' = exp(ã_i − m')   f' = exp(ln f + m − m')            stabilised gates
        c' = f' ⊙ c + i' ⊙ z   n' = f' ⊙ n + i'   h' = o ⊙ c' ⊘ n'

    with ã_X = W_X x + R_X h + b_X. max(a, b) is evaluated as b + relu(a − b), so its derivative
    is relu'(a − b) (the subgradient 0 at a tie, as for relu). Jacobian blocks, with
    s = relu'(ln f + m − ã_i), g = σ(−ã_f) (∂ ln f/∂ã_f) and ∂m'/∂h = diag(s ⊙ g) R_f + diag(1 − s) R_i:

        ∂i'/∂h = diag(i' ⊙ s)(R_i − diag(g) R_f)    ∂i'/∂m = −diag(i' ⊙ s)
        ∂f'/∂h = diag(f' ⊙ (1 − s))(diag(g) R_f − R_i)  ∂f'/∂m = diag(f' ⊙ (1 − s))
        ∂c'/∂· = diag(c) ∂f'/∂· + diag(z) ∂i'/∂· (+ diag(i' ⊙ tanh'(ã_z)) R_z for h, + diag(f') for c)
        ∂n'/∂· = diag(n) ∂f'/∂· + ∂i'/∂· (+ diag(f') for n)
        ∂h'/∂· = diag(o ⊘ n') ∂c'/∂· − diag(o ⊙ c' ⊘ n'²) ∂n'/∂· (+ diag(c' ⊘ n' ⊙ σ'(ã_o)) R_o for h)

    The stabiliser m changes i' and f' by the same factor e^{m_old − m'}, which c' ⊘ n' cancels:
    h' does not depend on m. Parameters W_* (n, m), R_* (n, n), b_* (n,) for z, i, f, o.
    """

    key = "slstm"
    reference = "Beck et al. 2024, 'xLSTM: extended long short-term memory', section 2.2"
    param_shapes = (
        {f"W_{g}": ("n", "m") for g in _GATE_LETTERS}
        | {f"R_{g}": ("n", "n") for g in _GATE_LETTERS}
        | {f"b_{g}": ("n",) for g in _GATE_LETTERS}
    )
    init = {name: {"W": "input", "R": "recurrent", "b": "zero"}[name[0]] for name in param_shapes}
    # The normaliser n and stabiliser m are named in full: "n" and "m" are the sizes n and m.
    state_parts = ("h", "c", "norm", "stab")
    gates = (
        Gate("z", "tanh", "candidate"),
        Gate("o", "sigmoid", "output"),
        Gate("m", "relu", "stabiliser"),
        Gate("i", "exp", "input"),
        Gate("f", "exp", "forget"),
    )
    retention_label = ("f'", r"$f'$")
    convention = "gates stabilised as in the paper: i' = exp(ã_i − m'), f' = f·exp(m − m'); f' is the retention"

    @classmethod
    def retention(cls, gates):
        return gates["f"]

    def _pre(self, p, g, x, h):
        return getattr(p, f"W_{g}") @ x + getattr(p, f"R_{g}") @ h + getattr(p, f"b_{g}")

    def _gates(self, p, x, h, m, *, ops):
        """(ã_i, ã_f, ã_z, ã_o, z, o, ln f, m', i', f'), in the order the update evaluates them."""
        a_i, a_f, a_z, a_o = (self._pre(p, g, x, h) for g in "ifzo")
        z, o = ops.tanh(a_z), ops.sigmoid(a_o)
        log_f = -1 * ops.softplus(-1 * a_f)
        m_new = a_i + ops.relu(log_f + m - a_i)
        return a_i, a_f, a_z, a_o, z, o, log_f, m_new, ops.exp(a_i - m_new), ops.exp(log_f + m - m_new)

    def update(self, p, x, h, c, norm, stab, *, ops):
        *_, z, o, _, m_new, i, f = self._gates(p, x, h, stab, ops=ops)
        c_new, n_new = f * c + i * z, f * norm + i
        return o * c_new / n_new, c_new, n_new, m_new

    def jacobian_blocks(self, p, x, h, c, norm, stab, *, ops):
        n, m = norm, stab
        a_i, a_f, a_z, a_o, z, o, log_f, m_new, i, f = self._gates(p, x, h, m, ops=ops)
        s, g = ops.drelu(log_f + m - a_i), ops.sigmoid(-1 * a_f)
        zero = ops.zeros_like(h)
        # Rows of ∂(i', f')/∂(h, c, n, m): m' = max(ln f + m, ã_i) enters both.
        di = (ops.diag_matmul(i * s, p.R_i) + ops.diag_matmul(-1 * i * s * g, p.R_f), zero, zero, ops.diag(-1 * i * s))
        df = (
            ops.diag_matmul(f * (1 - s) * g, p.R_f) + ops.diag_matmul(-1 * f * (1 - s), p.R_i),
            zero,
            zero,
            ops.diag(f * (1 - s)),
        )
        own = {
            "c": (ops.diag_matmul(i * ops.dtanh(a_z), p.R_z), ops.diag(f), zero, zero),
            "n": (zero, zero, ops.diag(f), zero),
        }
        dc = tuple(ops.diag_matmul(c, a) + ops.diag_matmul(z, b) + extra for a, b, extra in zip(df, di, own["c"]))
        dn = tuple(ops.diag_matmul(n, a) + b + extra for a, b, extra in zip(df, di, own["n"]))
        c_new, n_new = f * c + i * z, f * n + i
        readout = (ops.diag_matmul(c_new / n_new * ops.dsigmoid(a_o), p.R_o), zero, zero, zero)
        dh = tuple(
            ops.diag_matmul(o / n_new, a) + ops.diag_matmul(-1 * o * c_new / (n_new * n_new), b) + extra
            for a, b, extra in zip(dc, dn, readout)
        )
        return dh, dc, dn, (ops.diag_matmul(s * g, p.R_f) + ops.diag_matmul(1 - s, p.R_i), zero, zero, ops.diag(s))
