"""Keras' names and layout: ``SimpleRNN``, ``LSTM`` and ``GRU`` layer weights.

Keras computes x @ kernel + h @ recurrent_kernel + bias, so its matrices are the transposes of
ours, with gates stacked in columns: ``kernel`` (m, k·n), ``recurrent_kernel`` (n, k·n), ``bias``.
Gate orders: LSTM i, f, c, o (k = 4, bias (4n,)); GRU z, r, h (k = 3) with ``reset_after=True``
(bias (2, 3n): input row, recurrent row; -> ``gru``) or ``reset_after=False`` (bias (3n,);
-> ``gru_rb``); SimpleRNN one block (k = 1). Keras' defaults are assumed, since weights do not record
them: activation tanh and recurrent_activation sigmoid (TF 1's hard_sigmoid is another cell).
Accepted names: ``{prefix}kernel`` etc. (``lstm/lstm_cell/kernel:0`` style included), or the
positional order of ``layer.get_weights()`` saved with ``np.savez(path, *layer.get_weights())``
(``arr_0`` kernel, ``arr_1`` recurrent_kernel, ``arr_2`` bias). Source: keras/src/layers/rnn/{lstm,gru}.py
(docs/design.md#keras-import).

>>> parse_name("model/lstm/lstm_cell/recurrent_kernel:0")
('model/lstm/lstm_cell/', 'recurrent_kernel', ':0')
"""

import re

import numpy as np

from ._gates import GATES, Gate, framework_gates
from ._layout import choose, take

_NAME = re.compile(r"^(.*?)(recurrent_kernel|kernel|bias)(:\d+)?$")
_POSITIONAL = re.compile(r"^(?:arr_)?(\d+)$")
_PARAMS = ("kernel", "recurrent_kernel", "bias")


def parse_name(name):
    """(prefix, param, suffix) of a Keras weight name, or None."""
    match = _NAME.match(name)
    return None if match is None else (match[1], match[2], match[3] or "")


def is_keras(tensors):
    return any((parse_name(name) or ("", ""))[1] == "recurrent_kernel" for name in tensors) or _is_positional(tensors)


def _is_positional(tensors):
    return bool(tensors) and all(_POSITIONAL.match(name) for name in tensors)


def select(tensors, prefix=None):
    """(names, where) of one layer: names param -> tensor name (present or expected)."""
    if _is_positional(tensors):
        if prefix is not None:
            raise ValueError("positional arrays (arr_0, …) have no module names: prefix does not apply")
        order = sorted(tensors, key=lambda name: int(_POSITIONAL.match(name)[1]))
        if len(order) not in (2, 3):
            raise ValueError(
                f"positional arrays must be one layer's get_weights() (kernel, recurrent_kernel[, bias]); got {len(order)}"
            )
        return dict(zip(_PARAMS, order)), {"prefix": None}
    modules = {}
    for name in tensors:
        parsed = parse_name(name)
        if parsed and parsed[1] == "recurrent_kernel":
            modules[parsed[0]] = parsed[2]
    if prefix is not None and prefix not in modules:
        prefix = next((p for p in modules if p in (prefix + "/", prefix + ".", prefix + "_")), prefix)
    prefix, suffix = choose(modules, prefix, "recurrent layer", "prefix")
    return {p: f"{prefix}{p}{suffix}" for p in _PARAMS}, {"prefix": prefix}


def cell_gates(tensors, names, kind=None):
    """(kind, gates) of the layer whose tensor ``names`` ``select`` returned."""
    rk = take(tensors, names["recurrent_kernel"])
    n = rk.shape[0] if rk.ndim == 2 else 0
    blocks = rk.shape[1] // n if n and rk.shape[1] % n == 0 else None
    if blocks not in (1, 3, 4):
        raise ValueError(
            f"tensor {names['recurrent_kernel']!r} has shape {rk.shape}: expected (n, k·n) with k = 1 (SimpleRNN), 3 (GRU) or 4 (LSTM)"
        )
    kernel = take(tensors, names["kernel"])
    if kernel.ndim != 2 or kernel.shape[1] != blocks * n:
        raise ValueError(f"tensor {names['kernel']!r} has shape {kernel.shape}, expected (input size, {blocks * n})")
    bias = take(tensors, names["bias"]) if names["bias"] in tensors else None
    found = _kind(blocks, n, bias, names["bias"], kind)
    if bias is None:
        b_in = b_rec = np.zeros(blocks * n)
    elif bias.ndim == 2:
        b_in, b_rec = bias
    else:
        b_in, b_rec = bias, np.zeros(blocks * n)
    split = [np.split(kernel.T, blocks), np.split(rk.T, blocks), np.split(b_in, blocks), np.split(b_rec, blocks)]
    return found, {g: Gate(*parts) for g, *parts in zip(_order(found), *split)}


def _kind(blocks, n, bias, bias_name, kind):
    if blocks == 3:
        by_bias = {(2, 3 * n): "gru", (3 * n,): "gru_rb"}
        found = None if bias is None else by_bias.get(bias.shape)
        if bias is not None and found is None:
            raise ValueError(
                f"tensor {bias_name!r} has shape {bias.shape}: a Keras GRU's bias is (2, {3 * n}) (reset_after=True) or ({3 * n},) (reset_after=False)"
            )
        if found is None and kind not in ("gru", "gru_rb"):
            raise ValueError(
                "a Keras GRU without bias does not show reset_after: pass kind='gru' (True) or 'gru_rb' (False) (--kind)"
            )
        found = found or kind
    else:
        found = {1: "rnn", 4: "lstm"}[blocks]
        if bias is not None and bias.shape != (blocks * n,):
            raise ValueError(f"tensor {bias_name!r} has shape {bias.shape}, expected ({blocks * n},)")
    if kind is not None and kind != found:
        raise ValueError(f"the file's Keras layer is {found}, not {kind}")
    return found


def _order(kind):
    """Keras' gate order in native letters: LSTM i,f,c,o = i,f,g,o; GRU z,r,h = z,r,n."""
    return ("z", "r", "n") if kind in ("gru", "gru_rb") else GATES[kind]


def keras_tensors(cell):
    """{kernel, recurrent_kernel, bias} of the Keras layer computing ``cell``."""
    gates = framework_gates(cell)
    order = [gates[g] for g in _order(cell.key)]
    kernel = np.concatenate([g.U.T for g in order], axis=1)
    recurrent_kernel = np.concatenate([g.W.T for g in order], axis=1)
    b_in, b_rec = (np.concatenate([getattr(g, field) for g in order]) for field in ("b_in", "b_rec"))
    # b_rec is zero except the GRU's c_n, which only reset_after=True (bias (2, 3n)) can hold.
    bias = np.stack([b_in, b_rec]) if cell.key == "gru" else b_in
    return {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}
