"""One check of an array argument, shared by the file readers (``io``) and the numeric API (``flow``).

>>> real_array("xs", [[1.0], [2.0]], (None, 1)).shape
(2, 1)
>>> real_array("xs", [[1j]], (None, 1))
Traceback (most recent call last):
...
ValueError: xs must hold real numbers, got dtype complex128
"""

import numpy as np


def real_array(label, value, shape=None):
    """``value`` as float64, checked: real (not complex, not text), of ``shape`` if given (None
    entries: any length), finite. ValueError naming ``label`` otherwise."""
    array = np.asarray(value)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"{label} must hold real numbers, got dtype {array.dtype}")
    if shape is not None and (
        array.ndim != len(shape) or any(w is not None and g != w for g, w in zip(array.shape, shape))
    ):
        expected = ", ".join("T" if w is None else str(w) for w in shape) + ("," if len(shape) == 1 else "")
        raise ValueError(f"{label} has shape {array.shape}, expected ({expected})")
    array = array.astype(np.float64)
    if not np.isfinite(array).all():
        raise ValueError(f"{label} contains NaN or inf")
    return array
