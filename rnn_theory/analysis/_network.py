"""Models as users hold them, turned into a ``Network``: native cells, weight files, live PyTorch
modules and Keras layers or models. Duck-typed: neither torch nor keras is imported here.

A ``Network`` is a stack of recurrent layers, each with one or two directions (0 forward, 1 over
reversed time); layer k > 0 reads the outputs of layer k − 1 (both directions concatenated, in the
frameworks' order [forward; backward]). Weights become float64 native cells with the conventions of
the file readers (``rnn_theory.io``): the GRU's z-gate negated, PyTorch's two biases added.
"""

import os
from typing import NamedTuple

import numpy as np

from ..cells import Cell
from ..io import _api, _h5, _torch, read_model
from ..io._files import read_tensors


class Layer(NamedTuple):
    cells: dict  # direction -> Cell
    reversed: dict  # direction -> bool: the direction runs over reversed time


class Network(NamedTuple):
    layers: list  # of Layer
    source: str  # what the model was: a file name, "torch.nn.LSTM", "native lstm cell", ...
    format: str  # native | torch | keras
    where: dict
    ignored: tuple
    notes: tuple
    chosen: int = None  # the layer a name (prefix) picked; the layers below still feed it

    @property
    def input_size(self):
        return next(iter(self.layers[0].cells.values())).input_size


def as_network(model, *, format=None, kind=None, prefix=None, activation=None):
    """A ``Network`` from ``model``: a Cell, a path, a torch.nn.Module or a Keras layer/model."""
    if isinstance(model, Cell):
        return Network([Layer({0: model}, {0: False})], f"native {model.key} cell", "native", {}, (), ())
    if isinstance(model, (str, os.PathLike)):
        path = os.fspath(model)
        if _h5.is_h5(path):
            try:
                return _keras_network(_h5.read_layers(path), path, prefix)
            except ValueError as error:
                raise ValueError(f"{path}: {error}") from None
        return _file_network(path, format, kind, prefix, activation)
    if hasattr(model, "get_weights") and hasattr(model, "get_config"):  # first: on the torch backend, Keras
        return _keras_network(_h5.from_live(model), f"Keras {type(model).__name__}", prefix)  # layers are Modules
    if hasattr(model, "state_dict") and hasattr(model, "named_modules"):
        return _torch_network(model, kind, prefix, activation)
    raise TypeError(
        f"cannot analyse a {type(model).__name__}: expected an rnn_theory Cell, a weights file, "
        "a torch.nn.Module holding RNN/LSTM/GRU layers or a Keras LSTM/GRU/SimpleRNN layer or model"
    )


def _file_network(path, format, kind, prefix, activation):
    try:
        tensors, _ = read_tensors(path)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    if format in (None, "torch") and _torch.is_torch(tensors):
        return _torch_tensors_network(tensors, path, kind, prefix, activation, path)
    imported = read_model(path, format, kind, prefix=prefix, activation=activation)
    return Network(
        [Layer({0: imported.cell}, {0: False})], path, imported.format, imported.where, imported.ignored, imported.notes
    )


def _torch_network(module, kind, prefix, activation):
    tensors = {name: value.detach().cpu().double().numpy() for name, value in module.state_dict().items()}
    if not _torch.is_torch(tensors):
        raise TypeError(f"cannot analyse a {type(module).__name__}: it holds no torch.nn.RNN, LSTM or GRU (or *Cell)")
    if activation is None:  # a live nn.RNN records its nonlinearity
        found = {getattr(m, "nonlinearity", None) for _, m in module.named_modules()} - {None}
        activation = found.pop() if len(found) == 1 else None
    return _torch_tensors_network(tensors, f"torch {type(module).__name__}", kind, prefix, activation, None)


def _torch_tensors_network(tensors, source, kind, prefix, activation, path):
    try:
        prefix, layout = _torch.layout(tensors, prefix)
        layers, notes, used = [], [], set()
        for layer, directions in layout.items():
            cells = {}
            for direction in directions:
                imported = _api._from_framework("torch", tensors, kind, prefix, layer, direction, activation)
                cells[direction] = imported.cell
                notes += [note for note in imported.notes if note not in notes and not note.startswith("layer ")]
                used.update(set(tensors) - set(imported.ignored))
            layers.append(Layer(cells, {d: d == 1 for d in cells}))
    except ValueError as error:
        raise ValueError(f"{path or source}: {error}") from None
    ignored = tuple(sorted(set(tensors) - used))
    return Network(layers, source, "torch", {"prefix": prefix}, ignored, tuple(notes))


def _keras_network(layers, source, prefix):
    names = [layer.name for layer in layers]
    if prefix is not None and prefix not in names:
        raise ValueError(f"no recurrent layer {prefix!r}; the model has {', '.join(map(repr, names))}")
    stack, notes = [], []
    for layer in layers:
        cells, reversed_ = {}, {}
        for direction in sorted(layer.weights):
            imported, reversed_[direction] = _h5.import_layer(layer, direction)
            cells[direction] = imported.cell
            notes += [n for n in imported.notes if n not in notes]
        stack.append(Layer(cells, reversed_))
    if len(stack) > 1 and layers[0].config is None:
        notes.append(
            "no config in the file: the layers are in the order of their HDF5 groups (by name), "
            "which need not be the model's"
        )
    if len(stack) > 1:
        notes.append(
            f"the recurrent layers {', '.join(repr(layer.name) for layer in layers)} are taken as one stack, "
            "each reading the one before (layers between them, if any, are not modelled)"
        )
    chosen = None if prefix is None else names.index(prefix)
    return Network(stack, source, "keras", {"names": names}, (), tuple(notes), chosen)


def layer_inputs(network, xs, layer):
    """The inputs of ``layer`` (T, m_layer) when the network reads xs (T, m): the outputs of the
    layers below, directions concatenated in time order."""
    for below in network.layers[:layer]:
        outputs = []
        for direction, cell in sorted(below.cells.items()):
            h = run_states(cell, xs, below.reversed[direction])[1:, : cell.hidden_size]
            outputs.append(h[::-1] if below.reversed[direction] else h)
        xs = np.concatenate(outputs, axis=1)
    return xs


def run_states(cell, xs, reverse):
    """cell.run over xs, or over xs in reversed time (the order in which a backward layer reads)."""
    return cell.run(xs[::-1] if reverse else xs)
