"""PyTorch's names and layout: ``nn.RNN``/``nn.LSTM``/``nn.GRU`` (and their ``*Cell``) state dicts.

Names: ``{prefix}weight_ih_l{k}`` (k·n, m), ``weight_hh_l{k}`` (k·n, n), ``bias_ih_l{k}``,
``bias_hh_l{k}`` (k·n,), ``_reverse`` for direction 1; the ``*Cell`` modules drop ``_l{k}``. Rows
are stacked by gate: LSTM i, f, g, o (k = 4), GRU r, z, n (k = 3), RNN one block (k = 1), so the
kind follows from k. Layer k > 0 takes the previous layer's output (D·n) as its input x.
``weight_hr_l{k}`` (LSTM with proj_size > 0) is refused: its h' = W_hr·(o⊙tanh c') is another cell.
nn.RNN does not store its nonlinearity: tanh unless told ``activation="relu"``.
Tensors of other modules (embedding, decoder, ...) are ignored and reported. Source:
torch/nn/modules/rnn.py (docs/design.md#pytorch-import).

>>> sorted(parse_name("encoder.lstm.weight_hh_l1_reverse").items())
[('direction', 1), ('layer', 1), ('param', 'weight_hh'), ('prefix', 'encoder.lstm.')]
"""

import re

import numpy as np

from ._gates import GATES, Gate, framework_gates
from ._layout import choose, take

_NAME = re.compile(
    r"^(?P<prefix>.*?)(?P<param>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?:_l(?P<layer>\d+))?(?P<reverse>_reverse)?$"
)
_KIND_BY_BLOCKS = {1: "rnn", 3: "gru", 4: "lstm"}


def parse_name(name):
    """prefix, param, layer and direction of a PyTorch recurrent tensor name, or None."""
    match = _NAME.match(name)
    if match is None:
        return None
    return {
        "prefix": match["prefix"],
        "param": match["param"],
        "layer": int(match["layer"] or 0),
        "direction": int(match["reverse"] is not None),
    }


def is_torch(tensors):
    return any(parse_name(name) for name in tensors)


def _module(tensors, prefix):
    """(prefix, {layer: {direction: {param: tensor name}}}) of the recurrent module ``prefix``."""
    modules = {}
    for name in tensors:
        parsed = parse_name(name)
        if parsed:
            cell = modules.setdefault(parsed["prefix"], {}).setdefault(parsed["layer"], {})
            cell.setdefault(parsed["direction"], {})[parsed["param"]] = name
    if prefix is not None and prefix not in modules and prefix + "." in modules:
        prefix += "."
    return choose(modules, prefix, "recurrent module", "prefix")


def layout(tensors, prefix=None):
    """(prefix, {layer: directions}) of a recurrent module: its whole stack, for ``rt.analyze``."""
    prefix, layers = _module(tensors, prefix)
    return prefix, {layer: tuple(sorted(directions)) for layer, directions in sorted(layers.items())}


def select(tensors, prefix=None, layer=None, direction=None):
    """(names, where) of one recurrent layer: names param -> tensor name (present or expected),
    where = {prefix, layer, direction}."""
    prefix, layers = _module(tensors, prefix)
    layer, directions = choose(layers, layer, "layer", "layer")
    direction, names = choose(directions, direction, "direction", "direction")
    param, name = next(iter(names.items()))
    suffix = name[len(prefix) + len(param) :]  # "_l0", "_l1_reverse", or "" for the *Cell modules
    names = {
        p: names.get(p, f"{prefix}{p}{suffix}") for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
    }
    return names, {"prefix": prefix, "layer": layer, "direction": direction}


def cell_gates(tensors, names, kind=None):
    """(kind, gates) of the layer whose tensor ``names`` ``select`` returned."""
    if names["weight_hr"] in tensors:
        raise ValueError(f"{names['weight_hr']!r}: LSTM projections (proj_size > 0) are not supported")
    w_hh = take(tensors, names["weight_hh"])
    n = w_hh.shape[1] if w_hh.ndim == 2 else 0
    blocks = w_hh.shape[0] // n if n and w_hh.shape[0] % n == 0 else None
    found = _KIND_BY_BLOCKS.get(blocks)
    if found is None:
        raise ValueError(
            f"tensor {names['weight_hh']!r} has shape {w_hh.shape}: expected (k·n, n) with k = 1 (RNN), 3 (GRU) or 4 (LSTM)"
        )
    if kind is not None and kind != found:
        raise ValueError(f"the file's PyTorch layer is {found}, not {kind} (PyTorch stores rnn, lstm and gru)")
    w_ih = take(tensors, names["weight_ih"])
    if w_ih.ndim != 2 or w_ih.shape[0] != blocks * n:
        raise ValueError(f"tensor {names['weight_ih']!r} has shape {w_ih.shape}, expected ({blocks * n}, input size)")
    has_ih, has_hh = names["bias_ih"] in tensors, names["bias_hh"] in tensors
    if has_ih != has_hh:
        missing = names["bias_hh"] if has_ih else names["bias_ih"]
        raise ValueError(f"missing tensor {missing!r} (PyTorch stores both biases, or neither with bias=False)")
    b_ih, b_hh = (
        take(tensors, names[b], (blocks * n,)) if has_ih else np.zeros(blocks * n) for b in ("bias_ih", "bias_hh")
    )
    split = [np.split(a, blocks) for a in (w_ih, w_hh, b_ih, b_hh)]  # gate blocks are stacked in rows
    return found, {g: Gate(*parts) for g, *parts in zip(GATES[found], *split)}


def torch_tensors(cell):
    """A state dict (layer 0, no prefix) of the PyTorch module computing ``cell``."""
    if cell.key == "gru_rb":
        raise ValueError("PyTorch's nn.GRU resets after the matmul (gru); gru_rb has no PyTorch module")
    if cell.key == "rnn" and cell.activation not in ("tanh", "relu"):
        raise ValueError(f"nn.RNN has no {cell.activation} nonlinearity (tanh or relu only)")
    gates = framework_gates(cell)
    fields = {"weight_ih_l0": "U", "weight_hh_l0": "W", "bias_ih_l0": "b_in", "bias_hh_l0": "b_rec"}
    return {name: np.concatenate([getattr(gates[g], f) for g in GATES[cell.key]]) for name, f in fields.items()}
