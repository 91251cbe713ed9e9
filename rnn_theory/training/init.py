"""Initial weights for training: the package's random cells, and identity/orthogonal RNNs.

- ``"random"``: ``CELLS[key].random(gain=1.0)``: W_* ~ N(0, 1/n), U_* ~ N(0, 1/m), biases 0, and
  for cells with a forget gate b_f = 1 (Jozefowicz et al. 2015).
- ``"identity"`` (rnn only): the IRNN of Le, Jaitly & Hinton 2015: relu, W = I, b = 0.
- ``"orthogonal"`` (rnn only): tanh with a random orthogonal W (QR of a Gaussian matrix, signs
  fixed so that it is Haar-distributed; Saxe et al. 2014).
- ``"pascanu"`` (rnn only): the "basic tanh" start of Pascanu, Mikolov & Bengio 2013 (temporal
  order task): tanh, W and U ~ N(0, 0.1²) (0.1 read as the standard deviation), b = 0.

>>> import numpy as np
>>> cell = initial_cell("rnn", 4, 2, "orthogonal", rng=0)
>>> bool(np.allclose(cell.params["W"] @ cell.params["W"].T, np.eye(4)))
True
"""

import numpy as np

from ..cells import CELLS

INITS = ("random", "identity", "orthogonal", "pascanu")


def initial_cell(key, hidden_size, input_size, init="random", rng=None):
    rng = np.random.default_rng(rng)
    if key not in CELLS:
        raise ValueError(f"unknown cell {key!r}; expected one of {', '.join(CELLS)}")
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
    if init == "random":
        return CELLS[key].random(hidden_size=hidden_size, input_size=input_size, rng=rng, gain=1.0)
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
