"""Plain stochastic gradient descent, the optimiser of the 1990s papers: θ ← θ − lr·g.

No momentum and no adaptive scaling, so a run's fate depends on the raw gradient's size: what
Bengio, Simard & Frasconi (1994) and Hochreiter & Schmidhuber (1997) trained with. Clipping, when
asked for, happens before (``adam.clip_global_norm``), as for Adam.

>>> import numpy as np
>>> params = {"w": np.array([1.0, 2.0])}
>>> SGD(params, lr=0.5).step(params, {"w": np.array([2.0, -2.0])})
>>> params["w"].tolist()
[0.0, 3.0]
"""


class SGD:
    """θ ← θ − lr·g over a dict of arrays, updated in place."""

    def __init__(self, params, lr=0.1):
        self.lr = lr

    def step(self, params, grads):
        for name, g in grads.items():
            params[name] -= self.lr * g
