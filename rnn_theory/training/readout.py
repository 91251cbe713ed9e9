"""The readout: a linear output layer on the final hidden state, and the loss heads.

    y = V h_T + a,   V (k, n), a (k,)   (part of the trained model, not of the cell)

Heads, averaged over the batch of B sequences:
    "softmax": L = −(1/B) Σ log softmax(y)_target,   ∂L/∂y = (softmax(y) − onehot)/B
    "mse":     L = (1/2B) Σ (y − target)²,            ∂L/∂y = (y − target)/B

>>> import numpy as np
>>> loss, dy = head_loss("mse", np.array([[0.5, 1.0]]), np.array([0.0, 1.0]))
>>> float(loss), dy.tolist()
(0.0625, [[0.25, 0.0]])
"""

import numpy as np

HEADS = ("softmax", "mse")


def init_readout(rng, hidden_size, output_size):
    """V ~ N(0, 1/n), a = 0."""
    return {
        "V": rng.normal(0.0, 1.0 / np.sqrt(hidden_size), size=(output_size, hidden_size)),
        "a": np.zeros(output_size),
    }


def outputs(readout, h):
    """y = V h + a for h (n, B): (k, B)."""
    return readout["V"] @ h + readout["a"][:, None]


def softmax(y):
    """Column-wise softmax of y (k, B), shifted by the column max so exp cannot overflow."""
    e = np.exp(y - y.max(axis=0))
    return e / e.sum(axis=0)


def head_loss(head, y, target):
    """(loss, ∂loss/∂y) for outputs y (k, B) and targets: labels (B,) for softmax, values (B,) for mse."""
    B = y.shape[1]
    if head == "softmax":
        shifted = y - y.max(axis=0)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=0))
        columns = np.arange(B)
        dy = np.exp(log_p)
        dy[target, columns] -= 1.0
        return -log_p[target, columns].mean(), dy / B
    if head == "mse":
        err = y[0] - target
        return 0.5 * np.mean(err * err), (err / B)[None, :]
    raise ValueError(f"unknown head {head!r}; expected one of {HEADS}")


def readout_vjp(readout, h, dy):
    """(∂L/∂V, ∂L/∂a, ∂L/∂h) for y = V h + a."""
    return {"V": dy @ h.T, "a": dy.sum(axis=1)}, readout["V"].T @ dy
