"""Gradient norm clipping (Pascanu, Mikolov & Bengio 2013, §3.2, Algorithm 1) on the one-unit loss
surface of ``rnn_theory.classics.wall``:

    ĝ ← ∂E/∂θ;   if ‖ĝ‖ ≥ threshold:  ĝ ← (threshold/‖ĝ‖)·ĝ;   θ ← θ − η·ĝ.

On the wall ‖∇E‖ is orders of magnitude above its size elsewhere, so one plain gradient step
there throws θ far across the surface; the clipped step is at most η·threshold long.
"""

import numpy as np

from .wall import STEPS, one_unit_loss


def clip_by_norm(gradient, threshold):
    """Algorithm 1's rescaling: ``gradient`` unchanged when its norm is below ``threshold``, else
    rescaled to norm ``threshold`` (same direction); row by row for a stack (..., d).

    >>> clip_by_norm(np.array([3.0, 4.0]), 1.0), clip_by_norm(np.array([0.3, 0.4]), 1.0)
    (array([0.6, 0.8]), array([0.3, 0.4]))
    """
    if not threshold > 0:
        raise ValueError(f"clip_by_norm: the threshold must be > 0, got {threshold!r}")
    norm = np.linalg.norm(gradient, axis=-1, keepdims=True)
    return gradient * (threshold / np.maximum(norm, threshold))  # factor exactly 1 below the threshold


def descend(start, learning_rate, iterations, threshold=None, steps=STEPS):
    """Plain gradient descent on E(w, b) from ``start`` = (w, b), clipped when ``threshold`` is set;
    ``start`` (k, 2) runs k descents at once.

    Returns the path (iterations + 1, 2), or (iterations + 1, k, 2): θ_0 = start,
    θ_{k+1} = θ_k − η·ĝ_k.

    >>> path = descend((4.5, -2.6), 0.5, 10, threshold=1.0)
    >>> path.shape, bool(np.all(np.linalg.norm(np.diff(path, axis=0), axis=1) <= 0.5 + 1e-15))
    ((11, 2), True)
    """
    theta = np.array(start, dtype=float)
    path = [theta]
    for _ in range(iterations):
        gradient = np.moveaxis(one_unit_loss(theta[..., 0], theta[..., 1], steps)[1], 0, -1)
        if threshold is not None:
            gradient = clip_by_norm(gradient, threshold)
        theta = theta - learning_rate * gradient
        path.append(theta)
    return np.array(path)


def step_lengths(path):
    """‖θ_{k+1} − θ_k‖ along a path: (iterations,), or (iterations, k) for k descents."""
    return np.linalg.norm(np.diff(path, axis=0), axis=-1)
