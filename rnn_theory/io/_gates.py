"""Framework-neutral gate blocks, and the one place where the GRU's z-gate sign flips.

PyTorch and Keras both compute, per gate g, a_g = U_g x + b_in_g + W_g h + b_rec_g; they differ only
in names, gate order and (Keras) the transposed layout, which ``_torch`` and ``_keras`` handle. Here a
model is a dict gate letter -> ``Gate(U (n, m), W (n, n), b_in (n,), b_rec (n,))`` with the
letters of the native cells: i, f, g, o (LSTM; Keras' c is g), r, z, n (GRU; Keras' h is n) and
"" for the plain RNN.

Conventions applied on import (docs/design.md#import-conventions):
- the two biases of a gate add up, except the GRU's n-gate (reset after the matmul), whose
  recurrent bias b_hn sits inside r⊙(W_n h + b_hn) and becomes the native ``c_n``;
- the frameworks' GRU reads h' = z⊙h + (1 − z)⊙n, ours h' = (1 − z)⊙h + z⊙h̃; since
  1 − σ(a) = σ(−a), the z-gate's U, W and biases are negated. Export applies the inverse, with the
  whole bias in b_in (b_rec = 0, except c_n), so import(export(cell)) is exact.

>>> import numpy as np
>>> z = Gate(U=np.ones((1, 1)), W=np.ones((1, 1)), b_in=np.array([1.0]), b_rec=np.array([2.0]))
>>> native_params("gru_rb", {"r": z, "z": z, "n": z})["b_z"]
array([-3.])
"""

from typing import NamedTuple

import numpy as np

KINDS = ("rnn", "lstm", "gru", "gru_rb")
GATES = {"rnn": ("",), "lstm": tuple("ifgo"), "gru": tuple("rzn"), "gru_rb": tuple("rzn")}


class Gate(NamedTuple):
    U: np.ndarray
    W: np.ndarray
    b_in: np.ndarray
    b_rec: np.ndarray


def _name(base, gate):
    return f"{base}_{gate}" if gate else base


def _sign(gate):
    return -1.0 if gate == "z" else 1.0  # the frameworks' z is our 1 − z


def native_params(kind, gates):
    """Native parameters of cell ``kind`` from its framework gates (dict letter -> Gate)."""
    params = {}
    for letter in GATES[kind]:
        U, W, b_in, b_rec = gates[letter]
        s = _sign(letter)
        params[_name("U", letter)], params[_name("W", letter)] = s * U, s * W
        if kind == "gru" and letter == "n":
            params["b_n"], params["c_n"] = b_in, b_rec
        else:
            params[_name("b", letter)] = s * (b_in + b_rec)
    # C order: a transposed (Keras) block would otherwise stay F-ordered through the cell's copy,
    # and BLAS sums in another order: the same numbers, Jacobians different in the last bit.
    return {name: np.ascontiguousarray(value) for name, value in params.items()}


def framework_gates(cell):
    """The inverse of ``native_params``: dict letter -> Gate, with b_rec = 0 except the GRU's c_n."""
    if cell.key not in KINDS:
        raise ValueError(f"a {cell.key} cell has no PyTorch or Keras layer; those hold {', '.join(KINDS)}")
    p, gates = cell.params, {}
    for letter in GATES[cell.key]:
        s = _sign(letter)
        if cell.key == "gru" and letter == "n":
            b_in, b_rec = p["b_n"], p["c_n"]
        else:
            b_in, b_rec = s * p[_name("b", letter)], np.zeros(cell.hidden_size)
        gates[letter] = Gate(s * p[_name("U", letter)], s * p[_name("W", letter)], b_in, b_rec)
    return gates
