"""The conversion core under every reader: a framework's gate blocks -> a native cell, with notes.

``framework_cell`` takes the tensors of one PyTorch or Keras layer (by their names, as ``_torch``
and ``_keras`` parse them), splits them into gates (``_gates``) and builds the native cell; the
notes say which conventions it applied and which defaults it assumed.
"""

from typing import NamedTuple

from ..cells import CELLS, Cell
from . import _keras, _torch
from ._gates import native_params

GRU_NOTE = (
    "z-gate negated on import: here h' = (1−z)⊙h + z⊙h̃, so z is the share of new content, "
    "1 − the z of PyTorch and Keras (docs/design.md#gru-convention)"
)


class Imported(NamedTuple):
    """A cell read from a file, and how it was read (what ``rnn-theory analyze`` reports)."""

    cell: Cell
    format: str  # "native" | "torch" | "keras" | "onnx"
    where: dict  # torch: prefix, layer, direction; keras, onnx: prefix (the layer's name), direction; native: {}
    ignored: tuple  # names of the file's tensors this cell does not use (other modules, layers)
    notes: tuple  # conventions applied and defaults assumed, one sentence each


def framework_cell(format, tensors, kind, prefix, layer, direction, activation, gate_activation=None):
    """``Imported`` of one layer of a PyTorch or Keras state dict (names as the framework writes them);
    ``gate_activation``: the gates' σ or hard sigmoid (LSTM, GRU; ignored by a plain RNN)."""
    if format == "torch":
        if not _torch.is_torch(tensors):
            raise ValueError("no PyTorch recurrent weights (weight_ih_l0, weight_hh_l0, …) in the file")
        names, where = _torch.select(tensors, prefix, layer, direction)
        kind, gates = _torch.cell_gates(tensors, names, kind)
    else:
        if not _keras.is_keras(tensors):
            raise ValueError("no Keras recurrent weights (kernel, recurrent_kernel, bias) in the file")
        names, where = _keras.select(tensors, prefix)
        kind, gates = _keras.cell_gates(tensors, names, kind)
    notes = []
    if kind == "rnn":
        if format == "torch" and activation == "sigmoid":
            raise ValueError("nn.RNN has no sigmoid nonlinearity (tanh or relu)")
        if activation is None:
            notes.append(
                "activation tanh assumed (the file does not record it; pass activation= / --activation if not)"
            )
        options = {"activation": activation or "tanh"}
    elif activation is not None:
        raise ValueError(f"activation applies to the rnn cell only, not {kind}")
    else:
        options = {} if gate_activation in (None, "sigmoid") else {"gate_activation": gate_activation}
    if kind in ("gru", "gru_rb"):
        notes.append(GRU_NOTE)
    if where.get("layer"):
        notes.append(f"layer {where['layer']}'s input x is the output of layer {where['layer'] - 1}")
    cell = CELLS[kind](**options, **native_params(kind, gates))
    ignored = tuple(sorted(set(tensors) - set(names.values())))
    return Imported(cell, format, where, ignored, tuple(notes))
