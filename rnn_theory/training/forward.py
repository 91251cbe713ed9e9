"""The batched forward pass: the cells' own ``update``, run on B sequences at once, with a tape.

States are columns: h is (n, B), x_t is (m, B), biases are passed as (n, 1) columns, so the cell's
``W @ h + U @ x + b`` broadcasts over the batch. The equations that run here are the cells'
equations (docs/design.md#principles, "equations once"); this module only supplies the batched parameters and a
recording backend, ``_TapeOps``, which keeps every nonlinearity's output in call order so that the
closed-form VJPs (``rnn_theory.training.vjp``) can read the gates back instead of recomputing them.

>>> import numpy as np, rnn_theory as rt
>>> cell = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
>>> xs = np.random.default_rng(1).normal(size=(5, 2))
>>> tape = forward(cell, cell.params, xs[:, :, None])          # a batch of one sequence
>>> bool(np.allclose(tape.final_state()[:, 0], cell.run(xs)[-1], rtol=0, atol=1e-15))
True
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops


def _recorded(name):
    """The NumPy backend's ``name`` (the cells' functions themselves: training runs the equations
    that are proven, tests/test_ops.py), with its output kept on the tape."""
    function = getattr(_numpy_ops, name)

    def record(self, a):
        return self._keep(function(a))

    record.__name__ = name
    return record


class _TapeOps:
    """The NumPy backend, plus a record of each nonlinearity's output (per step, in call order)."""

    def __init__(self):
        self.steps = []

    def begin_step(self):
        self.steps.append([])

    def _keep(self, y):
        self.steps[-1].append(y)
        return y

    sigmoid, tanh, relu, exp, softplus, sqrt = map(_recorded, ("sigmoid", "tanh", "relu", "exp", "softplus", "sqrt"))
    hard_sigmoid_keras2, hard_sigmoid_keras3 = map(_recorded, ("hard_sigmoid_keras2", "hard_sigmoid_keras3"))

    def __getattr__(self, name):  # the rest of the backend (e.g. the LRU's rotation_blocks), unrecorded
        return getattr(_numpy_ops, name)


class Tape:
    """What the backward pass needs: inputs ``xs`` (T, m, B), the states of each part per step
    (``parts[k][t]`` is part k of s_t, (n, B); t = 0..T), and the recorded nonlinearities
    (``gates[t]``: outputs of step t+1 in the order the cell's ``update`` computed them)."""

    def __init__(self, cell, params, xs, parts, gates):
        self.cell, self.params, self.xs, self.parts, self.gates = cell, params, xs, parts, gates

    @property
    def steps(self):
        return len(self.xs)

    def final_state(self):
        """s_T as (state_size, B), parts stacked h first."""
        return np.concatenate([part[-1] for part in self.parts])


def batched(cell, params):
    """The parameter namespace for batched columns: the (n,) vectors (biases, peepholes) become
    (n, 1) columns; matrices, and the LRU's (n/2,) eigenvalue parameters, stay as they are."""
    columns = {name for name, dims in cell.param_shapes.items() if dims == ("n",)}
    return SimpleNamespace(**{name: (v[:, None] if name in columns else v) for name, v in params.items()})


def forward(cell, params, xs, s0=None):
    """Run ``cell``'s equations with parameters ``params`` (native names; may differ from the
    cell's own, e.g. during training) on xs (T, m, B) from s0 (state_size, B), zeros if None."""
    T, m, B = xs.shape
    if m != cell.input_size:
        raise ValueError(f"{cell.key}: xs must have shape (T, {cell.input_size}, B), got {xs.shape}")
    k = len(cell.state_parts)
    s0 = np.zeros((cell.state_size, B)) if s0 is None else np.asarray(s0, dtype=float)
    state = tuple(s0[rows] for rows in cell.part_slices())
    p, ops = batched(cell, params), _TapeOps()
    parts = [[part] for part in state]
    for t in range(T):
        ops.begin_step()
        state = cell.update(p, xs[t], *state, ops=ops)
        for j in range(k):
            parts[j].append(state[j])
    return Tape(cell, params, xs, parts, ops.steps)
