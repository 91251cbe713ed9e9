"""Initial weights for training: the package's random cells, and identity/orthogonal RNNs.

- ``"random"``: ``CELLS[key].random(gain=1.0)``: W_* ~ N(0, 1/n), U_* ~ N(0, 1/m), biases 0, and
  for cells with a forget gate b_f = 1 (Jozefowicz et al. 2015).
- ``"identity"`` (rnn only): the IRNN of Le, Jaitly & Hinton 2015: relu, W = I, b = 0.
- ``"orthogonal"`` (rnn only): tanh with a random orthogonal W (QR of a Gaussian matrix, signs
  fixed so that it is Haar-distributed; Saxe et al. 2014).
- ``"pascanu"`` (rnn only): the "basic tanh" start of Pascanu, Mikolov & Bengio 2013 (temporal
  order task): tanh, W and U ~ N(0, 0.1²) (0.1 read as the standard deviation), b = 0.
- ``"paper"`` (indrnn, slstm): the initialisation the cell's authors' code uses, where it departs
  from the package's ``random()``:

  - IndRNN (Li et al. 2018; their code, ``Sunnydreamrain/IndRNN_pytorch``: ``weight_hh``
    ``uniform_(0, U_bound)``, ``U_bound`` = MAG^{1/seq_len}, and with ``constrain_U`` the weights
    clamped to [−U_bound, U_bound] before every step; MAG = 2 as in the TensorFlow implementation
    ``batzner/indrnn``, ``recurrent_max = pow(2, 1 / TIME_STEPS)``, "as recommended in the paper"):
    relu, u ~ U[0, 2^{1/T}] for sequences of T steps, and ``bounds`` keeps |u| ≤ 2^{1/T} after
    every update.
  - sLSTM (Beck et al. 2024; the xLSTM code, ``NX-AI/xlstm``, ``sLSTMCellConfig`` defaults
    ``bias_init="powerlaw_blockdependent"``, ``recurrent_weight_init="zeros"``): R_* = 0, biases 0
    but the forget gate's power law b_f,k = 5 − 12 (k/(n − 1))^{0.3}, k = 0 … n − 1 (the first of
    one block: from 5, f ≈ 0.99, to −7), for one head of n units (the package's sLSTM has one head;
    the code repeats the law in each head).

>>> import numpy as np
>>> cell = initial_cell("rnn", 4, 2, "orthogonal", rng=0)
>>> bool(np.allclose(cell.params["W"] @ cell.params["W"].T, np.eye(4)))
True
"""

import numpy as np

from ..cells import CELLS

INITS = ("random", "identity", "orthogonal", "pascanu", "paper")
_PAPER = ("indrnn", "slstm")  # the cells with a "paper" initialisation


def initial_cell(key, hidden_size, input_size, init="random", rng=None, length=None):
    """The initial cell ``key`` (hidden size n, input size m) under ``init``; ``length``: the
    sequences' number of steps T, which the IndRNN's "paper" initialisation needs."""
    rng = np.random.default_rng(rng)
    if key not in CELLS:
        raise ValueError(f"unknown cell {key!r}; expected one of {', '.join(CELLS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
    if init == "random":
        return CELLS[key].random(hidden_size=hidden_size, input_size=input_size, rng=rng, gain=1.0)
    if init == "paper":
        return _paper(key, hidden_size, input_size, rng, length)
    if key != "rnn":
        raise ValueError(f"init {init!r} is defined for the rnn only, not {key!r}")
    activation = "relu" if init == "identity" else "tanh"
    params = CELLS["rnn"].random(hidden_size=hidden_size, input_size=input_size, rng=rng).params
    if init == "pascanu":
        W, U = (rng.normal(0.0, 0.1, size=shape) for shape in ((hidden_size, hidden_size), (hidden_size, input_size)))
        return CELLS["rnn"](activation=activation, W=W, U=U, b=params["b"])
    if init == "identity":
        W = np.eye(hidden_size)
    else:
        Q, R = np.linalg.qr(rng.normal(size=(hidden_size, hidden_size)))
        W = Q * np.sign(np.diag(R))
    return CELLS["rnn"](activation=activation, W=W, U=params["U"], b=params["b"])


def bounds(key, init, length=None):
    """{parameter: b}: the parameters the trainer keeps in [−b, b] after every update (the IndRNN's
    |u| ≤ 2^{1/T} under its "paper" initialisation); empty for every other cell and initialisation."""
    return {"u": _indrnn_bound(length)} if (key, init) == ("indrnn", "paper") else {}


def _indrnn_bound(length):
    if not (isinstance(length, (int, np.integer)) and length >= 1):
        raise ValueError(f"the IndRNN's paper initialisation needs the sequence length T >= 1, got {length!r}")
    return 2.0 ** (1.0 / length)


def _paper(key, hidden_size, input_size, rng, length):
    if key not in _PAPER:
        raise ValueError(f"init 'paper' is defined for {', '.join(_PAPER)}, not {key!r}")
    if key == "indrnn":
        return CELLS["indrnn"].random(
            hidden_size=hidden_size, input_size=input_size, rng=rng, activation="relu", u_max=_indrnn_bound(length)
        )
    params = dict(CELLS["slstm"].random(hidden_size=hidden_size, input_size=input_size, rng=rng).params)
    params.update({name: np.zeros_like(value) for name, value in params.items() if name[0] in "Rb"})
    params["b_f"] = powerlaw_forget_bias(hidden_size)
    return CELLS["slstm"](**params)


def powerlaw_forget_bias(n):
    """The xLSTM code's forget-gate biases for one head of n units (block 0 of 1):
    b_k = −(−5 + 12 (k/(n − 1))^{0.3}), k = 0 … n − 1.

    >>> [round(float(b), 3) for b in powerlaw_forget_bias(4)]
    [5.0, -3.631, -5.626, -7.0]
    """
    k = np.arange(n, dtype=float)
    return -(-5.0 + 12.0 * (k / max(n - 1, 1)) ** 0.3)
