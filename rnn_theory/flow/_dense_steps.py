"""The step Jacobians of a run on an array-API namespace, as the probe applies them (``probe``):
dense J_t (d×d) built a few steps at a time on the namespace's device from the cell's own
``jacobian_blocks`` (``cells._array_ops.dense_jacobians``), applied there to the probe's NumPy
blocks of c vectors, which go to the device and come back each step (2·d·c numbers; the probe's
columns are few, its QR factors and statistics stay in NumPy, float64).

>>> import numpy as np, rnn_theory as rt
>>> from array_api_compat import numpy as xp
>>> from rnn_theory.cells._array_ops import column_params
>>> cell = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
>>> xs = np.ones((4, 2)); S = cell.run(xs)
>>> Js = DenseSteps(cell, xp, "cpu", xp.float64, column_params(cell, xp, "cpu", xp.float64), xs, S[:4])
>>> X = np.arange(12.0).reshape(6, 2)
>>> bool(np.allclose(Js.apply_t(X, 2), cell.jacobian(xs[2], S[2]).T @ X, rtol=1e-13, atol=1e-14))
True
"""

import numpy as np

from ..cells._array_ops import dense_jacobians
from ._namespace import to_numpy
from .system import StepOperators


class DenseSteps(StepOperators):
    """J_t for the steps of ``xs`` (C, m) at ``states`` (C, d) (NumPy: the run's, on the host), on
    ``xp``/``device`` in ``dtype``: ``apply(X, j)`` = J X and ``apply_t(X, j)`` = Jᵀ X for a NumPy
    X (d, c) and step j < ``steps``, returned in float64; ``carousel(j)``: the diagonal of ∂c'/∂c.

    The Jacobians are built ``_dense_chunk(d)`` steps at a time and the last such block is kept:
    the probe walks the steps in order (forwards or backwards), so each block is built once a walk.
    """

    def __init__(self, cell, xp, device, dtype, params, xs, states):
        self.steps, self._d = xs.shape[0], cell.state_size
        self._cell, self._xp, self._device, self._dtype, self._params = cell, xp, device, dtype, params
        self._xs, self._states = xs, states
        self._size, self._block = _dense_chunk(self._d), (None, None)
        self._c = cell.part_slices()[cell.state_parts.index("c")] if "c" in cell.state_parts else None

    def _jacobian(self, j):
        a = j // self._size
        if self._block[0] != a:
            lo, hi = a * self._size, min(self.steps, (a + 1) * self._size)
            xs, states = (
                self._xp.asarray(np.ascontiguousarray(v[lo:hi]), dtype=self._dtype, device=self._device)
                for v in (self._xs, self._states)
            )
            self._block = (a, dense_jacobians(self._cell, self._xp, xs, states, self._params, self._device))
        return self._block[1][j - a * self._size, ...]

    def _on_device(self, X):
        return self._xp.asarray(np.ascontiguousarray(X), dtype=self._dtype, device=self._device)

    def apply(self, X, j):
        return to_numpy(self._jacobian(j) @ self._on_device(X)).astype(np.float64)

    def apply_t(self, X, j):
        return to_numpy(self._xp.matrix_transpose(self._jacobian(j)) @ self._on_device(X)).astype(np.float64)

    def carousel(self, j):
        """The diagonal of ∂c'/∂c (cells with a cell state c)."""
        return to_numpy(self._xp.linalg.diagonal(self._jacobian(j)[self._c, self._c])).astype(np.float64)

    def column_flops(self):
        """The flops of one column through a dense J_t: 2·d²."""
        return 2 * self._d * self._d


def _dense_chunk(d):
    """Steps whose dense Jacobians are held at once: 2²⁰/d² of them (8 MB in float64), 1 to 64."""
    return min(64, max(1, 2**20 // d**2))
