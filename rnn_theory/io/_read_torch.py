"""The PyTorch reader: a state dict (from a file or a live ``torch.nn.Module``) -> a ``Network``.

The recurrent module's whole stack (``_torch.layout``): each layer ``_l{k}`` with its directions
(``_reverse`` runs over reversed time); PyTorch numbers its layers and does not name them.
"""

from . import _torch
from ._convert import framework_cell
from ._network import Layer, Network


def tensors_network(tensors, source, kind, prefix, activation):
    """The ``Network`` of the recurrent module ``prefix`` of a PyTorch state dict ``tensors``."""
    prefix, layout = _torch.layout(tensors, prefix)
    layers, notes, used = [], [], set()
    for layer, directions in layout.items():
        cells = {}
        for direction in directions:
            imported = framework_cell("torch", tensors, kind, prefix, layer, direction, activation)
            cells[direction] = imported.cell
            notes += [note for note in imported.notes if note not in notes and not note.startswith("layer ")]
            used.update(set(tensors) - set(imported.ignored))
        layers.append(Layer(cells, {d: d == 1 for d in cells}))
    ignored = tuple(sorted(set(tensors) - used))
    return Network(layers, source, "torch", {"prefix": prefix}, ignored, tuple(notes))


def live_network(module, kind, prefix, activation):
    """The ``Network`` of a live ``torch.nn.Module`` (duck-typed: ``state_dict``, ``named_modules``)."""
    tensors = {name: value.detach().cpu().double().numpy() for name, value in module.state_dict().items()}
    if not _torch.is_torch(tensors):
        raise TypeError(f"cannot analyse a {type(module).__name__}: it holds no torch.nn.RNN, LSTM or GRU (or *Cell)")
    if activation is None:  # a live nn.RNN records its nonlinearity
        found = {getattr(m, "nonlinearity", None) for _, m in module.named_modules()} - {None}
        activation = found.pop() if len(found) == 1 else None
    return tensors_network(tensors, f"torch {type(module).__name__}", kind, prefix, activation)
