"""The claims' one complex-step derivative: ∂f(s)/∂s, exact to rounding, through no Jacobian code.

f(s + i·h·e_k) = f(s) + i·h·∂f/∂s_k + O(h²): the imaginary part divided by h is the k-th column
with no subtractive cancellation, so any h far below the rounding of s works (h = 1e−30). f must be
analytic in s and accept complex input, as every cell's ``step`` does.

>>> import numpy as np
>>> jacobian(lambda s: np.array([s[0] * s[1], np.sin(s[0]) + s[1] ** 2]), np.array([2.0, 3.0])).tolist()
[[3.0, 2.0], [-0.4161468365471424, 6.0]]
"""

import numpy as np

STEP = 1e-30


def jacobian(f, s, step=STEP):
    """∂f(s)/∂s as a (len(f(s)), len(s)) array: column k from f(s + i·step·e_k)."""
    s = np.asarray(s, dtype=float)
    return np.stack([np.imag(f(s + 1j * step * e)) / step for e in np.eye(len(s))], axis=1)


def step_jacobian(cell, x, s):
    """∂s_t/∂s_{t−1} = ∂ cell.step(x, s)/∂s at (x_t, s_{t−1})."""
    return jacobian(lambda z: cell.step(x, z), s)
