"""Checks of the numeric API's arguments: integers are integers, inputs real and of the cell's shape.

Without them NumPy would round ``burn_in=2.5`` down, drop the imaginary part of complex inputs with
only a warning, or fail deep inside with an unrelated message.

>>> integer("lyapunov_spectrum", "burn_in", 2.5, 0, 9)
Traceback (most recent call last):
...
ValueError: lyapunov_spectrum: burn_in must be an integer in 0..9, got 2.5
"""

import numpy as np

from .._checks import real_array


def integer(where, name, value, low, high=None):
    """``value`` as an int if it is an integer (not a bool) in low..high, else a ValueError."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        span = f"in {low}..{high}" if high is not None else f">= {low}"
        raise ValueError(f"{where}: {name} must be an integer {span}, got {value!r}")
    return int(value)


def run_inputs(where, cell, xs, s0):
    """(xs (T, m), s0 (d,) or None) checked against ``cell``."""
    xs = real_array(f"{where}: xs", xs, (None, cell.input_size))
    return xs, None if s0 is None else real_array(f"{where}: s0", s0, (cell.state_size,))
