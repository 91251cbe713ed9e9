"""A cell as a ``system.RecurrentSystem``: the adapter through which the engines take a cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _namespace
from ._batched import StepJacobians
from ._plan import Plan
from .result import REPORTED_PARTS
from .system import RecurrentSystem

if TYPE_CHECKING:
    from ..cells import Cell


class CellSystem(RecurrentSystem):
    """A cell as a ``RecurrentSystem``: its ``state_parts`` as the layout, the curves of its h and c
    blocks, its run refused where the state leaves float64 (``run``), its lazy step Jacobians sharing
    one ``_plan.Plan``."""

    def __init__(self, cell: Cell):
        self.cell, self.state_size = cell, cell.state_size
        self.layout = dict(zip(cell.state_parts, cell.part_slices()))
        # the (h, h) and (c, c) blocks of a multi-part state; the other parts (the sLSTM's n, m, the
        # mLSTM's C) only complete the partition
        multi = len(self.layout) > 1
        self.blocks = tuple((part, part, part) for part in self.layout if multi and part in REPORTED_PARTS)
        self._plan = None

    def run(self, xs, s0=None):
        """S = cell.run(xs, s0), refusing a run whose state overflows (its Jacobians would be NaN),
        or, for relu, underflows: relu′ jumps from 1 to 0 where a positive value is flushed to 0, so
        W = 1e-200·I would report −inf at every lag where the truth is τ·ln(1e-200)."""
        cell = self.cell
        relu = getattr(cell, "activation", None) == "relu"
        try:
            with np.errstate(over="ignore", invalid="ignore", under="raise" if relu else "ignore"):
                states = cell.run(xs, s0)
        except FloatingPointError:
            raise ValueError(
                _namespace.relu_underflow_message(cell.key, "float64", np.finfo(float).smallest_normal)
            ) from None
        bad = np.nonzero(~np.isfinite(states).all(axis=1))[0]
        if bad.size:
            raise ValueError(f"{cell.key}: the state overflows float64 at step t = {bad[0]} of the run")
        return states

    def step_operators(self, xs, states):
        if self._plan is None:  # built on first use, shared by every chunk of every run after it
            self._plan = Plan(self.cell)
        return StepJacobians(self.cell, xs, states, self._plan)


def as_system(model) -> RecurrentSystem:
    """``model`` itself if it is a ``RecurrentSystem``, else the ``CellSystem`` of the cell ``model``."""
    return model if isinstance(model, RecurrentSystem) else CellSystem(model)
