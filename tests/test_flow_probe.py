"""The probe's statistics, renormalisation and Jᵀ application against direct computations."""

import numpy as np
import pytest
from conftest import generic_cell

import rnn_theory as rt
from rnn_theory.flow import _topeig, probe
from rnn_theory.flow._batched import StepJacobians
from rnn_theory.flow._cell_system import CellSystem


def stack_with_spectra(spectra, seed):
    """Q diag(λ) Qᵀ for each row of ``spectra``, Q a random orthogonal matrix."""
    rng = np.random.default_rng(seed)
    out = []
    for lam in spectra:
        Q = np.linalg.qr(rng.normal(size=(len(lam), len(lam))))[0]
        out.append((Q * lam) @ Q.T)
    return np.array(out)


@pytest.mark.parametrize("k", [2, 8, 16])
def test_top_eigenvalue_is_certified_or_exact(k):
    """Dominant, crowded, degenerate, rank-one and zero spectra at very different scales: the
    certified power steps and the eigvalsh fallback both give λ_max to 1e-13 relative."""
    rng = np.random.default_rng(k)
    spectra = [np.sort(rng.uniform(0, 1, k)) * rng.choice([1e-200, 1.0, 1e150]) for _ in range(20)]
    spectra += [
        np.r_[np.full(k - 1, 0.03), 1.0],
        np.ones(k),
        np.r_[np.zeros(k - 1), 2.5],
        np.zeros(k),
        np.r_[rng.uniform(0, 0.9, k - 1), 1.0],
        np.geomspace(1e-12, 1, k),
    ]
    G = stack_with_spectra(spectra, seed=k)
    truth = np.linalg.eigvalsh(G)[:, -1]
    got = _topeig.top_eigenvalues(G)
    assert np.all(got <= np.abs(truth) * (1 + 1e-14))
    assert np.all(got >= truth * (1 - 1e-13))
    assert got[-3] == 0.0


@pytest.mark.parametrize("magnitude", [1e-300, 1e-200, 1e-100, 1.0, 1e100, 1e200, 1e300])
def test_scale_keeps_the_probe_images_in_range(magnitude):
    """Sums of squares that over- or underflow fall back to max |W_ij|: W/scale stays in range."""
    W = np.random.default_rng(0).normal(size=(64, 16)) * magnitude
    with np.errstate(over="ignore"):
        scale = probe._scale(W)
    assert 0 < scale < np.inf
    assert 1e-3 <= np.abs(W / scale).max() <= 1.0
    assert probe._scale(np.zeros((4, 2))) == 0.0


def probe_matrix(groups, d):
    """The groups' columns [(rows, Q)] as one d×c matrix (each Q on its rows)."""
    out = np.zeros((d, sum(Q.shape[1] for _, Q in groups)))
    j = 0
    for rows, Q in groups:
        out[rows, j : j + Q.shape[1]] = Q
        j += Q.shape[1]
    return out


@pytest.mark.parametrize("key", ["rnn", "lstm"])
def test_probe_statistics_are_those_of_the_documented_probe_images(key):
    """log_norm = ln‖Pᵀ Q_τ‖₂ with Q_τ the groups and the tiers still streamed at lag τ (all
    orthonormal together: a lower bound), each block (a, a)'s curve ln‖P[a, a]ᵀ Q_τ,a‖₂ from part
    a's columns of those, and log_norm + error_bound = ln(α·maxᵢ ‖Pᵀ yᵢ‖) (a block's: with yᵢ's
    rows of part a, ln(α·maxᵢ ‖P[a, a]ᵀ yᵢ[a]‖)) at every lag, with the yᵢ the Gaussian checks
    drawn as documented, computed here densely from cell.jacobian."""
    cell = generic_cell(key, 12, 3, seed=4)
    T, d, k, checks, seed = 40, cell.state_size, 2, 1, 7
    xs = np.random.default_rng(5).normal(size=(T, 3))
    S = cell.run(xs)
    flow = rt.gradient_norms(cell, xs, method="probe", k=k, checks=checks, seed=seed)
    # no part is spanned by its columns (12 rows, 1 + 1 + 2·2 + 2·2 columns): the tiers count
    groups, R_full, tiers = probe.probe_start(cell, xs, S, k=k, checks=checks, seed=seed)
    Y = np.random.default_rng(seed).standard_normal((d, checks))
    Q = probe_matrix(groups, d)
    everything = np.hstack([Q] + [probe_matrix(parts, d) for parts, _ in tiers])
    np.testing.assert_allclose(everything.T @ everything, np.eye(everything.shape[1]), atol=1e-13)
    np.testing.assert_allclose(Q @ R_full, Y, atol=1e-12)
    assert [lags for _, lags in tiers] == [probe._MID_PASS, probe._SHORT_PASS]
    assert [rows for rows, _ in groups] == list(cell.part_slices())
    for parts, _ in tiers:
        assert [rows for rows, _ in parts] == list(cell.part_slices())
    P = np.eye(d)
    for tau in range(1, T + 1):
        P = P @ cell.jacobian(xs[T - tau], S[T - tau])
        live = [groups] + [parts for parts, lags in tiers if tau <= lags]
        Q_tau = np.hstack([probe_matrix(parts, d) for parts in live])
        lower = np.log(np.linalg.norm(P.T @ Q_tau, 2))
        upper = np.log(probe._ALPHA * np.linalg.norm(P.T @ Y, axis=0).max())
        assert flow.log_norm[tau - 1] == pytest.approx(lower, abs=1e-11)
        assert flow.log_norm[tau - 1] + flow.error_bound[tau - 1] == pytest.approx(upper, abs=1e-11)
        if len(cell.state_parts) == 2:
            for a, (name, rows) in enumerate(zip(("h", "c"), cell.part_slices())):
                block = P[rows, rows].T
                Q_a = np.hstack([parts[a][1] for parts in live])
                assert flow.blocks[name][tau - 1] == pytest.approx(np.log(np.linalg.norm(block @ Q_a, 2)), abs=1e-11)
                bound = np.log(probe._ALPHA * np.linalg.norm(block @ Y[rows], axis=0).max())
                assert flow.blocks[name][tau - 1] + flow.block_error_bounds[name][tau - 1] == pytest.approx(
                    bound, abs=1e-11
                )


def test_probes_beyond_the_state_add_nothing():
    """k larger than the state: the probes span s_T and the curve is the exact one (no column
    outside the span, so ‖Pᵀ Q‖₂ stays a lower bound)."""
    cell = rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0)
    xs = np.random.default_rng(1).normal(size=(30, 2))
    exact, flow = (rt.gradient_norms(cell, xs, method=m, k=32) for m in ("exact", "probe"))
    np.testing.assert_allclose(flow.log_norm, exact.log_norm, rtol=0, atol=1e-12)


def test_tiers_narrow_where_their_work_is_large():
    """The tiers' widths: 2k each for small states, the short tier first and fewer columns where
    their flops (each split by the state's parts: streamed twice over for an LSTM) would pass the
    cap: an LSTM with n = 512, 8 middle columns; n = 1024, no middle tier and 8 short columns."""
    for n, want in ((32, (16, 16)), (512, (8, 16)), (1024, (0, 8))):
        cell = rt.CELLS["lstm"].random(hidden_size=n, input_size=2, rng=0)
        xs = np.zeros((20, 2))
        tail = probe._tail(xs, cell.run(xs), CellSystem(cell).step_operators)
        assert probe._tier_widths(tail, 1000, 8, len(cell.state_parts)) == want


@pytest.mark.parametrize("key", ["rnn", "lstm", "gru"])
def test_probe_is_deterministic(key):
    cell = rt.CELLS[key].random(hidden_size=24, input_size=3, rng=0)
    xs = np.random.default_rng(1).normal(size=(300, 3))
    a, b = (rt.gradient_norms(cell, xs, method="probe") for _ in range(2))
    for name in ("log_norm", "log_norm_h", "log_norm_c", "log_norm_direct", "error_bound"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None and y is None) or np.array_equal(x, y)


@pytest.mark.parametrize("factor", [1e-200, 1e200])
def test_step_factors_beyond_the_sum_of_squares_range(factor):
    """Per-step factors whose squares leave float64: the renormalisation's max-|W| fallback."""
    W = factor * np.array([[0.6, -0.8], [0.8, 0.6]])
    cell = rt.CELLS["rnn"](W=W, U=np.zeros((2, 1)), b=np.zeros(2), activation="tanh")
    flow = rt.gradient_norms(cell, np.zeros((20, 1)), method="probe")
    np.testing.assert_allclose(flow.log_norm, flow.lags * np.log(factor), rtol=1e-13)


@pytest.mark.parametrize("r", [1, 8, 15, 16, 17, 31, 48, 64, 131, 400])
def test_application_across_gemm_slicing(r):
    """The LSTM's Jᵀ (n = 128: W side by side is 128×512) and J ([W_*] stacked, 512×128) for
    column counts on both sides of the blocked GEMM's range (one block, K-slices, row blocks, too
    many blocks), against the dense Jacobian; X is left unchanged."""
    cell = rt.CELLS["lstm"].random(hidden_size=128, input_size=3, rng=2)
    rng = np.random.default_rng(3)
    xs = rng.normal(size=(2, 3))
    S = cell.run(xs)
    X = rng.normal(size=(cell.state_size, r))
    X0 = X.copy()
    Js = StepJacobians(cell, xs, S[:2])
    for j in range(2):
        J = cell.jacobian(xs[j], S[j])
        for out, want in ((Js.apply_t(X, j), J.T @ X), (Js.apply(X, j), J @ X)):
            assert out.shape == X.shape and not np.shares_memory(out, X)
            assert np.abs(out - want).max() <= 1e-13 * np.abs(J).max() * np.abs(X).max() * 16
    assert np.array_equal(X, X0)


# (m, K, r, row blocks, K-slices): whole (small, or too many blocks), row blocks only, K-slices
# only, both; ragged ends (1000 = 7·128 + 104, 301 = 20·15 + 1).
SLICED = [(3, 4, 2, 1, 1), (2000, 2000, 64, 1, 1), (1000, 1001, 1, 8, 1), (128, 8001, 3, 1, 4), (200, 301, 500, 2, 21)]


@pytest.mark.parametrize("m,K,r,blocks,slices", SLICED)
def test_sliced_product_is_the_product(m, K, r, blocks, slices):
    """The blocks of rows and K-slices (under 100³ each, at most 128 of them) sum to A @ B up to
    the rounding of a different summation order (K·u·Σ|A||B|)."""
    from rnn_theory.flow._gemm import SlicedProduct

    rng = np.random.default_rng(m + K + r)
    A, B = rng.normal(size=(m, K)), rng.normal(size=(K, r))
    product = SlicedProduct(A, r)
    assert (len(product.blocks), len(product.blocks[0][1])) == (blocks, slices)
    out = product(B, np.full((m, r), np.nan))
    assert np.all(np.abs(out - A @ B) <= 2 * K * 2.2e-16 * (np.abs(A) @ np.abs(B)))


def test_graded_orthonormalisation_keeps_a_small_part():
    """A part's rows 1e-60 below the rest (a stack's fast-decaying lower layer): the graded QR
    keeps V's span (V = V'·M) and gives that part's rows orthonormal columns, relative to their own
    size, up to the rest's weight squared (I − Q_restᵀQ_rest with Q_rest ~ _GRADE = 1e-4: 1e-8);
    a plain QR returns them as rounding of the rest (far from orthonormal)."""
    rng = np.random.default_rng(0)
    rows = slice(0, 10)
    V = rng.normal(size=(30, 4))
    V[rows] *= 1e-60
    graded = probe._orthonormalised(V.copy(), rows)
    M = np.linalg.lstsq(graded, V, rcond=None)[0]
    np.testing.assert_allclose(graded[rows] @ M, V[rows], rtol=0, atol=1e-73)  # same span, the small rows too
    np.testing.assert_allclose(graded[10:] @ M, V[10:], rtol=0, atol=1e-12)
    part = graded[rows] / np.linalg.norm(V[rows])
    np.testing.assert_allclose(part.T @ part, np.eye(4), atol=10 * probe._GRADE**2)
    plain = np.linalg.qr(V)[0][rows] / np.linalg.norm(V[rows])
    assert np.abs(plain.T @ plain - np.eye(4)).max() > 0.1
