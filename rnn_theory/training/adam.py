"""Adam (Kingma & Ba 2015) with optional global-norm clipping (Pascanu et al. 2013, Algorithm 1).

Clipping: with g all gradients stacked, if ‖g‖₂ ≥ threshold then g ← (threshold/‖g‖₂)·g, before
the Adam moments see it. Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε)
with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ).

>>> import numpy as np
>>> grads = {"w": np.array([3.0, 4.0])}
>>> clip_global_norm(grads, 1.0)
5.0
>>> grads["w"].tolist()
[0.6000000000000001, 0.8]
"""

import numpy as np


def global_norm(grads):
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def clip_global_norm(grads, threshold):
    """Rescale ``grads`` in place so that their global norm is at most ``threshold``; return the
    norm before clipping. ``threshold=None`` measures without clipping."""
    norm = global_norm(grads)
    if threshold is not None and norm >= threshold:
        for g in grads.values():
            g *= threshold / norm
    return norm


class Adam:
    """Adam over a dict of arrays, updated in place; moments start at zero."""

    def __init__(self, params, lr=1e-2, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = {name: np.zeros_like(v) for name, v in params.items()}
        self.v = {name: np.zeros_like(v) for name, v in params.items()}

    def step(self, params, grads):
        self.t += 1
        scale = self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for name, g in grads.items():
            m, v = self.m[name], self.v[name]
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            # Bias corrections folded into the step size: the ε placement of Kingma & Ba's Algorithm 1 footnote.
            params[name] -= scale * m / (np.sqrt(v) + self.eps * np.sqrt(1 - self.beta2**self.t))
