"""A stack of recurrent layers as one recurrent system, through the same engines as one cell.

Layer l has state s^(l) (its parts, h first) and reads x^(l)_t = h^(l−1)_t (x^(0)_t = x_t, the
input). The stack's state is S_t = [s^(0)_t; …; s^(L−1)_t] and its step Jacobian
J_t = ∂S_t/∂S_{t−1} is block lower-triangular in the layers' blocks:

    J_t[l, l] = J^(l)_t                        (the layer's own, ``jacobian_blocks``)
    J_t[l, k] = X^(l)_t · E_h · J_t[l−1, k]    (k < l)

with X^(l)_t = ∂s^(l)_t/∂x^(l)_t the layer's closed-form input Jacobian (``input_jacobian_blocks``)
and E_h the rows of h in s^(l−1). J_t is never formed: J V runs up the layers and Jᵀ W down them,

    (J V)_l = J^(l) V_l + X^(l) E_h (J V)_{l−1},
    g_{L−1} = W_{L−1},   g_{l−1} = W_{l−1} + E_hᵀ X^(l)ᵀ g_l,   (Jᵀ W)_l = J^(l)ᵀ g_l,

one pass of each layer's own step operators (its ``_cell_system.CellSystem``'s) and input
Jacobian per column. A stack is a ``system.RecurrentSystem``, so ``exact``, ``probe`` and
``lyapunov`` run it as they run a cell and report the blocks it names: "l<-k",
ln‖∂h^(l)_T/∂h^(k)_{T−τ}‖₂ for every pair of layers l ≥ k, and "c l", ln‖∂c^(l)_T/∂c^(l)_{T−τ}‖₂
for every layer with a cell state c.

>>> import numpy as np, rnn_theory as rt
>>> cells = [rt.CELLS["lstm"].random(hidden_size=2, input_size=1, rng=0),
...          rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=1)]
>>> stack = Stack(cells)
>>> stack.key, stack.state_size, list(stack.layout)
('stack of lstm + gru', 7, ['h0', 'c0', 'h1'])
>>> stack.blocks[1], [name for name, _, _ in stack.blocks]
(('1<-0', 'h1', 'h0'), ['0<-0', '1<-0', '1<-1', 'c 0'])
>>> xs = np.ones((3, 1)); S = stack.run(xs)
>>> J = stack_jacobian(stack, xs[1], S[1])
>>> Js = stack.step_operators(xs, S[:3])
>>> bool(np.allclose(Js.apply_t(np.eye(7), 1), J.T, rtol=0, atol=1e-15))
True
"""

import numpy as np

from ..cells import _numpy_ops
from ._cell_system import CellSystem
from ._gemm import apply_sum
from ._operator_tree import OPS, as_op, dense_leaves
from .system import RecurrentSystem, StepOperators


class Stack(RecurrentSystem):
    """Cells ``layers`` (bottom first), layer l reading h of layer l − 1, as one
    ``system.RecurrentSystem``: ``state_size``, ``layout`` ("h0", "c0", "h1", ...: each layer's
    parts with its index), ``blocks`` ("l<-k": (h^(l), h^(k)) for l ≥ k, then "c l": (c^(l), c^(l))),
    ``run`` and ``step_operators``; and, as ``flow``'s argument checks read a cell, ``input_size``
    and ``hidden_size`` (the top layer's).

    Every layer above the first must declare its input Jacobian (``Cell.declares_input_jacobian``)
    and read as many inputs as the layer below has hidden units; else a ValueError.
    """

    def __init__(self, layers):
        layers = tuple(layers)
        if not layers:
            raise ValueError("a stack needs at least one layer")
        for l, (below, cell) in enumerate(zip(layers, layers[1:]), start=1):
            if cell.input_size != below.hidden_size:
                raise ValueError(
                    f"layer {l} ({cell.key}) reads {cell.input_size} inputs, but layer {l - 1} has "
                    f"{below.hidden_size} hidden units"
                )
            if not cell.declares_input_jacobian():
                raise ValueError(
                    f"layer {l} ({cell.key}) declares no input Jacobian ∂s'/∂x, through which a stack's "
                    "upper layers read the layer below: analyse its layers one at a time (layer=…)"
                )
        self.layers = layers
        # each layer's run (refused where it leaves float64) and step operators (its plan shared by
        # every chunk of every run)
        self._systems = tuple(CellSystem(cell) for cell in layers)
        ends = np.cumsum([cell.state_size for cell in layers])
        self.layer_slices = tuple(slice(int(end - cell.state_size), int(end)) for end, cell in zip(ends, layers))
        self.state_size, self.input_size, self.hidden_size = int(ends[-1]), layers[0].input_size, layers[-1].hidden_size
        self.key = "stack of " + " + ".join(cell.key for cell in layers)
        self.layout = {
            f"{part}{l}": slice(rows.start + part_rows.start, rows.start + part_rows.stop)
            for l, (system, rows) in enumerate(zip(self._systems, self.layer_slices))
            for part, part_rows in system.layout.items()
        }
        L = len(layers)
        pairs = tuple((f"{l}<-{k}", f"h{l}", f"h{k}") for l in range(L) for k in range(l + 1))
        self.blocks = pairs + tuple((f"c {l}", f"c{l}", f"c{l}") for l in range(L) if f"c{l}" in self.layout)

    def run(self, xs, s0=None):
        """All states of a run: xs (T, m) -> S (T+1, state_size), S_0 = s0 (zeros if None); a
        ValueError where a layer's state leaves float64 (``CellSystem.run``)."""
        states = []
        for system, cell, rows in zip(self._systems, self.layers, self.layer_slices):
            run = system.run(xs, None if s0 is None else np.asarray(s0)[rows])
            states.append(run)
            xs = run[1:, : cell.hidden_size]
        return np.hstack(states)

    def step_operators(self, xs, states):
        """The ``StackSteps`` of the steps of xs (C, m) taken at states (C, state_size)."""
        return StackSteps(self, xs, states)


class StackSteps(StepOperators):
    """J_t of a stack for the steps t = start+1 .. start+C of a run (xs (C, m), states (C, D): the
    steps' inputs and the states before them), as ``_batched.StepJacobians`` is for a cell:
    ``apply(X, j)`` = J X, ``apply_t(X, j)`` = Jᵀ X for X (D, r), ``steps``, ``column_flops()``.
    No ``carousel``: a stack has no part "c" (each layer's c block is a curve of its own, "c l").

    Layer l > 0 reads h^(l−1)_t, the layer below's state after the step: it is recomputed here
    from that layer's ``update`` (a step's inputs and previous states are what a chunk is given).
    """

    def __init__(self, stack, xs, states):
        self.steps = xs.shape[0]
        self._layers = []  # per layer: (its rows of S, its hidden size, J^(l), X^(l) or None)
        for l, (cell, system, rows) in enumerate(zip(stack.layers, stack._systems, stack.layer_slices)):
            own = states[:, rows]
            J = system.step_operators(xs, own)
            parts = [own[:, part].T for part in cell.part_slices()]
            X = None if l == 0 else _InputJacobians(cell, xs, parts, J.plan)
            self._layers.append((rows, cell.hidden_size, J, X))
            if l + 1 < len(stack.layers):  # h^(l)_t: what layer l + 1 reads
                xs = cell.update(J.plan.params, xs.T, *parts, ops=_numpy_ops)[0].T

    def apply(self, X, j):
        out, below = np.empty(X.shape), None
        for rows, n, J, Xl in self._layers:
            u = J.apply(X[rows], j)
            if Xl is not None:  # (J X)_l = J^(l) X_l + X^(l) E_h (J X)_{l−1}
                u = u + Xl.apply(below, j)
            out[rows] = u
            below = u[:n]
        return out

    def apply_t(self, X, j):
        out, carried = np.empty(X.shape), None
        for rows, n, J, Xl in reversed(self._layers):
            g = X[rows]
            if carried is not None:  # g_l = W_l + E_hᵀ X^(l+1)ᵀ g_{l+1}
                g = g.copy()
                g[:n] += carried
            out[rows] = J.apply_t(g, j)
            carried = None if Xl is None else Xl.apply_t(g, j)
        return out

    def carousel(self, j):
        """Refused (ValueError): the engines ask for it only where a system has a part "c"
        (``system.StepOperators``); a stack's are "c0", "c1", ..., one per layer."""
        raise ValueError("a stack has no part 'c': each layer's c block is a curve of its own ('c l')")

    def column_flops(self):
        """The flops of one column through J_t (or J_tᵀ): every layer's own and its input Jacobian's."""
        return sum(J.column_flops() + (0 if X is None else X.column_flops()) for _, _, J, X in self._layers)


class _InputJacobians:
    """X_t = ∂s'_t/∂x_t of a layer for the steps of a chunk, as lazy block operators (one per state
    part, rows = outputs) from the cell's ``input_jacobian_blocks`` in column form (``_batched``), on
    the parameters of the layer's ``_plan.Plan`` (its weight matrices side by side shared)."""

    def __init__(self, cell, xs, parts, plan):
        self.rows, self.plan = cell.part_slices(), plan
        self.blocks = [as_op(row[0]) for row in cell.input_jacobian_blocks(plan.params, xs.T, *parts, ops=OPS)]

    def apply(self, V, j):
        """X V (d, r) for V (m, r)."""
        return np.vstack(
            apply_sum([(B, V, a) for a, B in enumerate(self.blocks)], j, False, len(self.blocks), self.plan)
        )

    def apply_t(self, W, j):
        """Xᵀ W (m, r) for W (d, r): one GEMM per distinct weight matrix (``apply_sum``)."""
        return apply_sum([(B, W[rows], 0) for B, rows in zip(self.blocks, self.rows)], j, True, 1, self.plan)[0]

    def column_flops(self):
        leaves = {id(M): M for B in self.blocks for M in dense_leaves(B)}
        return 2 * sum(M.size for M in leaves.values())


def stack_jacobian(stack, x, S):
    """J = ∂S'/∂S (D, D) at one step, formed densely from the layers' closed-form Jacobians: for
    small stacks and checks (the engines apply it without forming it, ``StackSteps``)."""
    J, below = np.zeros((stack.state_size, stack.state_size)), None
    for cell, rows in zip(stack.layers, stack.layer_slices):
        s = S[rows]
        if below is not None:  # J[l, :] = X^(l) E_h J[l−1, :]
            J[rows] = cell.input_jacobian(x, s) @ below[: len(x)]
        J[rows, rows] = cell.jacobian(x, s)
        below, x = J[rows], cell.step(x, s)[: cell.hidden_size]
    return J
