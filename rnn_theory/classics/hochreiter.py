"""Hochreiter's error scaling and its global bound (Hochreiter 1991; Hochreiter & Schmidhuber 1997, §3.1).

A fully connected net of n logistic units, y(t) = f(net(t)), net(t) = W y(t−1) + U x(t) + b: the
package's sigmoid ``rnn`` cell. An error ϑ_u(t) at unit u, sent back q steps to unit v by eq. (1),
ϑ_j(t−1) = f'_j(net_j(t−1))·Σ_i w_ij ϑ_i(t), is scaled by

    ∂ϑ_v(t−q)/∂ϑ_u(t) = [W F'(t−1) W F'(t−2) ··· W F'(t−q)]_{uv},   F'(t) = diag(f'(net(t))),

the (u, v) entry of ∂net(t)/∂net(t−q). The paper bounds it by n·(f'_max·‖W‖_A)^q with
‖W‖_A = max_r Σ_s |w_rs| and f'_max = max_{m=1..q} ‖F'(t−m)‖_A, and on the way by
n·(f'_max)^q·‖W_v‖_x·‖W_uᵀ‖_x·‖W‖_A^(q−2) (q > 1; ‖x‖_x = max_r |x_r|, W_v the column v, W_uᵀ the row
u of W). ``error_scaling`` computes the scaling by eq. (1); ``scaling_from_jacobians`` from the
cell's own step Jacobians, ∂net(t)/∂net(t−q) = W·P_{t−1,q−1}·F'(t−q), a second route. (The path sum
of eq. (2) agrees with eq. (1) when each path's weight is w_{l_{m−1} l_m}, the connection from l_m to
l_{m−1}, as eq. (1)'s w_uv at q = 1 is; eq. (2) as printed writes w_{l_m l_{m−1}}, its transpose under
the paper's own convention that w_ij connects unit j to unit i.)

The bound is met within 1/n² by ``uniform_net`` (every w_ij = w_max, every unit held at net = 0
where f' = f'_max = 1/4, so every path has the same sign), and within 1/n by ``diagonal_net``
(W = a·I: the whole row sum on one path).
"""

import numpy as np

from ..cells import CELLS

FPRIME_MAX = 0.25  # sup of the logistic's derivative, at net = 0


def row_sum_norm(W):
    """‖W‖_A = max_r Σ_s |w_rs| (the norm induced by max_r |x_r|).

    >>> row_sum_norm(np.array([[1.0, -2.0], [0.5, 0.5]]))
    3.0
    """
    return float(np.abs(W).sum(axis=1).max())


def _derivatives(cell, xs, s0):
    """f'(net(t)) for t = 1..T of the run, as rows (T, n): row t − 1 is time t."""
    W, U, b = (cell.params[k] for k in ("W", "U", "b"))
    states = cell.run(xs, s0)
    y = 1 / (1 + np.exp(-(states[:-1] @ W.T + np.asarray(xs) @ U.T + b)))
    return y * (1 - y)


def error_scaling(cell, xs, s0=None):
    """Eq. (1) run back from the last step T: (q_max, n, n) with [q − 1, u, v] = ∂ϑ_v(T−q)/∂ϑ_u(T),
    q = 1..T − 1 (net(T − q) must be a step of the run)."""
    W, d = cell.params["W"], _derivatives(cell, xs, s0)
    T, out = len(xs), []
    theta = np.eye(len(W))  # [v, u]: the error at v, per unit error started at u
    for q in range(1, T):
        theta = d[T - q - 1][:, None] * (W.T @ theta)
        out.append(theta.T.copy())
    return np.array(out)


def scaling_from_jacobians(cell, xs, s0=None):
    """The same as ``error_scaling`` from the cell's step Jacobians J_t = ∂y(t)/∂y(t−1):
    W·P_{T−1,q−1}·F'(T−q) with P_{T−1,q−1} = J_{T−1} ··· J_{T−q+1}."""
    W, d = cell.params["W"], _derivatives(cell, xs, s0)
    states, T = cell.run(xs, s0), len(xs)
    P, out = np.eye(len(W)), []
    for q in range(1, T):
        out.append(W @ P * d[T - q - 1][None, :])
        P = P @ cell.jacobian(xs[T - q - 1], states[T - q - 1])  # J_{T−q}
    return np.array(out)


def global_bound(cell, xs, s0=None):
    """Per lag q = 1..T − 1, measured against the paper's bounds (natural logs):
    ``measured``: ln max_{u,v} |∂ϑ_v(T−q)/∂ϑ_u(T)|; ``bound``: ln n·(f'_max·‖W‖_A)^q with f'_max the
    largest f' over the q steps; ``bound_sup``: the same with f'_max = 1/4, n·(‖W‖_A/4)^q;
    ``middle``: max_{u,v} ln |entry|/(n·f'_max^q·‖W_v‖_x·‖W_uᵀ‖_x·‖W‖_A^(q−2)) (0 at q = 1)."""
    W, d = cell.params["W"], _derivatives(cell, xs, s0)
    n, T, norm = len(W), len(xs), row_sum_norm(W)
    scaling = np.abs(error_scaling(cell, xs, s0))
    q = np.arange(1, T)
    fmax = np.maximum.accumulate(d[::-1][1:].max(axis=1))  # max over the steps T−1, …, T−q
    with np.errstate(divide="ignore"):
        measured = np.log(scaling.reshape(T - 1, -1).max(axis=1))
        # columns of W: ‖W_v‖_x = max_i |w_iv|; rows: ‖W_uᵀ‖_x = max_i |w_ui|
        pair = np.log(np.abs(W).max(axis=1))[:, None] + np.log(np.abs(W).max(axis=0))[None, :]
        middle = [
            np.max(np.log(s) - (np.log(n) + k * np.log(f) + pair + (k - 2) * np.log(norm))) if k > 1 else 0.0
            for k, f, s in zip(q, fmax, scaling)
        ]
    return {
        "lags": q,
        "measured": measured,
        "bound": np.log(n) + q * np.log(fmax * norm),
        "bound_sup": np.log(n) + q * np.log(FPRIME_MAX * norm),
        "middle": np.array(middle),
    }


def _held(W):
    """The sigmoid rnn cell with weights W whose units all stay at y = 1/2, net = 0 (f' = 1/4) on
    zero input: b = −W·(1/2, …, 1/2). Returns (cell, s0)."""
    n = len(W)
    cell = CELLS["rnn"](W=W, U=np.zeros((n, 1)), b=-0.5 * W.sum(axis=1), activation="sigmoid")
    return cell, np.full(n, 0.5)


def uniform_net(n, w_max, signs=None):
    """Every |w_ij| = w_max with the signs s_i·s_j (all +1 by default), units held at f' = 1/4:
    every path of eq. (2) has the sign s_u·s_v, and the scaling is n^(q−1)·(w_max/4)^q.
    Returns (cell, s0)."""
    s = np.ones(n) if signs is None else np.asarray(signs, float)
    return _held(w_max * np.outer(s, s))


def diagonal_net(n, a):
    """W = a·I, units held at f' = 1/4: ‖W‖_A = a on one path; the scaling of u = v is (a/4)^q.
    Returns (cell, s0)."""
    return _held(a * np.eye(n))


def random_net(n, w_max, rng, input_scale=1.0):
    """w_ij ~ U[−w_max, w_max], U ~ N(0, input_scale²), b ~ N(0, input_scale²): a sigmoid rnn cell."""
    return CELLS["rnn"](
        W=rng.uniform(-w_max, w_max, (n, n)),
        U=rng.normal(0, input_scale, (n, 1)),
        b=rng.normal(0, input_scale, n),
        activation="sigmoid",
    )
