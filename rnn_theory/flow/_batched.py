"""Step Jacobians J_t for many steps at once, from the cells' own ``jacobian_blocks`` (equations
once), applied to blocks of vectors without forming J_t.

A chunk of C time steps runs through ``jacobian_blocks`` as *columns*: every state part and input
is an (n, C) array and every bias-like parameter (n,) an (n, 1) column, so ``W @ h + U @ x + b``
broadcasts unchanged; the lazy ``ops`` backend of ``_operators`` builds no matrix. Applying step j
to X (d, r) then costs one GEMM per weight matrix (O(r·n²)); forming the d×d Jacobian (O(d²)
memory traffic per step, the bottleneck of a dense approach) never happens.
"""

import contextlib
from functools import cached_property
from types import SimpleNamespace

import numpy as np
from threadpoolctl import threadpool_limits

from ._operators import OPS, FlatForward, FlatTranspose, apply_sum, as_op, dense_leaves, flat_plan

# Products below this many flops run on one BLAS thread. Measured (d×d GEMM, best of 5, OpenBLAS,
# 2 cores shared with other jobs, load average 10.5): 1 vs 2 threads 0.23 vs 0.49 ms at d = 128,
# 2.1 vs 34 ms at d = 256, 15 vs 38 ms at d = 512, 135 vs 164 ms at d = 1024, 463 vs 364 ms at
# d = 1536: threads that wait for each other lose until about d = 1536, i.e. 2·1536³ flops.
_THREADED_FLOPS = 2 * 1536**3


def blas_threads(flops):
    """A context for a hot loop whose products take ``flops`` each: one BLAS thread below
    ``_THREADED_FLOPS``, else the threads the process already has (a limit set outside, e.g. by
    a worker that runs on one thread, is never raised).

    >>> with blas_threads(2 * 64**3):
    ...     pass
    """
    return threadpool_limits(1) if flops < _THREADED_FLOPS else contextlib.nullcontext()


class StepJacobians:
    """J_t for the steps t = start+1 .. start+C of a run, as block operators.

    ``apply(X, j)`` = J_{start+j+1} X, ``apply_t(X, j)`` = J_{start+j+1}ᵀ X for X (d, r), j < ``steps``;
    ``carousel(j)`` = the diagonal of ∂c'/∂c (LSTM family).

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["gru_rb"].random(hidden_size=3, input_size=2, rng=0)
    >>> xs, S = np.ones((4, 2)), np.linspace(-1, 1, 12).reshape(4, 3)
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> Js = StepJacobians(cell, xs, S)
    >>> bool(np.allclose(Js.apply_t(X, 2), cell.jacobian(xs[2], S[2]).T @ X, rtol=1e-13, atol=1e-14))
    True
    """

    def __init__(self, cell, xs, states, params=None):
        p = column_params(cell) if params is None else params
        n, self.rows = cell.hidden_size, cell.part_slices()
        parts = [states[:, rows].T for rows in self.rows]
        self.n, self.steps, self._c = n, xs.shape[0], cell.state_parts.index("c") if "c" in cell.state_parts else None
        self.blocks = [[as_op(b) for b in row] for row in cell.jacobian_blocks(p, xs.T, *parts, ops=OPS)]
        # A single block with no weight matrix twice (rnn, gru, min*, lru): the plain recursion is
        # already one GEMM per weight, without the bookkeeping of ``apply_sum``.
        leaves = [id(M) for M in dense_leaves(self.blocks[0][0])]
        self.direct = len(self.blocks) == 1 and len(leaves) == len(set(leaves))

    # J and Jᵀ as a few array operations per step when every block is Σ diag·W and diagonals (rnn,
    # the LSTM family, ...): coefficients for the whole chunk at once (``_operators``), built on
    # first use (a pass runs one direction). Their coefficient arrays are (C, n, 1) per part: parts
    # of other sizes (a matrix memory) go by blocks.
    @cached_property
    def _flat(self):
        return all(rows.stop - rows.start == self.n for rows in self.rows)

    @cached_property
    def _forward(self):
        return flat_plan(FlatForward, self.blocks, self.n, self.steps) if self._flat else None

    @cached_property
    def _transpose(self):
        return flat_plan(FlatTranspose, self.blocks, self.n, self.steps) if self._flat else None

    def apply(self, X, j):
        return self._apply(X, j, False) if self._forward is None else self._forward.apply(X, j)

    def apply_t(self, X, j):
        return self._apply(X, j, True) if self._transpose is None else self._transpose.apply(X, j)

    def _apply(self, X, j, transpose):
        if self.direct:
            return self.blocks[0][0].apply(X, j, transpose)
        k = len(self.blocks)
        # Rows of J are outputs: (J X)_a = Σ_b B_ab X_b and (Jᵀ X)_b = Σ_a B_abᵀ X_a.
        terms = [
            (self.blocks[a][b], X[self.rows[a if transpose else b]], b if transpose else a)
            for a in range(k)
            for b in range(k)
        ]
        out = [
            part if isinstance(part, np.ndarray) else np.zeros((rows.stop - rows.start, X.shape[1]))  # no term: 0
            for part, rows in zip(apply_sum(terms, j, transpose, k), self.rows)
        ]
        return out[0] if k == 1 else np.vstack(out)

    def column_flops(self):
        """The flops of one column through J_t (or J_tᵀ): 2 per entry of each distinct weight
        matrix (the diagonal factors' O(d) aside)."""
        leaves = {id(M): M for row in self.blocks for block in row for M in dense_leaves(block)}
        return 2 * sum(M.size for M in leaves.values())

    def carousel(self, j):
        """The diagonal of ∂c'/∂c (cells with a cell state c)."""
        return self.blocks[self._c][self._c].diagonal(j)


def step_jacobians(cell):
    """``make(xs, states)``: the ``StepJacobians`` of those steps, the cell's parameters shared; a
    system that builds its own step operators (a stack, ``flow.stack``) gives its ``step_operators()``."""
    own = getattr(cell, "step_operators", None)
    if own is not None:
        return own()
    params = column_params(cell)
    return lambda xs, states: StepJacobians(cell, xs, states, params)


def block_curves(system):
    """The blocks whose curves the engines report: (name, a, b) for ln‖P_{T,τ}[a, b]‖₂, a and b
    indices of state parts (rows a on the s_T side, columns b on the s_{T−τ} side). A cell with
    several parts: its h and c blocks ("log_norm_h", "log_norm_c"); one part: none (its curve is
    the full one); a system that names its own (a stack): its ``block_curves()``."""
    own = getattr(system, "block_curves", None)
    if own is not None:
        return own()
    parts = system.state_parts
    return tuple((f"log_norm_{p}", a, a) for a, p in enumerate(parts) if p in ("h", "c")) if len(parts) > 1 else ()


def column_params(cell):
    """The cell's parameters with every (n,) vector as an (n, 1) column; other arrays unchanged."""
    return SimpleNamespace(
        **{name: value[:, None] if cell.param_shapes[name] == ("n",) else value for name, value in cell.params.items()}
    )


def chunked_jacobians(cell, xs, states, *, reverse=False, chunk=256, make=None):
    """Yield (t, StepJacobians, j) for t = 1..T (T..1 when ``reverse``): J_t is step j of the chunk.

    J_t = ∂s_t/∂s_{t−1} at (xs[t−1], states[t−1]) with states = cell.run(xs, s0). ``make(xs, states)``
    builds a chunk's (default: ``step_jacobians(cell)``).
    """
    T = len(xs)
    make = step_jacobians(cell) if make is None else make
    starts = range(0, T, chunk)
    for start in reversed(starts) if reverse else starts:
        stop = min(T, start + chunk)
        Js = make(xs[start:stop], states[start:stop])
        for j in range(stop - start - 1, -1, -1) if reverse else range(stop - start):
            yield start + j + 1, Js, j
