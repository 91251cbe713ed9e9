"""Closed-form vector-Jacobian products: backpropagation through time, one module per cell.

``backward(tape, ds_T)`` takes the tape of a batched forward pass (``training.forward``) and a
cotangent on the final state, ds_T = ∂L/∂s_T (state_size, B), and returns ``(grads, ds_0)``:
∂L/∂θ for every parameter by native name, and ∂L/∂s_0. Each cell's VJP is written out by hand from
its equations (docs/design.md#cell-zoo); no autodiff framework. The tests check every parameter against
central differences and the complex step (and PyTorch autograd for rnn, lstm, gru, mlstm).
"""

import numpy as np

from . import diagonal, gru, gru_rb, lstm, minimal, mlstm, rnn, slstm

VJPS = {
    "rnn": rnn.vjp,
    "lstm": lstm.vjp,
    "lstm_nofg": lstm.vjp,
    "peephole": lstm.vjp,
    "cifg": lstm.vjp,
    "gru": gru.vjp,
    "gru_rb": gru_rb.vjp,
    "mingru": minimal.vjp_mingru,
    "minlstm": minimal.vjp_minlstm,
    "indrnn": rnn.vjp_indrnn,
    "rglru": diagonal.vjp_rglru,
    "mamba": diagonal.vjp_mamba,
    "slstm": slstm.vjp,
    "mlstm": mlstm.vjp,
}
TRAINABLE = tuple(VJPS)


def backward(tape, ds_T):
    """BPTT through ``tape`` from ds_T (state_size, B): (grads by native name, ds_0 (state_size, B))."""
    key = tape.cell.key
    if key not in VJPS:
        raise ValueError(f"no backward pass for cell {key!r}; trainable cells: {', '.join(TRAINABLE)}")
    ds_T = np.asarray(ds_T, dtype=float)
    parts = tuple(ds_T[rows] for rows in tape.cell.part_slices())
    grads, ds_0 = VJPS[key](tape, *parts)
    return grads, np.concatenate(ds_0)
