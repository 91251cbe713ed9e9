"""Shared by the PyTorch and Keras readers: taking a tensor by name, and picking one module.

A file may hold a whole model; its recurrent weights are found by name pattern and grouped by
the prefix in front of the framework's own names (``encoder.lstm.`` in ``encoder.lstm.weight_ih_l0``).

>>> choose({"rnn.": 1}, None, "recurrent module", "prefix")
('rnn.', 1)
"""

from .._checks import real_array


def take(tensors, name, shape=None):
    """Tensor ``name`` as float64, checked: present, real, of ``shape`` (if given), finite."""
    if name not in tensors:
        raise ValueError(f"missing tensor {name!r}")
    return real_array(f"tensor {name!r}", tensors[name], shape)


def choose(options, wanted, what, flag):
    """(key, value) of the option ``wanted``, or of the only option; else a ValueError naming ``--flag``."""
    keys = sorted(options, key=str)
    if wanted is None:
        if len(keys) == 1:
            return keys[0], options[keys[0]]
        raise ValueError(f"the file holds several {what}s: {_listing(keys)}; choose one with {flag}=… (--{flag})")
    if wanted not in options:
        raise ValueError(f"no {what} {wanted!r} in the file; it has {_listing(keys)}")
    return wanted, options[wanted]


def _listing(keys):
    return ", ".join(repr(k) if isinstance(k, str) else str(k) for k in keys)
