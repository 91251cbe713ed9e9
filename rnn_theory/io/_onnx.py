"""ONNX's recurrent operators, ``LSTM``, ``GRU`` and ``RNN``: one node's weights -> native cells.

The operators (onnx.ai, Operators: LSTM, GRU, RNN; version 14) hold per direction d
``W[d]`` (k·n, m), ``R[d]`` (k·n, n) and ``B[d]`` (2·k·n,) = [Wb; Rb], rows stacked by gate in the
order i, o, f, c (LSTM, k = 4), z, r, h (GRU, k = 3), one block (RNN); ``P[d]`` (3n,) the LSTM's
peepholes in the order i, o, f. With the default activations (f = Sigmoid, g = h = Tanh):

    LSTM  i = f(W_i x + R_i h + P_i⊙c + Wb_i + Rb_i)   f' = f(W_f x + R_f h + P_f⊙c + Wb_f + Rb_f)
          c̃ = g(W_c x + R_c h + Wb_c + Rb_c)          C = f'⊙c + i⊙c̃
          o = f(W_o x + R_o h + P_o⊙C + Wb_o + Rb_o)   H = o⊙h(C)
    GRU   z = f(W_z x + R_z h + Wb_z + Rb_z)           r = f(W_r x + R_r h + Wb_r + Rb_r)
          h̃ = g(W_h x + R_h (r⊙h) + Rb_h + Wb_h)       (linear_before_reset = 0: the native gru_rb)
          h̃ = g(W_h x + r⊙(R_h h + Rb_h) + Wb_h)       (linear_before_reset ≠ 0: the native gru)
          H = (1 − z)⊙h̃ + z⊙h
    RNN   H = f(W_i x + R_i h + Wb_i + Rb_i)             (f = Tanh, or Relu, Sigmoid)

The LSTM with peepholes is the native ``peephole`` (the same equations); the GRU's z keeps the old
state, as PyTorch's and Keras', so its weights are negated on import (``_gates``). What the native
cells do not compute is refused with its reason: ``clip``, ``input_forget``, activations other than
those above (``HardSigmoid`` gates are the hard sigmoids of Keras 2, α = 0.2, β = 0.5, and Keras 3,
α = 1/6, β = 0.5). ``direction`` "reverse" and the second half of "bidirectional" run over reversed time.
"""

import numpy as np

from ..cells import CELLS
from ._gates import Gate, native_params

OPERATORS = {"LSTM": ("iofc", "lstm"), "GRU": ("zrh", "gru"), "RNN": ("i", "rnn")}
_LETTERS = {"LSTM": dict(zip("iofc", "iofg")), "GRU": dict(zip("zrh", "zrn")), "RNN": {"i": ""}}
_RNN_ACTIVATIONS = {"Tanh": "tanh", "Sigmoid": "sigmoid", "Relu": "relu"}
# HardSigmoid's (alpha, beta) of each hard sigmoid; attributes are float32, hence the tolerance.
_HARD = {"hard_sigmoid_keras2": (0.2, 0.5), "hard_sigmoid_keras3": (1 / 6, 0.5)}
_ALPHA_TOL = 1e-7


def _activations(node, attributes, directions):
    """Per direction, the node's activation names with their (alpha, beta), consumed in order by the
    functions that take them (as onnxruntime reads ``activation_alpha``/``activation_beta``)."""
    per = {"LSTM": 3, "GRU": 2, "RNN": 1}[node.op_type]
    defaults = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"], "RNN": ["Tanh"]}[node.op_type]
    names = attributes.get("activations") or defaults * directions
    if len(names) != per * directions:
        raise ValueError(
            f"{len(names)} activations for {directions} direction(s) of {node.op_type}; expected {per} each"
        )
    alphas, betas = list(attributes.get("activation_alpha", [])), list(attributes.get("activation_beta", []))
    found = []
    for name in names:
        name = name.decode() if isinstance(name, bytes) else name
        if name == "HardSigmoid":
            found.append((name, alphas.pop(0) if alphas else 0.2, betas.pop(0) if betas else 0.5))
        else:
            found.append((name, None, None))
    return [found[d * per : (d + 1) * per] for d in range(directions)]


def _gate_activation(where, name, alpha, beta):
    if name == "Sigmoid":
        return "sigmoid"
    if name == "HardSigmoid":
        for gating, (a, b) in _HARD.items():
            if abs(alpha - a) <= _ALPHA_TOL and abs(beta - b) <= _ALPHA_TOL:
                return gating
        raise ValueError(
            f"{where}: HardSigmoid gates with alpha {alpha:g}, beta {beta:g} are not supported "
            "(alpha 0.2 or 1/6 with beta 0.5: Keras 2's or Keras 3's hard sigmoid)"
        )
    raise ValueError(f"{where}: gate activation {name} is not supported (Sigmoid, HardSigmoid)")


def node_cells(node, attributes, tensors, where):
    """(cells, reversed, notes) of one recurrent node: direction -> native cell, direction -> runs over
    reversed time. ``attributes``: the node's attributes by name; ``tensors``: its inputs' arrays by
    input name ("X" and absent optional inputs left out)."""
    letters, kind = OPERATORS[node.op_type]
    if attributes.get("clip") is not None:
        raise ValueError(f"{where}: clip = {attributes['clip']:g} clips the pre-activations; the native cells do not")
    if attributes.get("input_forget", 0):
        raise ValueError(
            f"{where}: input_forget = 1 couples the input and forget gates by a rule the ONNX specification does not "
            "write out; not matched to a native cell"
        )
    direction = attributes.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else direction
    if direction not in ("forward", "reverse", "bidirectional"):
        raise ValueError(f"{where}: direction {direction!r}; expected forward, reverse or bidirectional")
    W, R = tensors["W"], tensors["R"]
    D, rows, m = W.shape
    k, n = len(letters), R.shape[-1]
    if D != (2 if direction == "bidirectional" else 1) or rows != k * n or R.shape != (D, k * n, n):
        raise ValueError(f"{where}: W {W.shape}, R {R.shape} do not fit {node.op_type} with {direction} direction")
    B = tensors.get("B", np.zeros((D, 2 * k * n)))
    if B.shape != (D, 2 * k * n):
        raise ValueError(f"{where}: B has shape {B.shape}, expected {(D, 2 * k * n)}")
    peepholes = tensors.get("P")
    if peepholes is not None and peepholes.shape != (D, 3 * n):
        raise ValueError(f"{where}: P has shape {peepholes.shape}, expected {(D, 3 * n)}")
    activations = _activations(node, attributes, D)
    cells, notes = {}, []
    for d in range(D):
        gates = {
            _LETTERS[node.op_type][g]: Gate(
                W[d, j * n : (j + 1) * n],
                R[d, j * n : (j + 1) * n],
                B[d, j * n : (j + 1) * n],
                B[d, (k + j) * n : (k + j + 1) * n],
            )
            for j, g in enumerate(letters)
        }
        cells[d] = _cell(
            node, kind, gates, activations[d], attributes, None if peepholes is None else peepholes[d], where
        )
    if node.op_type == "GRU":
        notes.append("ONNX GRU: H = (1 − z)⊙h̃ + z⊙h, so z is negated on import (here z is the share of new content)")
    reverse = {d: direction == "reverse" or d == 1 for d in cells}
    return cells, reverse, notes


def _cell(node, kind, gates, activations, attributes, peepholes, where):
    names = [name for name, _, _ in activations]
    if node.op_type == "RNN":
        if names[0] not in _RNN_ACTIVATIONS:
            raise ValueError(f"{where}: activation {names[0]} is not supported (Tanh, Sigmoid, Relu)")
        return CELLS["rnn"](activation=_RNN_ACTIVATIONS[names[0]], **native_params("rnn", gates))
    if any(name != "Tanh" for name in names[1:]):
        raise ValueError(f"{where}: activations {names}: the native cells' candidate and readout are Tanh")
    options = {"gate_activation": _gate_activation(where, *activations[0])}
    if node.op_type == "GRU":
        kind = "gru" if attributes.get("linear_before_reset", 0) else "gru_rb"
        return CELLS[kind](**options, **native_params(kind, gates))
    params = native_params("lstm", gates)
    if peepholes is None:
        return CELLS["lstm"](**options, **params)
    p_i, p_o, p_f = np.split(peepholes, 3)
    return CELLS["peephole"](**options, **params, p_i=p_i, p_f=p_f, p_o=p_o)
