"""The Keras reader: ``.keras`` archives, ``.weights.h5`` and legacy ``.h5`` files (h5py), live Keras objects.

HDF5 holds arrays; reading it runs no code (h5py is an optional extra: ``pip install "rnn-theory[keras]"``).
A ``.keras`` file is a zip archive holding ``metadata.json`` (``keras_version``), ``config.json`` (the
model's architecture, read as JSON) and ``model.weights.h5``. Keras 3 stores a recurrent layer's
weights as the datasets ``layers/<group>/cell/vars/0, 1, 2`` (kernel, recurrent_kernel, bias, in that
order), a ``Bidirectional`` layer's as ``layers/<group>/forward_layer/cell/vars/…`` and
``…/backward_layer/…``; the group is named after the layer's class (``lstm``, ``gru_1``) and the
layer's own name is the ``name`` attribute of ``layers/<group>/vars``. Keras 1 and 2 (and tf.keras)
files name each weight instead: a group per layer whose ``weight_names`` attribute lists
``<layer>/<cell>/kernel:0`` etc. (Keras 1: one array per gate, ``<layer>_W_i``, ``_U_i``, ``_b_i``, …),
the file's (or its ``model_weights`` group's) attributes ``keras_version`` and ``layer_names`` (the
layers in the model's order), and a full-model file carries the config as ``model_config``.

The config, where the file has one, supplies ``activation``, ``recurrent_activation`` (Keras 1:
``inner_activation``), ``reset_after`` (GRU) and ``go_backwards``; what it leaves unsaid, and
everything in a weights-only file, follows the defaults of the file's Keras version
(``_keras_version``): the notes say which version was read and which defaults were used.
"""

import io
import json
import os
import sys
import zipfile
from typing import NamedTuple

import numpy as np

from . import _keras_version
from ._convert import Imported, framework_cell
from ._layout import choose
from ._network import Layer, Network, layer_index, pick

RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
_MAX_CONFIG = 64 * 2**20  # a config larger than this is not a model description
# Keras 1's one array per gate (consume_less != "gpu"), stacked here in Keras 2's column order.
_KERAS1_GATES = {4: "ifco", 3: "zrh", 1: ""}
_KERAS3_LAYOUT = "Keras 3 (the file records no version; its layout layers/…/cell/vars is Keras 3's)"


class KerasLayer(NamedTuple):
    """One recurrent Keras layer: its name, class, config (or None) and weights per direction
    (0 forward; 1 the backward layer of a Bidirectional), each [kernel, recurrent_kernel(, bias)];
    ``rules``: the defaults of the Keras version that wrote it (``_keras_version.Rules``)."""

    name: str
    class_name: str
    config: dict
    weights: dict
    rules: _keras_version.Rules
    ordered: bool = True  # whether the file gives the model's order (a config, layer_names)


def is_h5(path):
    return os.fspath(path).lower().endswith((".keras", ".h5", ".hdf5"))


def read_layers(path):
    """The recurrent layers of a ``.keras``/``.h5`` file, in the model's order: list of ``KerasLayer``."""
    h5py = _h5py()
    path = os.fspath(path)
    try:
        if path.lower().endswith(".keras"):
            with zipfile.ZipFile(path) as archive:
                config = _json(archive, "config.json")
                metadata = _json(archive, "metadata.json") if "metadata.json" in archive.namelist() else {}
                weights = archive.read("model.weights.h5")
            with h5py.File(io.BytesIO(weights), "r") as store:
                return _layers(store, config, metadata.get("keras_version"), None)
        with h5py.File(path, "r") as store:
            raw = store.attrs.get("model_config")
            config = json.loads(_text(raw)) if raw is not None else None
            attrs = store["model_weights"].attrs if "model_weights" in store else store.attrs
            version = _text(attrs.get("keras_version", store.attrs.get("keras_version")))
            names = attrs.get("layer_names")
            return _layers(store, config, version, None if names is None else [_text(n) for n in names])
    except (OSError, zipfile.BadZipFile, KeyError, json.JSONDecodeError) as error:
        raise ValueError(
            f"cannot read it as a Keras .keras/.h5 file ({error}); or export the layer's arrays: "
            "np.savez('layer.npz', *layer.get_weights())"
        ) from None


def from_live(model):
    """The recurrent layers of a live Keras layer or model (duck-typed: ``get_config``, ``get_weights``)."""
    rules = _keras_version.rules(_live_version(model))
    layers = [model] if not hasattr(model, "layers") else list(_flatten(model))
    found = []
    for layer in layers:
        cls = type(layer).__name__
        config = layer.get_config()
        if cls == "Bidirectional":
            half = len(layer.get_weights()) // 2
            weights = {0: layer.get_weights()[:half], 1: layer.get_weights()[half:]}
            found.append(KerasLayer(config["name"], cls, config, weights, rules))
        elif cls in RECURRENT:
            found.append(KerasLayer(config["name"], cls, config, {0: layer.get_weights()}, rules))
    if not found:
        raise ValueError("no LSTM, GRU or SimpleRNN layer in this Keras object")
    return found


def _live_version(model):
    """The version of the Keras package that made a live object: keras or tf_keras's own; Keras 2's
    rules for TensorFlow's bundled tf.keras (whose version is TensorFlow's)."""
    package = type(model).__module__.partition(".")[0]
    version = getattr(sys.modules.get(package), "__version__", None)
    return version if package in ("keras", "tf_keras") else "2.3.0" if package == "tensorflow" else None


def _flatten(model):
    for layer in model.layers:
        if hasattr(layer, "layers"):
            yield from _flatten(layer)
        else:
            yield layer


def layer_kind(layer, direction, recurrent_activation=None):
    """(kind, activation, gate_activation, reversed, notes) of one direction of a ``KerasLayer``;
    ``recurrent_activation``: the user's, where the file does not state it."""
    rules = layer.rules
    config = layer.config
    where = f"layer {layer.name!r}"
    if config is None:
        inner_config, backwards = {}, direction == 1
    elif layer.class_name == "Bidirectional":
        inner = config.get("layer", {})
        if direction == 1 and config.get("backward_layer"):
            inner = config["backward_layer"]
        class_name, inner_config = inner.get("class_name"), inner.get("config", {})
        backwards = direction == 1
    else:
        class_name, inner_config = layer.class_name, config
        backwards = bool(config.get("go_backwards", False))
    if config is not None and class_name not in RECURRENT:
        raise ValueError(f"{where}: {class_name} is not supported (LSTM, GRU, SimpleRNN)")
    kind = None if config is None else RECURRENT[class_name]
    activation = _name(inner_config.get("activation", "tanh"), where)
    stated = inner_config.get("recurrent_activation", inner_config.get("inner_activation"))  # Keras 1's name
    if kind == "rnn":
        if activation not in ("tanh", "sigmoid", "relu"):
            raise ValueError(f"{where}: activation {activation!r} is not supported (tanh, sigmoid, relu)")
        return kind, activation, None, backwards, [f"activation {activation} from the file's config"]
    if activation != "tanh":
        raise ValueError(f"{where}: activation {activation!r} is not supported: the native cells' candidate is tanh")
    notes = []
    if stated is not None:
        gating = _keras_version.gate_activation(_name(stated, where), rules, where)
        if recurrent_activation is not None and _override(recurrent_activation, rules, where) != gating:
            raise ValueError(
                f"{where}: the file's config gives recurrent_activation {stated!r}, not {recurrent_activation!r}"
            )
        notes.append(f"activation tanh, recurrent_activation {_described(gating)} from the file's config")
    elif recurrent_activation is not None:
        gating = _override(recurrent_activation, rules, where)
        notes.append(f"recurrent_activation {_described(gating)} as given (the file does not state it)")
    else:
        gating = rules.recurrent_activation
    if kind == "gru" and not inner_config.get("reset_after", rules.reset_after):
        kind = "gru_rb"
    return kind, None, gating, backwards, notes


def _override(name, rules, where):
    return _keras_version.gate_activation(name, rules, f"{where}: recurrent_activation {name!r}")


def _described(gating):
    return {
        "sigmoid": "sigmoid",
        **{name: f"hard_sigmoid = {formula} ({name})" for name, formula in _keras_version.HARD_SIGMOIDS.items()},
    }[gating]


def _name(value, where):
    """An activation's name in a config: a string, or Keras 3's serialised ``{"config": …}`` of one."""
    if isinstance(value, dict):
        value = value.get("config", value).get("name", value.get("class_name"))
    if not isinstance(value, str):
        raise ValueError(f"{where}: activation {value!r} is not a name the native cells compute")
    return value


def import_layer(layer, direction, recurrent_activation=None):
    """(Imported, reversed) of one direction of a ``KerasLayer``: the native cell, with notes."""
    kind, activation, gating, backwards, found = layer_kind(layer, direction, recurrent_activation)
    tensors = dict(zip(("kernel", "recurrent_kernel", "bias"), (np.asarray(a) for a in layer.weights[direction])))
    imported = framework_cell("keras", tensors, kind, None, None, None, activation, gating)
    notes = [layer.rules.note, *found, *imported.notes]
    where = {"prefix": layer.name} if len(layer.weights) == 1 else {"prefix": layer.name, "direction": direction}
    return Imported(imported.cell, "keras", where, (), tuple(notes)), backwards


def read_model(path, prefix=None, layer=None, direction=None, recurrent_activation=None):
    """``rt.load``/``read_model`` of a Keras file: one layer (by name, ``prefix`` or ``layer``, or by
    index, ``layer``) and direction."""
    layers = read_layers(path)
    names = [each.name for each in layers]
    chosen = layers[pick(names, prefix, layer)]
    direction, _ = choose(chosen.weights, direction, "direction", "direction")
    imported, _ = import_layer(chosen, direction, recurrent_activation)
    return imported._replace(ignored=tuple(sorted(set(names) - {chosen.name})))


def file_network(path, prefix, recurrent_activation=None):
    """The ``Network`` of a ``.keras``/``.h5`` file; ``prefix`` names the layer it picks."""
    return keras_network(read_layers(path), os.fspath(path), prefix, recurrent_activation)


def live_network(model, prefix, recurrent_activation=None):
    """The ``Network`` of a live Keras layer or model."""
    return keras_network(from_live(model), f"Keras {type(model).__name__}", prefix, recurrent_activation)


def keras_network(layers, source, prefix, recurrent_activation=None):
    """The ``Network`` of the recurrent ``KerasLayer``s ``layers`` (bottom first)."""
    names = [layer.name for layer in layers]
    stack, notes = [], []
    for layer in layers:
        cells, reversed_ = {}, {}
        for direction in sorted(layer.weights):
            imported, reversed_[direction] = import_layer(layer, direction, recurrent_activation)
            cells[direction] = imported.cell
            notes += [n for n in imported.notes if n not in notes]
        stack.append(Layer(cells, reversed_, layer.name))
    if len(stack) > 1 and layers[0].config is None and not layers[0].ordered:
        notes.append(
            "neither a config nor layer_names in the file: the layers are in the order of their HDF5 groups "
            "(by name), which need not be the model's"
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


def _text(raw):
    return raw.decode() if isinstance(raw, bytes) else None if raw is None else str(raw)


def _json(archive, name):
    info = archive.getinfo(name)
    if info.file_size > _MAX_CONFIG:
        raise ValueError(f"{name} is {info.file_size} bytes; not a model description")
    return json.loads(archive.read(name).decode("utf-8"))


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


def _layers(store, config, version, layer_names):
    configs = _configs(config) if config is not None else {}
    weights, keras3 = {}, False  # layer name -> {direction: [arrays]}
    for name, direction, arrays, layout3 in _weight_groups(store):
        weights.setdefault(name, {})[direction] = arrays
        keras3 |= layout3
    rules = _keras_version.rules(version)
    if version is None and keras3:
        rules = _keras_version.rules("3.0.0")._replace(version=None, note=_KERAS3_LAYOUT)
    layers = []
    for name, by_direction in weights.items():
        class_name, layer_config = configs.get(name, ("Bidirectional" if 1 in by_direction else None, None))
        if config is not None and class_name not in (*RECURRENT, "Bidirectional"):
            continue  # a non-recurrent layer with weights of the same shapes
        if all(
            len(a) in (2, 3) and a[1].ndim == 2 and a[1].shape[1] % a[1].shape[0] == 0 for a in by_direction.values()
        ):
            layers.append(KerasLayer(name, class_name, layer_config, by_direction, rules, bool(layer_names or configs)))
    if not layers:
        raise ValueError("no recurrent layer (kernel, recurrent_kernel, bias) in the file")
    # The model's order: layer_names where the file has them, else the config's; HDF5 groups are sorted by name.
    order = layer_names or list(configs)
    return sorted(layers, key=lambda layer: order.index(layer.name) if layer.name in order else len(order))


def _weight_groups(store):
    """(layer name, direction, [kernel, recurrent_kernel(, bias)], Keras 3 layout?) for each recurrent cell."""
    out = []

    def visit(path, obj):
        if path.endswith("/cell/vars") and hasattr(obj, "keys"):  # Keras 3: groups named by class, name in vars
            layer = path[: -len("/cell/vars")]
            head, _, last = layer.rpartition("/")
            direction = {"forward_layer": 0, "backward_layer": 1}.get(last)
            outer = head if direction is not None else layer
            arrays = [np.asarray(obj[k]) for k in sorted(obj.keys(), key=int)]
            out.append((_layer_name(store, outer), direction or 0, arrays, True))
        elif "weight_names" in getattr(obj, "attrs", {}):  # Keras 1, 2: weights named in the attribute
            names = [_text(n) for n in obj.attrs["weight_names"]]
            backward = [n for n in names if "backward_" in n]
            forward = [n for n in names if "backward_" not in n]
            for direction, half in enumerate((forward, backward)):
                if half:
                    out.append((path.rpartition("/")[2], direction, _stacked(obj, half), False))

    store.visititems(visit)
    return out


def _stacked(group, names):
    """[kernel, recurrent_kernel, bias] of one layer's named weights; Keras 1's per-gate arrays
    ``…_W_i``, ``…_U_i``, ``…_b_i`` (gates i, c, f, o; z, r, h; one for SimpleRNN) stacked in
    Keras 2's column order (i, f, c, o; z, r, h)."""
    arrays = [np.asarray(group[n]) for n in names]
    gates = {}
    for n, a in zip(names, arrays):
        head, _, letter = n.split(":")[0].rpartition("_")
        if head[-2:-1] == "_" and head[-1] in "WUb" and len(letter) == 1:  # Keras 1: <layer>_W_i
            gates[(head[-1], letter)] = a
    if len(gates) != len(arrays) or len(arrays) not in (9, 12):
        return arrays
    order = "ifco" if len(arrays) == 12 else "zrh"
    return [np.concatenate([gates[(kind, g)] for g in order], axis=-1) for kind in "WUb"]


def _layer_name(store, group):
    """A Keras 3 layer's own name (its group is named after its class): the ``name`` of its vars."""
    raw = store[group]["vars"].attrs.get("name") if "vars" in store[group] else None
    return group.rpartition("/")[2] if raw is None else _text(raw)
