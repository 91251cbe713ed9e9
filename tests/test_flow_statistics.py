"""Trajectory statistics against direct formulas, the closed-form Jacobians and mpmath."""

import json

import mpmath as mp
import numpy as np
import pytest
from conftest import generic_cell

import rnn_theory as rt


def logistic(a):
    return 1.0 / (1.0 + np.exp(-a))


def run(cell, T=40, seed=0):
    xs = np.random.default_rng(seed).normal(size=(T, cell.input_size))
    return xs, cell.run(xs)


def test_lstm_gates_by_hand_and_forget_gate_is_the_carousel():
    cell = generic_cell("lstm", 4, 3, seed=1)
    xs, S = run(cell)
    p, n = cell.params, 4
    gates = rt.gate_values(cell, xs, S)
    h = S[:-1, :n]
    pre = {g: h @ p[f"W_{g}"].T + xs @ p[f"U_{g}"].T + p[f"b_{g}"] for g in "ifgo"}
    for g in "ifo":
        np.testing.assert_allclose(gates[g], logistic(pre[g]), rtol=1e-13)
    np.testing.assert_allclose(gates["g"], np.tanh(pre["g"]), rtol=1e-13, atol=1e-15)
    carousel = np.array([np.diag(cell.jacobian(x, s)[n:, n:]) for x, s in zip(xs, S[:-1])])
    np.testing.assert_allclose(gates["f"], carousel, rtol=1e-14)
    tau = rt.memory_time_constants(cell, gates)
    np.testing.assert_allclose(tau, -1 / np.log(carousel).mean(axis=0), rtol=1e-12)


def test_gru_gates_by_hand():
    cell = generic_cell("gru", 3, 2, seed=2)
    xs, S = run(cell)
    p, h = cell.params, S[:-1]
    gates = rt.gate_values(cell, xs, S)
    r = logistic(h @ p["W_r"].T + xs @ p["U_r"].T + p["b_r"])
    z = logistic(h @ p["W_z"].T + xs @ p["U_z"].T + p["b_z"])
    cand = np.tanh(xs @ p["U_n"].T + p["b_n"] + r * (h @ p["W_n"].T + p["c_n"]))
    for name, expected in (("r", r), ("z", z), ("n", cand)):
        np.testing.assert_allclose(gates[name], expected, rtol=1e-12, atol=1e-15)
    # h' = (1 − z)⊙h + z⊙h̃ reproduces the run: the gates are the ones that were used.
    np.testing.assert_allclose((1 - z) * h + z * cand, S[1:], rtol=1e-12, atol=1e-15)


def test_mingru_memory_time_from_its_diagonal_jacobian():
    cell = generic_cell("mingru", 5, 2, seed=3)
    xs, S = run(cell, T=100)
    keep = np.array([np.diag(cell.jacobian(x, s)) for x, s in zip(xs, S[:-1])])  # 1 − z_t
    tau = rt.memory_time_constants(cell, rt.gate_values(cell, xs, S))
    np.testing.assert_allclose(tau, -1 / np.log(keep).mean(axis=0), rtol=1e-12)


def test_rnn_activation_derivative_and_json():
    cell = generic_cell("rnn", 6, 2, seed=4)
    xs, S = run(cell)
    p = cell.params
    a = S[:-1] @ p["W"].T + xs @ p["U"].T + p["b"]
    stats = rt.trajectory_statistics(cell, xs)
    dphi = 1 - np.tanh(a) ** 2
    assert stats["activation_derivative"]["mean"] == pytest.approx(dphi.mean(), rel=1e-13)
    assert stats["activation_derivative"]["q50"] == pytest.approx(np.median(dphi), rel=1e-13)
    assert stats["gates"] == {} and stats["memory_time"] is None
    nofg = rt.trajectory_statistics(generic_cell("lstm_nofg", 3, 2, seed=0), xs)
    assert nofg["memory_time_per_unit"] == [None] * 3  # f ≡ 1: infinite memory, JSON null
    json.dumps(stats, allow_nan=False)
    json.dumps(nofg, allow_nan=False)


def test_recurrent_spectra_against_mpmath():
    W = np.random.default_rng(5).normal(size=(5, 5))
    cell = rt.CELLS["rnn"](W=W, U=np.zeros((5, 1)), b=np.zeros(5))
    spectra = rt.recurrent_spectra(cell)["W"]
    with mp.workdps(40):
        eigenvalues = mp.eig(mp.matrix(W.tolist()), left=False, right=False)
        singular = mp.svd_r(mp.matrix(W.tolist()), compute_uv=False)
        rho, smax = max(abs(e) for e in eigenvalues), max(singular)
    assert spectra["spectral_radius"] == pytest.approx(float(rho), rel=1e-13)
    assert spectra["sigma_max"] == pytest.approx(float(smax), rel=1e-13)
    lru = rt.CELLS["lru"](r=[0.3, 0.8], theta=[1.0, 2.0], B=np.ones((4, 1)))
    assert rt.recurrent_spectra(lru) == {
        "A": {"spectral_radius": pytest.approx(0.8, rel=1e-15), "sigma_max": pytest.approx(0.8, rel=1e-15)}
    }
    assert rt.recurrent_spectra(generic_cell("minlstm", 3, 2, seed=0)) == {}
