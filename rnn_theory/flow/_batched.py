"""Many step Jacobians J_t at once, from the cells' own ``jacobian_blocks`` (equations once).

A batch of C time steps is run through a cell's ``jacobian_blocks`` as *columns*: every state
part and input is an (n, C) array, every bias-like parameter (n,) becomes an (n, 1) column, so
``W @ h + U @ x + b`` broadcasts unchanged. The ``ops`` backend below then returns each block as
a (C, n, n) stack (or an (n, n) matrix when the block does not depend on t). One call per chunk
replaces C Python-level calls of ``cell.jacobian``; chunks keep the memory at C·d² floats.
"""

from types import SimpleNamespace

import numpy as np

from ..cells import _numpy_ops

# Elementwise functions are the same for columns as for vectors.
sigmoid, dsigmoid = _numpy_ops.sigmoid, _numpy_ops.dsigmoid
tanh, dtanh = _numpy_ops.tanh, _numpy_ops.dtanh
relu, drelu = _numpy_ops.relu, _numpy_ops.drelu
rotation_blocks = _numpy_ops.rotation_blocks


def diag(v):
    """diag of each column of v (n, C): a (C, n, n) stack."""
    n, c = v.shape
    out = np.zeros((c, n, n), dtype=v.dtype)
    out[:, np.arange(n), np.arange(n)] = v.T
    return out


def diag_matmul(v, M):
    """diag(v[:, t])·M (or ·M[t]) for every column t: (C, n, n)."""
    return v.T[:, :, None] * M


def matmul_diag(M, v):
    """M·diag(v[:, t]) for every column t: (C, n, n)."""
    return M * v.T[:, None, :]


def identity_like(v):
    return np.eye(v.shape[0])


_OPS = SimpleNamespace(
    sigmoid=sigmoid, dsigmoid=dsigmoid, tanh=tanh, dtanh=dtanh, relu=relu, drelu=drelu,
    diag=diag, diag_matmul=diag_matmul, matmul_diag=matmul_diag, identity_like=identity_like,
    rotation_blocks=rotation_blocks,
)


def _column_params(cell):
    """The cell's parameters with every (n,) vector as an (n, 1) column; matrices unchanged."""
    return SimpleNamespace(**{
        name: value[:, None] if dims == ("n",) else value
        for name, (dims, value) in ((k, (cell.param_shapes[k], v)) for k, v in cell.params.items())
    })


def step_jacobians(cell, xs, states, params=None):
    """J_t = ∂F(s, x_t)/∂s at s = states[j], x_t = xs[j], for every row j: (C, d, d), rows = outputs.

    xs (C, m), states (C, d). ``params`` is ``_column_params(cell)``, passed in to reuse it.

    >>> import numpy as np, rnn_theory as rt
    >>> cell = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
    >>> xs, S = np.ones((4, 2)), np.linspace(-1, 1, 24).reshape(4, 6)
    >>> Js = step_jacobians(cell, xs, S)
    >>> Js.shape, bool(np.allclose(Js[2], cell.jacobian(xs[2], S[2]), rtol=1e-13, atol=1e-15))
    ((4, 6, 6), True)
    """
    p = _column_params(cell) if params is None else params
    n, c = cell.hidden_size, len(xs)
    parts = [states[:, k * n:(k + 1) * n].T for k in range(len(cell.state_parts))]
    blocks = cell.jacobian_blocks(p, np.asarray(xs).T, *parts, ops=_OPS)
    out = np.empty((c, cell.state_size, cell.state_size))
    for i, row in enumerate(blocks):
        for j, block in enumerate(row):
            out[:, i * n:(i + 1) * n, j * n:(j + 1) * n] = block
    return out


def chunked_jacobians(cell, xs, states, *, reverse=False, chunk=None):
    """Yield (t, J_t) for t = 1..T (or T..1 when ``reverse``), computed ``chunk`` steps at a time.

    J_t = ∂s_t/∂s_{t−1} = jacobian(xs[t−1], states[t−1]) with states = cell.run(xs, s0).
    """
    T, d = len(xs), cell.state_size
    chunk = chunk or max(1, min(64, (1 << 21) // (d * d)))  # ≈ 16 MB of Jacobians at a time
    params = _column_params(cell)
    starts = range(0, T, chunk)
    for start in reversed(starts) if reverse else starts:
        stop = min(T, start + chunk)
        Js = step_jacobians(cell, xs[start:stop], states[start:stop], params)
        for j in range(stop - start - 1, -1, -1) if reverse else range(stop - start):
            yield start + j + 1, Js[j]
