"""The native format: one tensor per native parameter name, float64, and the cell's key as metadata.

Metadata (safetensors ``__metadata__``, or 0-d unicode arrays ``__format__``, ``__kind__``, … in .npz):
``format`` = "rnn-theory-native", ``version`` = "1", ``kind`` = the cell key, ``activation`` (rnn,
indrnn), ``gate_activation`` (LSTM family and GRUs, when not sigmoid). A file without metadata but whose tensor names are exactly one cell's parameters is read too.

>>> sorted(native_tensors(CELLS["rnn"](W=[[0.5]], U=[[1.0]], b=[0.0]))[1].items())
[('activation', 'tanh'), ('format', 'rnn-theory-native'), ('kind', 'rnn'), ('version', '1')]
"""

from ..cells import CELLS, GATE_ACTIVATIONS, GatedCell
from ..cells.rnn import ActivatedCell
from ._layout import take

FORMAT, VERSION = "rnn-theory-native", "1"


def native_tensors(cell):
    """(tensors, metadata) of ``cell`` in the native format."""
    # rnn, indrnn: φ, and the gated cells' gate_activation other than σ: options, not tensors
    return cell.params, {"format": FORMAT, "version": VERSION, "kind": cell.key, **cell.options}


def is_native(tensors, metadata):
    return metadata.get("format") == FORMAT or _kind_by_names(tensors) is not None


def _kind_by_names(tensors):
    return next((key for key, cls in CELLS.items() if set(cls.param_shapes) == set(tensors)), None)


def cell_from_native(tensors, metadata, kind=None, activation=None):
    """(cell, notes) from native tensors; ``kind``/``activation`` must agree with the metadata."""
    if metadata.get("format") == FORMAT and metadata.get("version") != VERSION:
        raise ValueError(
            f"native format version {metadata.get('version')!r} is not supported (this is version {VERSION})"
        )
    notes = []
    stored = metadata.get("kind") or _kind_by_names(tensors) or kind
    if stored is None:
        names = ", ".join(sorted(tensors)[:6]) + (", …" if len(tensors) > 6 else "")
        raise ValueError(
            f"tensor names ({names}) are not the parameters of any cell; expected e.g. {list(CELLS['lstm'].param_shapes)}"
        )
    if stored not in CELLS:
        raise ValueError(f"the file's cell kind {stored!r} is unknown; expected one of {', '.join(CELLS)}")
    if kind is not None and kind != stored:
        raise ValueError(f"the file's cell is {stored}, not {kind}")
    cls = CELLS[stored]
    unknown = sorted(set(tensors) - set(cls.param_shapes))
    if unknown:
        shown = ", ".join(unknown[:6]) + (", …" if len(unknown) > 6 else "")
        raise ValueError(f"unknown tensor names for the {stored} cell: {shown}; expected {list(cls.param_shapes)}")
    params = {name: take(tensors, name) for name in cls.param_shapes}
    gating = metadata.get("gate_activation")
    if gating is not None:
        if not issubclass(cls, GatedCell):
            raise ValueError(f"the file gives gate_activation {gating!r}, which the {stored} cell does not take")
        if gating not in GATE_ACTIVATIONS:
            raise ValueError(
                f"the file's gate_activation {gating!r} is unknown; expected one of {', '.join(GATE_ACTIVATIONS)}"
            )
        params["gate_activation"] = gating
    if not issubclass(cls, ActivatedCell):
        if activation is not None:
            raise ValueError(f"activation applies to the rnn cell only (and indrnn), not {stored}")
        return cls(**params), notes
    saved = metadata.get("activation")
    if activation is not None and saved is not None and activation != saved:
        raise ValueError(f"the file's {stored} uses activation {saved!r}, not {activation!r}")
    if activation is None and saved is None:
        notes.append(f"activation {cls.default_activation} assumed (the file does not say)")
    return cls(activation=activation or saved, **params), notes
