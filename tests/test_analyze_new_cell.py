"""A cell added in this one file, with nothing else edited, gets the analysis, the statistics and
the symbolic proof: everything outside ``cells/`` reads the cell's declarations (its gates, retention,
recurrent matrices and initialisation), none of it switches on a cell key."""

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.cells._base import Cell, Gate


class IndRNN(Cell):
    """IndRNN (Li et al. 2018): h' = tanh(u⊙h + V x + b), each unit its own recurrent weight u_k;
    ∂h'/∂h = diag(tanh'(a)⊙u)."""

    key = "indrnn_test"
    reference = "Li, Li, Cook, Zhu & Gao 2018, 'Independently recurrent neural network'"
    param_shapes = {"u": ("n",), "V": ("n", "m"), "b": ("n",)}
    init = {"u": "recurrent", "V": "input", "b": "zero"}
    gates = (Gate("phi", "tanh", "state"),)

    def recurrent_matrices(self):
        return {"diag(u)": np.diag(self.params["u"])}

    def update(self, p, x, h, *, ops):
        return (ops.tanh(p.u * h + p.V @ x + p.b),)

    def jacobian_blocks(self, p, x, h, *, ops):
        return ((ops.diag(ops.dtanh(p.u * h + p.V @ x + p.b) * p.u),),)


def test_throwaway_cell_gets_analysis_statistics_and_proof():
    cell = IndRNN.random(hidden_size=5, input_size=2, rng=0, gain=2.0)
    # Initialisation as declared: u is drawn (recurrent, N(0, gain²/n)), not left at 0.
    assert np.all(cell.params["u"] != 0) and np.all(cell.params["b"] == 0)
    xs = np.random.default_rng(1).normal(size=(40, 2))
    S = cell.run(xs)
    a = S[:-1] * cell.params["u"] + xs @ cell.params["V"].T
    # The curve: ∂h_T/∂h_{T−τ} is a product of diagonals, so its norm is the largest |product| per unit.
    d = (1 - np.tanh(a) ** 2) * cell.params["u"]
    want = np.log(np.abs(np.cumprod(d[::-1], axis=0)).max(axis=1))
    report = rt.analyze(cell, xs).to_dict()
    assert np.abs(np.array(report["log_norm"]) - want).max() < 1e-10
    u = cell.params["u"]
    assert report["recurrent"] == {
        "diag(u)": {
            "spectral_radius": pytest.approx(np.abs(u).max(), rel=1e-14),
            "sigma_max": pytest.approx(np.abs(u).max(), rel=1e-14),
        }
    }
    assert report["activation_derivative"]["mean"] == pytest.approx((1 - np.tanh(a) ** 2).mean(), rel=1e-12)
    assert "gates" not in report and "memory_time" not in report
    stats = rt.trajectory_statistics(cell, xs)
    assert stats["recurrent"] == report["recurrent"] and stats["gates"] == {}
    assert rt.analyze(cell, xs).plot() is not None
    assert rt.prove(IndRNN).proven


def test_a_declaration_that_does_not_match_the_equations_is_caught():
    class Undeclared(IndRNN):  # evaluates tanh, declares nothing
        key = "undeclared_test"
        gates = ()

    cell = Undeclared.random(hidden_size=3, input_size=2, rng=0)
    with pytest.raises(RuntimeError, match=r"update evaluates \('tanh',\), its declared gates say \(\)"):
        rt.trajectory_statistics(cell, np.ones((4, 2)))
