"""A stack of recurrent layers as one recurrent system, and its gradient flow at every lag.

Layer l has state s^(l) (its own parts, h first) and reads x^(l)_t = h^(l−1)_t (x^(0) = the input).
The stack's state is S_t = [s^(0)_t; …; s^(L−1)_t] and its step Jacobian ∂S_t/∂S_{t−1} is block
lower-triangular in the layers' blocks:

    ∂s^(l)_t/∂s^(l)_{t−1} = J^(l)_t                      (the layer's own, closed-form Jacobian)
    ∂s^(l)_t/∂s^(k)_{t−1} = X^(l)_t · E_h · ∂s^(l−1)_t/∂s^(k)_{t−1}   (k < l)

with X^(l)_t = ∂s^(l)_t/∂x^(l)_t, taken by complex step through the cell's own ``update`` (exact to
rounding: no subtraction), and E_h the rows of h in s^(l−1). The product P_{T,τ} = J_T ··· J_{T−τ+1}
is formed densely, scaled by its norm at every lag (log domain); its full norm and the blocks
‖∂h^(l)_T/∂h^(k)_{T−τ}‖₂ for every pair l ≥ k are read off at each lag. Cost O(T·D³), D = Σ d_l.

>>> import numpy as np, rnn_theory as rt
>>> cells = [rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0),
...          rt.CELLS["rnn"].random(hidden_size=2, input_size=2, rng=1)]
>>> curves = stack_curves(cells, np.ones((3, 1)))
>>> sorted(curves["pairs"]), len(curves["log_norm"])
(['0<-0', '1<-0', '1<-1'], 3)
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops

_STEP = 1e-30  # complex step: f(x + ih)/h has no cancellation, any h below the rounding of x works


def input_jacobian(cell, x, s):
    """∂ step(x, s)/∂x (d, m) by complex step through the cell's own update."""
    m = cell.input_size
    X = x[:, None] + 1j * _STEP * np.eye(m)
    parts = [s[rows, None] for rows in cell.part_slices()]
    p = SimpleNamespace(
        **{name: value[:, None] if cell.param_shapes[name] == ("n",) else value for name, value in cell.params.items()}
    )
    new = cell.update(p, X, *parts, ops=_numpy_ops)
    return np.vstack([np.broadcast_to(part, (len(part), m)) for part in new]).imag / _STEP


def run_stack(cells, xs):
    """States of every layer: list of (T+1, d_l) arrays, layer l reading h of layer l − 1."""
    runs = []
    for cell in cells:
        states = cell.run(xs)
        runs.append(states)
        xs = states[1:, : cell.hidden_size]
    return runs


def step_jacobian(cells, runs, xs, t):
    """∂S_t/∂S_{t−1} (D, D) of the stack, t = 1..T, block lower-triangular."""
    sizes = [cell.state_size for cell in cells]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    J = np.zeros((offsets[-1], offsets[-1]))
    below = None  # ∂s^(l−1)_t/∂S_{t−1}
    for l, (cell, states) in enumerate(zip(cells, runs)):
        x = xs[t - 1] if l == 0 else runs[l - 1][t, : cells[l - 1].hidden_size]
        rows = slice(offsets[l], offsets[l + 1])
        if below is not None:
            J[rows] = input_jacobian(cell, x, states[t - 1]) @ below[: cells[l - 1].hidden_size]
        J[rows, rows] = cell.jacobian(x, states[t - 1])
        below = J[rows]
    return J


def stack_curves(cells, xs):
    """ln‖∂S_T/∂S_{T−τ}‖₂ and, per pair "l<-k" (l ≥ k), ln‖∂h^(l)_T/∂h^(k)_{T−τ}‖₂ for τ = 1..T."""
    xs = np.asarray(xs, dtype=float)
    T = len(xs)
    runs = run_stack(cells, xs)
    offsets = np.concatenate([[0], np.cumsum([cell.state_size for cell in cells])])
    h = [slice(offsets[l], offsets[l] + cell.hidden_size) for l, cell in enumerate(cells)]
    pairs = {f"{l}<-{k}": np.full(T, -np.inf) for l in range(len(cells)) for k in range(l + 1)}
    full = np.full(T, -np.inf)
    P, log_scale = np.eye(offsets[-1]), 0.0
    with np.errstate(divide="ignore"):
        for i, t in enumerate(range(T, 0, -1)):
            P = P @ step_jacobian(cells, runs, xs, t)
            norm = np.linalg.norm(P, 2)
            if norm == 0:
                break
            full[i] = log_scale + np.log(norm)
            for name in pairs:
                l, k = map(int, name.split("<-"))
                pairs[name][i] = full[i] + np.log(np.linalg.norm(P[h[l], h[k]], 2) / norm)
            P /= norm
            log_scale = full[i]
    return {"log_norm": full, "pairs": pairs, "runs": runs}


def stack_lyapunov(cells, xs, runs, k, burn_in, seed=0):
    """The k leading Lyapunov exponents of the stack (QR method, as ``rt.lyapunov_spectrum``)."""
    d = sum(cell.state_size for cell in cells)
    Q = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))[0][:, :k]
    sums = np.zeros(k)
    with np.errstate(divide="ignore"):
        for t in range(1, len(xs) + 1):
            Q, R = np.linalg.qr(step_jacobian(cells, runs, xs, t) @ Q)
            if t > burn_in:
                sums += np.log(np.abs(np.diagonal(R)))
    return np.sort(sums / (len(xs) - burn_in))[::-1]
