"""What every reader returns: a ``Network``, a stack of recurrent layers as the model holds them.

Each ``Layer`` has one or two directions (0 forward, 1 over reversed time) and the model's own
name for it where the model has one (a Keras layer's ``name``, an ONNX node's); layer k > 0 reads
the outputs of layer k − 1 (both directions concatenated, in the frameworks' order [forward;
backward]). A layer is chosen by its index or by its name (``layer_index``).

>>> net = Network([Layer({}, {}, "enc"), Layer({}, {}, "dec")], "m.keras", "keras", {}, (), ())
>>> layer_index(net.names, "dec"), layer_index(net.names, 0)
(1, 0)
>>> layer_index(net.names, "nope")
Traceback (most recent call last):
...
ValueError: no layer 'nope': the model has layers 0 'enc', 1 'dec'
"""

from typing import NamedTuple

import numpy as np


class Layer(NamedTuple):
    cells: dict  # direction -> Cell
    reversed: dict  # direction -> bool: the direction runs over reversed time
    name: str = None  # the model's own name of the layer, where it has one


class Network(NamedTuple):
    layers: list  # of Layer, bottom first
    source: str  # what the model was: a file name, "torch LSTM", "native lstm cell", ...
    format: str  # native | torch | keras | onnx
    where: dict
    ignored: tuple  # what the reader left out (other modules' tensors, non-recurrent nodes)
    notes: tuple  # conventions applied, versions read and defaults assumed, one sentence each
    chosen: int = None  # the layer a name (prefix) picked; the layers below still feed it

    @property
    def input_size(self):
        return next(iter(self.layers[0].cells.values())).input_size

    @property
    def names(self):
        """The layers' names (None where the model does not name them), bottom first."""
        return [layer.name for layer in self.layers]

    def listing(self):
        """Its layers in one phrase: "layers 0 'enc', 1 'dec'" (``listing``)."""
        return listing(self.names)

    def index(self, layer):
        """The index of ``layer``, given by index or by name (``layer_index``)."""
        return layer_index(self.names, layer)


def layer_index(names, layer):
    """The index of ``layer`` (an index 0..L−1 or a layer's name) among the layers ``names`` (None
    for a layer without a name); else a ValueError whose one line lists the layers there are."""
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        if 0 <= layer < len(names):
            return int(layer)
        raise ValueError(f"no layer {layer}: the model has {listing(names)}")
    if isinstance(layer, str):
        if layer in names:
            return names.index(layer)
        raise ValueError(f"no layer {layer!r}: the model has {listing(names)}")
    raise ValueError(
        f"layer must be a layer's index or name, got {type(layer).__name__}; the model has {listing(names)}"
    )


def pick(names, prefix, layer):
    """The index of the one layer ``read_model`` reads: named by ``prefix`` or ``layer`` (a name or an
    index), or the only one there is."""
    if prefix is not None and layer is not None:
        raise ValueError("give the layer by prefix or by layer, not both")
    wanted = prefix if prefix is not None else layer
    if wanted is None:
        if len(names) > 1:
            raise ValueError(
                f"the file holds several recurrent layers: {_named(names)}; choose one with prefix=… (--prefix)"
            )
        return 0
    return layer_index(names, wanted)


def _named(names):
    return ", ".join(
        repr(name) if name is not None else str(k) for k, name in sorted(enumerate(names), key=lambda e: str(e[1]))
    )


def listing(names):
    """ "layers 0 'enc', 1 'dec'" ("layers 0, 1" where they have no names; "layer 0" for one)."""
    entries = [f"{k} {name!r}" if name is not None else str(k) for k, name in enumerate(names)]
    return ("layer " if len(entries) == 1 else "layers ") + ", ".join(entries)
