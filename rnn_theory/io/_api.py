"""``load``, ``read_model`` and ``save``: a cell from or to a weights file in any supported format."""

from __future__ import annotations

import os
from typing import NamedTuple

from ..cells import CELLS, Cell
from ..cells.rnn import ACTIVATIONS
from . import _h5, _keras, _native, _torch
from ._files import read_tensors, write_tensors
from ._gates import native_params

FORMATS = ("native", "torch", "keras")
GRU_NOTE = (
    "z-gate negated on import: here h' = (1−z)⊙h + z⊙h̃, so z is the share of new content, "
    "1 − the z of PyTorch and Keras (docs/design.md#gru-convention)"
)


class Imported(NamedTuple):
    """A cell read from a file, and how it was read (what ``rnn-theory analyze`` reports)."""

    cell: Cell
    format: str  # "native" | "torch" | "keras"
    where: dict  # torch: prefix, layer, direction; keras: prefix; native: {}
    ignored: tuple  # names of the file's tensors this cell does not use (other modules, layers)
    notes: tuple  # conventions applied and defaults assumed, one sentence each


def load(
    path: str | os.PathLike,
    format: str | None = None,
    kind: str | None = None,
    *,
    prefix: str | None = None,
    layer: int | None = None,
    direction: int | None = None,
    activation: str | None = None,
) -> Cell:
    """The cell stored in ``path`` (.safetensors or .npz); see ``read_model`` for the arguments."""
    return read_model(path, format, kind, prefix=prefix, layer=layer, direction=direction, activation=activation).cell


def read_model(path, format=None, kind=None, *, prefix=None, layer=None, direction=None, activation=None):
    """Read one cell from a weights file, with a report of what was used, ignored and assumed.

    format: "native" | "torch" | "keras", or None to tell from the tensor names. kind: a cell key,
    needed only where names and shapes leave it open. prefix: the module (``encoder.lstm``) when the
    file holds several; layer, direction: PyTorch's ``_l{k}`` and ``_reverse``, needed when the file
    holds several. activation: the rnn's φ where the file does not record it (default tanh).
    Every problem raises ValueError with one line naming the file and what was expected.
    """
    try:
        _check_choices(format, kind, activation)
        if _h5.is_h5(path):  # .keras/.h5: Keras' own files
            if format not in (None, "keras") or layer is not None:
                raise ValueError("a .keras/.h5 file holds Keras layers: name one with prefix=… (--prefix), not layer")
            return _h5.read_model(path, prefix, direction)
        tensors, metadata = read_tensors(path)
        format = format or _infer_format(tensors, metadata)
        if format != "torch" and (layer is not None or direction is not None):
            raise ValueError(f"layer and direction apply to PyTorch files; this one is read as {format}")
        if format == "native":
            if prefix is not None:
                raise ValueError("prefix applies to PyTorch and Keras files; this one is native")
            cell, notes = _native.cell_from_native(tensors, metadata, kind, activation)
            return Imported(cell, format, {}, (), tuple(notes))
        return _from_framework(format, tensors, kind, prefix, layer, direction, activation)
    except ValueError as error:
        raise ValueError(f"{os.fspath(path)}: {error}") from None


def _check_choices(format, kind, activation):
    for value, allowed, what in (
        (format, FORMATS, "format"),
        (kind, tuple(CELLS), "kind"),
        (activation, ACTIVATIONS, "activation"),
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


def _from_framework(format, tensors, kind, prefix, layer, direction, activation):
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
        options = {}
    if kind in ("gru", "gru_rb"):
        notes.append(GRU_NOTE)
    if format == "keras":
        notes.append("Keras defaults assumed: activation tanh, recurrent_activation sigmoid")
    if where.get("layer"):
        notes.append(f"layer {where['layer']}'s input x is the output of layer {where['layer'] - 1}")
    cell = CELLS[kind](**options, **native_params(kind, gates))
    ignored = tuple(sorted(set(tensors) - set(names.values())))
    return Imported(cell, format, where, ignored, tuple(notes))


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
