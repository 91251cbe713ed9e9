"""Models in, weights out: ``read_network``, ``rt.load`` / ``rt.save``; native, PyTorch, Keras and ONNX
files and live objects, never a pickle.

Reading is one reader per format (``_read``: native cells and tensor files; ``_read_torch``; ``_h5``:
Keras files and live Keras objects, by their Keras version's rules, ``_keras_version``;
``_read_onnx``), each returning a ``Network`` (a stack of layers, chosen by index or name), over one
conversion core (``_convert``, ``_gates``, ``_torch``, ``_keras``, ``_onnx``, ``_native``).

Files: ``.safetensors`` (read and written by a small reader of the documented format, no package
needed) and ``.npz`` (``np.load(..., allow_pickle=False)``). Pickle files (``torch.save``'s .pt/.pth,
pickled object arrays) are refused with the command that exports safetensors instead.

The native format (what ``rt.save`` writes, version 1):

- one float64 tensor per native parameter name of the cell (docs/design.md#cell-zoo), e.g. ``W_f``;
- metadata ``format`` = "rnn-theory-native", ``version`` = "1", ``kind`` = the cell key, and for
  ``rnn`` its ``activation``; plus any extra string entries given to ``save(..., metadata=)``;
- in ``.safetensors`` the metadata is the header's ``__metadata__``; in ``.npz`` each entry is a 0-d
  unicode array named ``__key__`` (e.g. ``__kind__``), so the file loads with allow_pickle=False;
- tensors in sorted order, fixed zip timestamps: the same cell gives the same bytes; the file is
  written to a temporary name and renamed, so a reader never sees half a file.

PyTorch (``_torch``) and Keras (``_keras``) layouts are converted to the native cell on import:
gate blocks split, Keras' transposes undone, the two PyTorch biases added except the GRU's b_hn
(the native ``c_n``), and the GRU's z-gate negated, since PyTorch and Keras write
h' = z⊙h + (1−z)⊙n where the native GRU has h' = (1−z)⊙h + z⊙h̃ (``_gates``).

>>> import os, tempfile
>>> import numpy as np
>>> import rnn_theory as rt
>>> cell = rt.CELLS["gru"].random(hidden_size=3, input_size=2, rng=0)
>>> folder = tempfile.mkdtemp()
>>> for name in ("gru.safetensors", "gru.npz"):
...     rt.save(cell, os.path.join(folder, name))
...     again = rt.load(os.path.join(folder, name))
...     print(again.key, all(np.array_equal(again.params[k], v) for k, v in cell.params.items()))
gru True
gru True
>>> rt.save(cell, os.path.join(folder, "torch.safetensors"), format="torch")
>>> back = rt.load(os.path.join(folder, "torch.safetensors"))   # PyTorch names, z-gate negated back
>>> back.key, all(np.array_equal(back.params[k], v) for k, v in cell.params.items())
('gru', True)
"""

from ._api import FORMATS, load, read_model, save
from ._convert import Imported
from ._files import encode_tensors, read_npy, read_tensors, write_atomic, write_tensors
from ._keras_version import OVERRIDES as KERAS_GATES
from ._limits import check_allocation
from ._native import native_tensors
from ._network import Layer, Network
from ._read import read_network
from ._write import check_outputs, commit_files, write_set

__all__ = [
    "FORMATS",
    "Imported",
    "KERAS_GATES",
    "Layer",
    "Network",
    "load",
    "read_model",
    "read_network",
    "save",
    "read_tensors",
    "write_tensors",
    "write_atomic",
    # what the commands and the training checkpoints use: outputs written as sets, all or none;
    # .npy inputs; the memory budget; a cell's native tensors, encoded
    "check_allocation",
    "check_outputs",
    "commit_files",
    "encode_tensors",
    "native_tensors",
    "read_npy",
    "write_set",
]
