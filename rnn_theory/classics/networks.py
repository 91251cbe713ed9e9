"""The random driven tanh RNN of the mean-field claims: h' = tanh(W h + U x + b), U ~ N(0, 1/m),
x ~ N(0, s²·I), b ~ N(0, σ_b²), with W Gaussian (W_ij ~ N(0, g²/n)) or g times a Haar-orthogonal
matrix, and its seeded draws (``driven_network``)."""

import numpy as np

from ..cells import CELLS

N, M, STEPS, BURN_IN = 64, 4, 200, 100
KINDS = ("orthogonal", "gaussian")


def recurrent_matrix(n, g, kind, rng):
    """W (n, n): ``gaussian`` W_ij ~ N(0, g²/n), or ``orthogonal`` g·Q with Q Haar-distributed
    (QR of a Gaussian matrix with the signs of R's diagonal moved into Q; Mezzadri 2007)."""
    if kind == "gaussian":
        return rng.normal(0.0, g / np.sqrt(n), (n, n))
    if kind == "orthogonal":
        Q, R = np.linalg.qr(rng.standard_normal((n, n)))
        return g * Q * np.sign(np.diag(R))
    raise ValueError(f"recurrent_matrix: kind must be one of {KINDS}, got {kind!r}")


def driven_network(
    g, input_scale=1.0, bias_std=0.0, seed=0, *, n=N, m=M, steps=STEPS, burn_in=BURN_IN, kind="gaussian"
):
    """(cell, s0, measured inputs (steps, m)) of one seed: from default_rng(seed), in this order, the
    weights (Cell.random: W ~ N(0, g²/n), U ~ N(0, 1/m), b = 0), the burn-in and the measured inputs
    x ~ N(0, s²·I), then b ~ N(0, σ_b²) when σ_b > 0, then for ``kind="orthogonal"`` W = g·Q with Q
    Haar-orthogonal (``recurrent_matrix``). s0 is the state after the burn-in from h = 0.
    With s = 1, σ_b = 0 and Gaussian W these are the runs of ``grad_norm_vs_lag_rnn``."""
    rng = np.random.default_rng(seed)
    cell = CELLS["rnn"].random(hidden_size=n, input_size=m, rng=rng, gain=g)
    burn, xs = (input_scale * rng.normal(size=(k, m)) for k in (burn_in, steps))
    params = dict(cell.params)
    if bias_std > 0:
        params["b"] = rng.normal(0.0, bias_std, n)
    if kind != "gaussian":
        params["W"] = recurrent_matrix(n, g, kind, rng)
    cell = CELLS["rnn"](**params, activation="tanh")
    return cell, cell.run(burn)[-1], xs
