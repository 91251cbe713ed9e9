"""``read_network``: a model as users hold it -> a ``Network``, one small reader per format.

Native cells; weight files (.safetensors/.npz with native, PyTorch or Keras names); Keras
``.keras``/``.h5`` files and live Keras layers or models (``_h5``); ONNX files' LSTM, GRU and RNN nodes (``_read_onnx``); live PyTorch modules
(``_read_torch``). Duck-typed: neither torch nor keras is imported here. Below the readers, the
conversion core (``_convert``, ``_gates``, ``_torch``, ``_keras``, ``_native``) turns a framework's
layout into native cells, with the conventions of docs/design.md#import-conventions.
"""

from __future__ import annotations

import os

from ..cells import Cell
from . import _h5, _read_onnx, _read_torch, _torch
from ._api import read_one
from ._files import read_tensors
from ._network import Layer, Network


def read_network(
    model: object,
    *,
    format: str | None = None,
    kind: str | None = None,
    prefix: str | None = None,
    activation: str | None = None,
    recurrent_activation: str | None = None,
) -> Network:
    """The stack of recurrent layers of ``model``: an ``rt.Cell``, a weights file (.safetensors,
    .npz, .keras, .h5), a live ``torch.nn.Module`` or a Keras layer or model.

    format, kind, prefix, activation, recurrent_activation: as ``read_model`` takes them (a Keras
    file's ``prefix`` names the layer it picks, whose layers below still feed it). Returns a ``Network``; a file that
    cannot be read raises ValueError with one line naming it; an unknown object, TypeError.

    >>> import rnn_theory as rt
    >>> net = read_network(rt.CELLS["gru"].random(hidden_size=2, input_size=1, rng=0))
    >>> net.format, len(net.layers), net.input_size
    ('native', 1, 1)
    """
    if isinstance(model, Cell):
        return Network([Layer({0: model}, {0: False})], f"native {model.key} cell", "native", {}, (), ())
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        try:
            if _h5.is_h5(path):
                return _h5.file_network(path, prefix, recurrent_activation)
            if _read_onnx.is_onnx(path):
                _refuse_options(
                    "an ONNX file",
                    format=format,
                    kind=kind,
                    activation=activation,
                    **{"recurrent_activation": recurrent_activation},
                )
                return _read_onnx.file_network(path, prefix)
            return _tensor_file_network(path, format, kind, prefix, activation, recurrent_activation)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    if hasattr(model, "get_weights") and hasattr(model, "get_config"):  # first: on the torch backend, Keras
        return _h5.live_network(model, prefix, recurrent_activation)  # layers are Modules too
    if recurrent_activation is not None:
        raise ValueError("recurrent_activation applies to Keras models (PyTorch's gates are σ)")
    if hasattr(model, "state_dict") and hasattr(model, "named_modules"):
        return _read_torch.live_network(model, kind, prefix, activation)
    raise TypeError(
        f"cannot analyse a {type(model).__name__}: expected an rnn_theory Cell, a weights file, "
        "a torch.nn.Module holding RNN/LSTM/GRU layers or a Keras LSTM/GRU/SimpleRNN layer or model"
    )


def _refuse_options(what, **options):
    """ONNX nodes state their own kinds and activations: options that would override them are refused."""
    given = [name for name, value in options.items() if value is not None]
    if given:
        raise ValueError(f"{', '.join(given)} do not apply to {what}: its nodes state their operators and activations")


def _tensor_file_network(path, format, kind, prefix, activation, recurrent_activation):
    tensors, _ = read_tensors(path)
    if format in (None, "torch") and _torch.is_torch(tensors) and recurrent_activation is None:
        return _read_torch.tensors_network(tensors, path, kind, prefix, activation)
    imported = read_one(path, format, kind, prefix, None, None, activation, recurrent_activation)
    return Network(
        [Layer({0: imported.cell}, {0: False})], path, imported.format, imported.where, imported.ignored, imported.notes
    )
