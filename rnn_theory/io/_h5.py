"""Keras model files: ``.keras`` archives, ``.weights.h5`` and legacy ``.h5`` files, read with h5py.

HDF5 holds arrays; reading it runs no code (h5py is an optional extra: ``pip install "rnn-theory[keras]"``).
A ``.keras`` file is a zip archive holding ``config.json`` (the model's architecture, read as JSON)
and ``model.weights.h5``. Keras 3 stores a recurrent layer's weights as the datasets
``layers/<group>/cell/vars/0, 1, 2`` (kernel, recurrent_kernel, bias, in that order), a ``Bidirectional``
layer's as ``layers/<group>/forward_layer/cell/vars/…`` and ``…/backward_layer/…``; the group is named
after the layer's class (``lstm``, ``gru_1``) and the layer's own name is the ``name`` attribute of
``layers/<group>/vars``. Keras 2 (``tf.keras``)
files name each weight instead: a group per layer whose ``weight_names`` attribute lists
``<layer>/<cell>/kernel:0`` etc., and a full-model file carries the config as ``model_config``.

The config, where the file has one, supplies ``activation``, ``recurrent_activation``,
``reset_after`` (GRU) and ``go_backwards``; what the native cells do not compute (e.g.
``hard_sigmoid``) is refused. Without a config Keras' defaults are assumed and reported.
"""

import io
import json
import os
import zipfile
from typing import NamedTuple

import numpy as np

from ._convert import Imported, framework_cell
from ._layout import choose
from ._network import Layer, Network, layer_index

RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
_MAX_CONFIG = 64 * 2**20  # a config larger than this is not a model description


class KerasLayer(NamedTuple):
    """One recurrent Keras layer: its name, class, config (or None) and weights per direction
    (0 forward; 1 the backward layer of a Bidirectional), each [kernel, recurrent_kernel(, bias)]."""

    name: str
    class_name: str
    config: dict
    weights: dict


def is_h5(path):
    return os.fspath(path).lower().endswith((".keras", ".h5", ".hdf5"))


def read_layers(path):
    """The recurrent layers of a ``.keras``/``.h5`` file, in file order: list of ``KerasLayer``."""
    h5py = _h5py()
    path = os.fspath(path)
    try:
        if path.lower().endswith(".keras"):
            with zipfile.ZipFile(path) as archive:
                config = _config(archive)
                weights = archive.read("model.weights.h5")
            with h5py.File(io.BytesIO(weights), "r") as store:
                return _layers(store, config)
        with h5py.File(path, "r") as store:
            raw = store.attrs.get("model_config")
            config = json.loads(raw.decode() if isinstance(raw, bytes) else raw) if raw is not None else None
            return _layers(store, config)
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(
            f"cannot read it as a Keras .keras/.h5 file ({error}); or export the layer's arrays: "
            "np.savez('layer.npz', *layer.get_weights())"
        ) from None


def from_live(model):
    """The recurrent layers of a live Keras layer or model (duck-typed: ``get_config``, ``get_weights``)."""
    layers = [model] if not hasattr(model, "layers") else list(_flatten(model))
    found = []
    for layer in layers:
        cls = type(layer).__name__
        config = layer.get_config()
        if cls == "Bidirectional":
            half = len(layer.get_weights()) // 2
            weights = {0: layer.get_weights()[:half], 1: layer.get_weights()[half:]}
            found.append(KerasLayer(config["name"], cls, config, weights))
        elif cls in RECURRENT:
            found.append(KerasLayer(config["name"], cls, config, {0: layer.get_weights()}))
    if not found:
        raise ValueError("no LSTM, GRU or SimpleRNN layer in this Keras object")
    return found


def _flatten(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _flatten(layer)
        else:
            yield layer


def layer_kind(layer, direction):
    """(kind, activation or None, reversed, notes) of one direction of a ``KerasLayer``."""
    config = layer.config
    if config is None:
        return None, None, direction == 1, []  # the import notes Keras' defaults
    if layer.class_name == "Bidirectional":
        inner = config.get("layer", {})
        if direction == 1 and config.get("backward_layer"):
            inner = config["backward_layer"]
        class_name, inner_config = inner.get("class_name"), inner.get("config", {})
        backwards = direction == 1
    else:
        class_name, inner_config = layer.class_name, config
        backwards = bool(config.get("go_backwards", False))
    if class_name not in RECURRENT:
        raise ValueError(f"layer {layer.name!r}: {class_name} is not supported (LSTM, GRU, SimpleRNN)")
    kind = RECURRENT[class_name]
    activation = inner_config.get("activation", "tanh")
    if kind == "rnn":
        if activation not in ("tanh", "sigmoid", "relu"):
            raise ValueError(f"layer {layer.name!r}: activation {activation!r} is not supported (tanh, sigmoid, relu)")
        return kind, activation, backwards, [f"activation {activation} from the file's config"]
    recurrent = inner_config.get("recurrent_activation", "sigmoid")
    if activation != "tanh" or recurrent != "sigmoid":
        raise ValueError(
            f"layer {layer.name!r}: activation {activation!r} with recurrent_activation {recurrent!r} "
            "is not supported: the native cells compute tanh and sigmoid (hard_sigmoid is another cell)"
        )
    if kind == "gru" and not inner_config.get("reset_after", True):
        kind = "gru_rb"
    return kind, None, backwards, ["activation tanh, recurrent_activation sigmoid from the file's config"]


def import_layer(layer, direction):
    """(Imported, reversed) of one direction of a ``KerasLayer``: the native cell, with notes."""
    kind, activation, backwards, found = layer_kind(layer, direction)
    tensors = dict(zip(("kernel", "recurrent_kernel", "bias"), (np.asarray(a) for a in layer.weights[direction])))
    imported = framework_cell("keras", tensors, kind, None, None, None, activation)
    notes = [n for n in imported.notes if not n.startswith("Keras defaults") or layer.config is None]
    notes += [n for n in found if n not in notes]
    where = {"prefix": layer.name} if len(layer.weights) == 1 else {"prefix": layer.name, "direction": direction}
    return Imported(imported.cell, "keras", where, (), tuple(notes)), backwards


def read_model(path, prefix=None, layer=None, direction=None):
    """``rt.load``/``read_model`` of a Keras file: one layer (by name, ``prefix`` or ``layer``, or by
    index, ``layer``) and direction."""
    if prefix is not None and layer is not None:
        raise ValueError("give the layer by prefix or by layer, not both")
    layers = read_layers(path)
    names = [each.name for each in layers]
    wanted = prefix if prefix is not None else layer
    if wanted is None:
        name, chosen = choose(dict(zip(names, layers)), None, "recurrent layer", "prefix")
    else:
        chosen = layers[layer_index(names, wanted)]
    direction, _ = choose(chosen.weights, direction, "direction", "direction")
    imported, _ = import_layer(chosen, direction)
    return imported._replace(ignored=tuple(sorted(set(names) - {chosen.name})))


def file_network(path, prefix):
    """The ``Network`` of a ``.keras``/``.h5`` file; ``prefix`` names the layer it picks."""
    return keras_network(read_layers(path), os.fspath(path), prefix)


def live_network(model, prefix):
    """The ``Network`` of a live Keras layer or model."""
    return keras_network(from_live(model), f"Keras {type(model).__name__}", prefix)


def keras_network(layers, source, prefix):
    """The ``Network`` of the recurrent ``KerasLayer``s ``layers`` (bottom first)."""
    names = [layer.name for layer in layers]
    stack, notes = [], []
    for layer in layers:
        cells, reversed_ = {}, {}
        for direction in sorted(layer.weights):
            imported, reversed_[direction] = import_layer(layer, direction)
            cells[direction] = imported.cell
            notes += [n for n in imported.notes if n not in notes]
        stack.append(Layer(cells, reversed_, layer.name))
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
    network = Network(stack, source, "keras", {"names": names}, (), tuple(notes))
    return network if prefix is None else network._replace(chosen=layer_index(names, prefix))


def _h5py():
    try:
        import h5py  # noqa: PLC0415 (optional extra)
    except ImportError:
        raise ValueError('reading Keras .keras/.h5 files needs h5py: pip install "rnn-theory[keras]"') from None
    return h5py


def _config(archive):
    info = archive.getinfo("config.json")
    if info.file_size > _MAX_CONFIG:
        raise ValueError(f"config.json is {info.file_size} bytes; not a model description")
    return json.loads(archive.read("config.json").decode("utf-8"))


def _configs(config):
    """name -> (class_name, config) of every layer in a Keras config, however nested."""
    found = {}

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("config"), dict) and "class_name" in node and "name" in node["config"]:
                found.setdefault(node["config"]["name"], (node["class_name"], node["config"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return found


def _layers(store, config):
    configs = _configs(config) if config is not None else {}
    weights = {}  # layer name -> {direction: [arrays]}
    for name, direction, arrays in _weight_groups(store):
        weights.setdefault(name, {})[direction] = arrays
    layers = []
    for name, by_direction in weights.items():
        class_name, layer_config = configs.get(name, ("Bidirectional" if 1 in by_direction else None, None))
        if config is not None and class_name not in (*RECURRENT, "Bidirectional"):
            continue  # a non-recurrent layer with weights of the same shapes
        if all(
            len(a) in (2, 3) and a[1].ndim == 2 and a[1].shape[1] % a[1].shape[0] == 0 for a in by_direction.values()
        ):
            layers.append(KerasLayer(name, class_name, layer_config, by_direction))
    if not layers:
        raise ValueError("no recurrent layer (kernel, recurrent_kernel, bias) in the file")
    order = list(configs)  # the config lists the layers in the model's order; HDF5 groups are sorted by name
    return sorted(layers, key=lambda layer: order.index(layer.name) if layer.name in order else len(order))


def _weight_groups(store):
    """(layer name, direction, [kernel, recurrent_kernel(, bias)]) for each recurrent cell's weights."""
    out = []

    def visit(path, obj):
        if path.endswith("/cell/vars") and hasattr(obj, "keys"):  # Keras 3: groups named by class, name in vars
            layer = path[: -len("/cell/vars")]
            head, _, last = layer.rpartition("/")
            direction = {"forward_layer": 0, "backward_layer": 1}.get(last)
            outer = head if direction is not None else layer
            arrays = [np.asarray(obj[k]) for k in sorted(obj.keys(), key=int)]
            out.append((_name(store, outer), direction or 0, arrays))
        elif "weight_names" in getattr(obj, "attrs", {}):  # Keras 2: weights named in the attribute
            names = [n.decode() if isinstance(n, bytes) else n for n in obj.attrs["weight_names"]]
            backward = [n for n in names if "backward_" in n]
            forward = [n for n in names if "backward_" not in n]
            for direction, half in enumerate((forward, backward)):
                if half:
                    out.append((path.rpartition("/")[2], direction, [np.asarray(obj[n]) for n in half]))

    store.visititems(visit)
    return out


def _name(store, group):
    """A Keras 3 layer's own name (its group is named after its class): the ``name`` of its vars."""
    raw = store[group]["vars"].attrs.get("name") if "vars" in store[group] else None
    if raw is None:
        return group.rpartition("/")[2]
    return raw.decode() if isinstance(raw, bytes) else str(raw)
