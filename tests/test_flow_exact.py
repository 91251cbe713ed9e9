"""The certified λ_max of ``_topeig`` on adversarial spectra, and the exact curves' determinism."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.flow._topeig import top_eig


def _spectrum(kind, d, rng):
    if kind == "crowded":  # many eigenvalues within 1% of the top
        return 1 - 0.01 * rng.random(d)
    if kind == "repeated":  # λ_1 = λ_2 = λ_3
        return np.r_[np.ones(3), 0.5 * rng.random(d - 3)]
    if kind == "rank_deficient":
        return np.r_[rng.random(d // 3) + 0.5, np.zeros(d - d // 3)]
    if kind == "decaying":  # the Frobenius tail bound's case: many small but not negligible
        return 0.9 ** np.arange(d)
    return rng.random(d)


@pytest.mark.parametrize("scale", [1e-150, 1.0, 1e150])
@pytest.mark.parametrize("kind", ["crowded", "repeated", "rank_deficient", "decaying", "uniform"])
@pytest.mark.parametrize("d", [60, 200])
def test_lanczos_certificate_brackets_the_eigensolver(kind, d, scale):
    """An explicit M goes to Lanczos (Kato–Temple with the trace or Frobenius bound, else
    Cholesky, else eigh): λ_max ∈ [truth/(1 + 1e-10), truth·(1 + 1e-13)], cold and warm."""
    rng = np.random.default_rng(d)
    Q = np.linalg.qr(rng.normal(size=(d, d)))[0]
    lam = scale * _spectrum(kind, d, rng)
    M = (Q * lam) @ Q.T
    M = 0.5 * (M + M.T)
    truth = np.linalg.eigvalsh(M)[-1]
    top = Q[:, np.argsort(lam)[-4:]]
    for W in (None, top + 1e-3 * rng.normal(size=top.shape), top):
        got, V = top_eig(M, W)
        assert truth / (1 + 1e-10) <= got <= truth * (1 + 1e-13)
        assert V.shape[0] == d


def test_exact_curves_are_deterministic():
    cell = rt.CELLS["lstm"].random(hidden_size=24, input_size=3, rng=0)
    xs = np.random.default_rng(1).normal(size=(150, 3))
    a, b = (rt.gradient_norms(cell, xs) for _ in range(2))
    for name in ("log_norm", "log_norm_h", "log_norm_c", "error_bound"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
