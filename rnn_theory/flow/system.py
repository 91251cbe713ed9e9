"""What the gradient-flow engines take: a recurrent system and its step operators, declared.

The exact method (``exact``), the probe (``probe``) and the Lyapunov exponents (``lyapunov``) need
of a model only this:

- ``RecurrentSystem``: the state's size d and its named parts (``layout``: name -> slice of s, in
  order), the blocks of P_{T,τ} that get curves of their own (``blocks``: (name, a, b) for
  P_{T,τ}[a, b], rows of part a on the s_T side, columns of part b on the s_{T−τ} side; a cell of
  the LSTM family: ("h", "h", "h") and ("c", "c", "c")), the run S = ``run(xs, s0)`` (T+1, d) with s_t = F(s_{t−1}, x_t), and ``step_operators(xs,
  states)``: the step Jacobians J_t = ∂s_t/∂s_{t−1} of a chunk of consecutive steps (xs[j],
  states[j] = s_{t−1} for step j);
- ``StepOperators``: J_t of such a chunk as linear operators, never necessarily formed:
  ``apply(X, j)`` = J X and ``apply_t(X, j)`` = Jᵀ X for X (d, r) and step j < ``steps``,
  ``carousel(j)`` the diagonal of J's (c, c) block ∂c'/∂c (systems with a part "c"), and
  ``column_flops()`` the flops of one column through J_t (what the probe budgets its tiers by).

A cell meets it through ``_cell_system.CellSystem`` (its lazy step Jacobians,
``_batched.StepJacobians``), a stack of cells as ``stack.Stack`` (``stack.StackSteps``); the dense Jacobians on another array library
(``_dense_steps.DenseSteps``) are step operators too; both declare ``StepOperators``.

>>> import numpy as np, rnn_theory as rt
>>> from rnn_theory.flow._cell_system import CellSystem
>>> system = CellSystem(rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0))
>>> system.state_size, system.layout, system.blocks
(6, {'h': slice(0, 3, None), 'c': slice(3, 6, None)}, (('h', 'h', 'h'), ('c', 'c', 'c')))
>>> xs = np.ones((4, 2)); S = system.run(xs)
>>> Js = system.step_operators(xs, S[:4])
>>> isinstance(system, RecurrentSystem), isinstance(Js, StepOperators), Js.steps
(True, True, 4)
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class StepOperators(Protocol):
    """J_t for the ``steps`` consecutive steps of a chunk of a run, as linear operators."""

    steps: int

    def apply(self, X: np.ndarray, j: int) -> np.ndarray:
        """J X for step j of the chunk, X (d, r) (NumPy, float64); X is left unchanged."""

    def apply_t(self, X: np.ndarray, j: int) -> np.ndarray:
        """Jᵀ X for step j of the chunk, X (d, r) (NumPy, float64); X is left unchanged."""

    def carousel(self, j: int) -> np.ndarray:
        """The diagonal of the (c, c) block of J (∂c'/∂c) at step j: systems with a part "c"."""

    def column_flops(self) -> int:
        """The flops of one column through J (or Jᵀ)."""


@runtime_checkable
class RecurrentSystem(Protocol):
    """A recurrent system s_t = F(s_{t−1}, x_t) as the engines see it."""

    state_size: int
    layout: dict  # part name -> slice of s, in order (a partition of 0..d)
    blocks: tuple  # (curve name, part a, part b): the curve of P_{T,τ}[a, b] (GradientFlow.blocks[name])

    def run(self, xs: np.ndarray, s0: np.ndarray | None = None) -> np.ndarray:
        """The states S (T+1, d) of the run over xs (T, m) from s0 (zeros when None)."""

    def step_operators(self, xs: np.ndarray, states: np.ndarray) -> StepOperators:
        """The step Jacobians of the steps of xs (C, m) taken at states (C, d) (s_{t−1} per step)."""


def part_size(system, part):
    """The size of a part of the system's state (0 if it has none of that name)."""
    rows = system.layout.get(part)
    return 0 if rows is None else rows.stop - rows.start
