"""Dense Jacobian products for the small cells that claims inspect block by block.

For long lags and large states use ``rt.gradient_norms``; this keeps the full matrices, which the
block-wise claims (carousel paths, reversed products) need.
"""

import numpy as np


def jacobian_products(cell, xs, s0=None, lags=None):
    """P_{T,τ} = J_T···J_{T−τ+1} for each τ in ``lags`` (default 1..T), as a dict τ -> (log_scale, M)
    with P_{T,τ} = e^{log_scale}·M and max|M| = 1 (no underflow however long the lag).

    J_t = ∂s_t/∂s_{t−1} at (x_t, s_{t−1}) of the run ``S = cell.run(xs, s0)``.
    """
    xs = np.asarray(xs, dtype=float)
    states = cell.run(xs, s0)
    T = len(xs)
    wanted = set(range(1, T + 1) if lags is None else lags)
    P, log_scale, out = np.eye(cell.state_size), 0.0, {}
    for tau in range(1, max(wanted) + 1):
        t = T - tau + 1
        P = P @ cell.jacobian(xs[t - 1], states[t - 1])
        scale = np.abs(P).max()
        if scale > 0:
            P, log_scale = P / scale, log_scale + np.log(scale)
        if tau in wanted:
            out[tau] = (log_scale, P.copy())
    return out


def log_spectral_norm(log_scale, M):
    """ln‖e^{log_scale}·M‖₂ (−inf for the zero matrix)."""
    norm = np.linalg.norm(M, 2)
    return log_scale + np.log(norm) if norm > 0 else -np.inf


def growth_rate(log_norms, lags):
    """Least-squares slope of ln‖P_{T,τ}‖ against τ over the second half of the lags (per step, in
    nats): > 0 explodes, < 0 vanishes. The first half is dropped so transients do not count."""
    lags, log_norms = np.asarray(lags, float), np.asarray(log_norms, float)
    keep = lags >= lags.max() / 2
    if np.isneginf(log_norms[keep]).any():  # the product became exactly 0 (e.g. dead relu units)
        return -np.inf
    return float(np.polyfit(lags[keep], log_norms[keep], 1)[0])
