"""``load``, ``read_model`` and ``save``: a cell from or to a weights file in any supported format."""

from __future__ import annotations

import os

from ..cells import CELLS, Cell
from ..cells.rnn import ACTIVATIONS
from . import _h5, _keras, _keras_version, _native, _read_onnx, _torch
from ._convert import Imported, framework_cell
from ._files import read_tensors, write_tensors
from ._layout import choose
from ._network import pick

FORMATS = ("native", "torch", "keras")


def load(
    path: str | os.PathLike,
    format: str | None = None,
    kind: str | None = None,
    *,
    prefix: str | None = None,
    layer: int | str | None = None,
    direction: int | None = None,
    activation: str | None = None,
    recurrent_activation: str | None = None,
) -> Cell:
    """The cell stored in ``path`` (.safetensors or .npz); see ``read_model`` for the arguments."""
    return read_model(
        path,
        format,
        kind,
        prefix=prefix,
        layer=layer,
        direction=direction,
        activation=activation,
        recurrent_activation=recurrent_activation,
    ).cell


def read_model(
    path, format=None, kind=None, *, prefix=None, layer=None, direction=None, activation=None, recurrent_activation=None
):
    """Read one cell from a weights file, with a report of what was used, ignored and assumed.

    format: "native" | "torch" | "keras", or None to tell from the tensor names. kind: a cell key,
    needed only where names and shapes leave it open. prefix: the module (``encoder.lstm``) when the
    file holds several; layer, direction: PyTorch's ``_l{k}`` and ``_reverse``, needed when the file
    holds several (a Keras file's layer by index or by name, as ``prefix``). activation: the rnn's φ where the file does not record it (default tanh).
    recurrent_activation: a Keras LSTM's or GRU's gate nonlinearity where the file does not state it
    ("sigmoid", "hard_sigmoid" as the file's Keras version defines it, "hard_sigmoid_keras2",
    "hard_sigmoid_keras3"); by default the file's Keras version decides (σ where it records none).
    Every problem raises ValueError with one line naming the file and what was expected.
    """
    try:
        return read_one(path, format, kind, prefix, layer, direction, activation, recurrent_activation)
    except ValueError as error:
        raise ValueError(f"{os.fspath(path)}: {error}") from None


def read_one(path, format, kind, prefix, layer, direction, activation, recurrent_activation=None):
    """``read_model`` without the file's name in front of its errors."""
    _check_choices(format, kind, activation, recurrent_activation)
    if _read_onnx.is_onnx(path):  # an ONNX graph: its nodes state their operators and activations
        if any(option is not None for option in (format, kind, activation, recurrent_activation)):
            raise ValueError("format, kind, activation and recurrent_activation do not apply to an ONNX file")
        return _onnx_cell(path, prefix, layer, direction)
    if _h5.is_h5(path):  # .keras/.h5: Keras' own files
        if format not in (None, "keras"):
            raise ValueError(f"a .keras/.h5 file holds Keras layers, not {format}")
        return _h5.read_model(path, prefix, layer, direction, recurrent_activation)
    tensors, metadata = read_tensors(path)
    format = format or _infer_format(tensors, metadata)
    if format != "torch" and (layer is not None or direction is not None):
        raise ValueError(f"layer and direction apply to PyTorch files; this one is read as {format}")
    if format != "keras" and recurrent_activation is not None:
        raise ValueError(
            f"recurrent_activation applies to Keras weights; this file is read as {format} "
            "(PyTorch's gates are σ; a native file records its cell's gate_activation)"
        )
    if format == "native":
        if prefix is not None:
            raise ValueError("prefix applies to PyTorch and Keras files; this one is native")
        cell, notes = _native.cell_from_native(tensors, metadata, kind, activation)
        return Imported(cell, format, {}, (), tuple(notes))
    if format == "torch":
        return framework_cell(format, tensors, kind, prefix, layer, direction, activation)
    return _keras_tensors(tensors, kind, prefix, activation, recurrent_activation)


def _onnx_cell(path, prefix, layer, direction):
    """One direction of one recurrent node of an ONNX file, by the node's name (prefix or layer) or index."""
    network = _read_onnx.file_network(path)
    chosen = network.layers[pick(network.names, prefix, layer)]
    direction, cell = choose(chosen.cells, direction, "direction", "direction")
    ignored = tuple(name for name in network.names if name != chosen.name)
    return Imported(cell, "onnx", {"prefix": chosen.name, "direction": direction}, ignored, network.notes)


def _keras_tensors(tensors, kind, prefix, activation, recurrent_activation):
    """A Keras layer's arrays without a Keras file around them: no version, so Keras ≥ 2.3's σ gates
    unless told otherwise, and said so."""
    rules = _keras_version.rules(None)
    where = "recurrent_activation"
    gating = (
        None if recurrent_activation is None else _keras_version.gate_activation(recurrent_activation, rules, where)
    )
    imported = framework_cell("keras", tensors, kind, prefix, None, None, activation, gating)
    if imported.cell.key == "rnn":
        return imported
    note = rules.note if gating is None else f"recurrent_activation {gating} as given (the file does not state it)"
    return imported._replace(notes=(*imported.notes, note))


def _check_choices(format, kind, activation, recurrent_activation=None):
    for value, allowed, what in (
        (format, FORMATS, "format"),
        (kind, tuple(CELLS), "kind"),
        (activation, ACTIVATIONS, "activation"),
        (recurrent_activation, _keras_version.OVERRIDES, "recurrent_activation"),
    ):
        if value is not None and value not in allowed:
            raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(allowed)}")


def _infer_format(tensors, metadata):
    if metadata.get("format") == _native.FORMAT:
        return "native"
    for format, test in (
        ("torch", _torch.is_torch),
        ("keras", _keras.is_keras),
        ("native", lambda t: _native.is_native(t, metadata)),
    ):
        if test(tensors):
            return format
    shown = ", ".join(sorted(tensors)[:6]) + (", …" if len(tensors) > 6 else "")
    raise ValueError(
        f"cannot tell the format from the tensor names ({shown or 'no tensors'}); expected PyTorch names "
        "(weight_ih_l0, weight_hh_l0, …), Keras names (kernel, recurrent_kernel, bias) or native ones (rnn-theory cells)"
    )


def save(cell: Cell, path: str | os.PathLike, format: str = "native", metadata: dict | None = None) -> None:
    """Write ``cell`` to ``path`` (.safetensors or .npz), atomically and deterministically.

    format "native" (default): tensors by native name, float64, metadata ``format``, ``version``,
    ``kind`` (and ``activation``) plus any extra str -> str ``metadata``. "torch": the state dict of
    the equivalent nn.RNN/LSTM/GRU (layer 0); "keras": ``kernel``, ``recurrent_kernel``, ``bias``.
    """
    if format == "native":
        tensors, stored = _native.native_tensors(cell)
        clash = sorted(set(metadata or {}) & set(stored))
        if clash:
            raise ValueError(f"metadata keys {clash} are reserved by the native format")
        metadata = {**(metadata or {}), **stored}
    elif format == "torch":
        tensors = _torch.torch_tensors(cell)
    elif format == "keras":
        tensors = _keras.keras_tensors(cell)
    else:
        raise ValueError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
    write_tensors(path, tensors, metadata)
