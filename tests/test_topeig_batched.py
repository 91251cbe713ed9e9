"""The certified λ_max of stacks of Gram matrices (``flow._topeig_batched``) and the block curves of the
dense stream that rest on it.

Two routes: the batched certificates (Gershgorin, block Krylov, Kato–Temple or Cholesky proofs, the eigensolver
where neither proves) against ``np.linalg.eigvalsh`` of each matrix, and the dense stream's curves
against NumPy's ``exact`` (another algorithm: per-lag products, its own certificates). A block curve
whose certificate were lost (left to a Ritz value, or not decided at all) fails here: every lag of
every curve must be decided by one route (the counts), with a finite width ≤ 2e-10 in ln.
"""

import numpy as np
import pytest

import rnn_theory as rt

compat = pytest.importorskip("array_api_compat")

from rnn_theory.flow import _certificate  # noqa: E402
from rnn_theory.flow._topeig_batched import top_eigenvalues  # noqa: E402
from rnn_theory.flow.dense_stream import dense_stream_curves  # noqa: E402

NAMESPACES = [pytest.param("numpy", id="numpy"), pytest.param("torch", id="torch", marks=pytest.mark.torch)]
U = 2.3e-16  # float64's unit roundoff, with room


def _xp(name):
    if name == "torch":
        torch = pytest.importorskip("torch")
        return compat.array_namespace(torch.empty(0))
    return compat.array_namespace(np.empty(0))


def _stacks():
    """Four stacks of three shapes: (6, 60, 60) with a decaying spectrum, (5, 40, 40) likewise,
    (4, 40, 40) whose two top singular values are 1 and 1 − 1e-11 (no gap for Kato–Temple), and
    (3, 50, 50) diagonal with that same top (Gershgorin's discs)."""
    rng = np.random.default_rng(0)

    def stack(B, d, top):
        out = []
        for _ in range(B):
            Q1, Q2 = (np.linalg.qr(rng.normal(size=(d, d)))[0] for _ in range(2))
            out.append(Q1 @ np.diag(top(d)) @ Q2.T)
        return np.stack(out)

    decaying = lambda d: np.exp(-0.3 * np.arange(d)) * rng.uniform(0.5, 2.0)  # noqa: E731
    clustered = lambda d: np.r_[1.0, 1.0 - 1e-11, 0.9 * np.exp(-0.1 * np.arange(d - 2))]  # noqa: E731
    diagonal = np.stack([np.diag(rng.permutation(clustered(50))) for _ in range(3)])
    return [stack(6, 60, decaying), stack(5, 40, decaying), stack(4, 40, clustered), diagonal]


@pytest.mark.parametrize("name", NAMESPACES)
def test_stacks_of_two_shapes_bracket_lambda_max_to_the_certified_width(name):
    """low ≤ λ_max ≤ high and high/low − 1 ≤ eps for every matrix, whether the stacks go together
    (two device batches, one host step for all) or one at a time. λ_max from eigvalsh is within
    d·u·λ_max of the true one (backward stable); the bracket is checked with that room."""
    xp = _xp(name)
    stacks = _stacks()
    eps = _certificate.EPS_BATCHED
    together, proofs = top_eigenvalues(xp, [xp.asarray(Z) for Z in stacks], eps=eps)
    assert proofs["gershgorin"] == 3 and sum(proofs.values()) == sum(len(Z) for Z in stacks)
    alone = [top_eigenvalues(xp, [xp.asarray(Z)], eps=eps)[0][0] for Z in stacks]
    for Z, (low, high, warm), (low1, high1, _) in zip(stacks, together, alone):
        lam = np.linalg.eigvalsh(np.swapaxes(Z, 1, 2) @ Z)[:, -1]
        room = Z.shape[-1] * U * lam
        assert np.all(low <= lam + room) and np.all(lam - room <= high)
        # eps, plus what the proofs add: the Cholesky's backward error 4(d + 1)·u and M's rounding d·u·tr M
        d, trace = Z.shape[-1], (Z**2).sum(axis=(1, 2))
        assert np.all(high / low - 1 <= eps + (4 * (d + 1) + 2 * d * trace / lam) * U)
        # the same certificate either way (the same Krylov spaces; the host steps only batched)
        np.testing.assert_allclose(low, low1, rtol=1e-12)
        np.testing.assert_allclose(high, high1, rtol=1e-12)
        if Z is not stacks[-1]:  # the diagonal stack is proved before any Krylov vector
            assert warm is not None and warm.shape == (Z.shape[-1], _certificate.BLOCK_BATCHED)


CURVES = ("log_norm", "log_norm_h", "log_norm_c")
# lstm: the full d = 80 and both 40×40 blocks in Krylov batches; mlstm: full d = 49 and the h block
# 6×6 (the eigensolver's size), no c block; slstm: four parts, the h and c blocks; gru: one part;
# mingru: diagonal Jacobians, every lag by Gershgorin's discs
CASES = [("lstm", 40, 3), ("mlstm", 6, 2), ("slstm", 20, 3), ("gru", 48, 1), ("mingru", 48, 1)]


@pytest.mark.parametrize("name", NAMESPACES)
@pytest.mark.parametrize("key,n,curves", CASES, ids=[c[0] for c in CASES])
def test_every_lag_of_every_block_curve_is_certified_and_equals_exact(name, key, n, curves):
    xp = _xp(name)
    cell = rt.CELLS[key].random(hidden_size=n, input_size=4, rng=0)
    T = 100
    xs = np.random.default_rng(1).normal(size=(T, 4))
    want = rt.gradient_norms(cell, xs)
    got = rt.GradientFlow(
        "exact", np.arange(1, len(xs) + 1), **dense_stream_curves(cell, xp, None, xp.float64, xs, None)
    )
    # one decision per lag per certified curve (log_norm_h of a one-part cell is log_norm itself)
    assert sum(got.proofs.values()) == curves * T
    width = got.error_bound
    assert np.all(np.isfinite(width)) and np.all(width <= 2.1e-10) and np.all(width >= 0)
    for field in CURVES:
        if getattr(want, field) is None:
            assert getattr(got, field) is None, field
            continue
        mine, theirs = getattr(got, field), getattr(want, field)
        same = np.isneginf(mine) & np.isneginf(theirs)  # a zero block at that lag in both
        mine, theirs = np.where(same, 0.0, mine), np.where(same, 0.0, theirs)
        # the reported widths of both, and the rounding of the products P_{T,τ} (formed in another
        # order by each route; measured ≤ 5e-13 here, 1e-11 allowed), below the 1e-9
        room = width + want.error_bound + 1e-11
        assert np.all(same | (np.abs(mine - theirs) <= room)), field
