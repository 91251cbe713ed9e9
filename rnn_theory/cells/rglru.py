"""The RG-LRU: Griffin's and Hawk's real-gated linear recurrent unit."""

import numpy as np

from ._base import Cell, Gate


class RGLRU(Cell):
    """RG-LRU (De et al. 2024, section 2.4), on the projected input x̃ = W_in x:

        r = σ(W_a x̃ + b_a)        recurrence gate
        i = σ(W_x x̃ + b_x)        input gate
        a_t = a^{c·r} = exp(−c·r ⊙ softplus(−Λ)),  a = σ(Λ), c = 8
        h' = a_t ⊙ h + √(1 − a_t²) ⊙ (i ⊙ x̃)

    The paper's x_t has the hidden width n. Here the cell takes x of any width m and includes the
    linear map W_in (n, m) that feeds the RG-LRU in Griffin's recurrent block (its Conv1D is left
    out: it mixes inputs over time, not the state); with m = n and W_in = I the cell is the paper's.
    a^{c·r} is evaluated as exp(−c·r·softplus(−Λ)), the log-space form of the paper's appendix A,
    which is the same number (ln σ(Λ) = −softplus(−Λ)).

    ∂h'/∂h = diag(a_t) exactly: a_t depends on the input only, so products of Jacobians are exact
    diagonals with entries in (0, 1). Shapes: W_in (n, m), W_a, W_x (n, n), b_a, b_x, Lambda (n,).
    """

    key = "rglru"
    reference = "De et al. 2024, 'Griffin: mixing gated linear recurrences with local attention', section 2.4"
    param_shapes = {
        "W_in": ("n", "m"),
        "W_a": ("n", "n"),
        "b_a": ("n",),
        "W_x": ("n", "n"),
        "b_x": ("n",),
        "Lambda": ("n",),
    }
    init = {
        "W_in": "input",
        "W_a": "input",
        "b_a": "zero",
        "W_x": "input",
        "b_x": "zero",
        "Lambda": "decay",
    }  # drawn by ``random`` below
    c = 8
    gates = (Gate("r", "sigmoid", "recurrence"), Gate("i", "sigmoid", "input"), Gate("a", "exp", "forget"))
    retention_label = ("a_t", r"$a_t$")

    @classmethod
    def retention(cls, gates):
        return gates["a"]

    def recurrent_matrices(self):
        return {}  # the state is multiplied by diag(a_t) only

    @classmethod
    def random(cls, *, hidden_size, input_size, rng=None, gain=1.0, a_min=0.9, a_max=0.999):
        """Λ such that a^c ~ U[a_min, a_max] (the paper's range for a^c is [0.9, 0.999]); W_in ~ N(0, 1/m), W_a, W_x ~ N(0, 1/n) (LeCun), biases 0. ``gain`` has no
        recurrent matrix to scale here."""
        rng = np.random.default_rng(rng)
        n, m = hidden_size, input_size
        W_in = rng.normal(0.0, 1.0 / np.sqrt(m), size=(n, m))
        W_a = rng.normal(0.0, 1.0 / np.sqrt(n), size=(n, n))
        W_x = rng.normal(0.0, 1.0 / np.sqrt(n), size=(n, n))
        a_c = rng.uniform(a_min, a_max, size=n)
        # softplus(−Λ) = −ln(a^c)/c, so −Λ = ln(e^{−ln(a^c)/c} − 1).
        Lambda = -np.log(np.expm1(-np.log(a_c) / cls.c))
        return cls(W_in=W_in, W_a=W_a, b_a=np.zeros(n), W_x=W_x, b_x=np.zeros(n), Lambda=Lambda)

    def _gated(self, p, x, *, ops):
        """(x̃, i, a_t), in the order the update evaluates them."""
        x_in = p.W_in @ x
        r = ops.sigmoid(p.W_a @ x_in + p.b_a)
        i = ops.sigmoid(p.W_x @ x_in + p.b_x)
        a_t = ops.exp(-self.c * r * ops.softplus(-p.Lambda))
        return x_in, i, a_t

    def update(self, p, x, h, *, ops):
        x_in, i, a_t = self._gated(p, x, ops=ops)
        return (a_t * h + ops.sqrt(1 - a_t * a_t) * (i * x_in),)

    def jacobian_blocks(self, p, x, h, *, ops):
        _, _, a_t = self._gated(p, x, ops=ops)
        return ((ops.diag(a_t),),)
