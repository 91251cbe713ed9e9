"""The supporting theorems: each proven symbolically (its Result) and checked numerically."""

import functools
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from conftest import generic_cell, generic_point

import rnn_theory as rt
from rnn_theory.cells import RNN
from rnn_theory.symbolic import theorems as th


@functools.cache
def _results(name):
    """A registered theorem's Results, computed once for the tests that read them."""
    results = th.THEOREMS[name]()
    return results if isinstance(results, list) else [results]


@pytest.mark.parametrize("name", sorted(th.THEOREMS))
def test_every_registered_theorem_is_proven(name):
    results = _results(name)
    for result in results if isinstance(results, list) else [results]:
        assert isinstance(result, rt.symbolic.Result)
        assert result.proven, result.detail
        assert result.statement and result.detail


def test_activation_suprema_numerically_with_mpmath():
    """sup|tanh'| = 1 and sup|σ'| = 1/4, located at 0, by 50-digit maximisation (an independent route)."""
    mpmath.mp.dps = 50
    dtanh = lambda a: 1 - mpmath.tanh(a) ** 2  # noqa: E731
    dsig = lambda a: mpmath.exp(-a) / (1 + mpmath.exp(-a)) ** 2  # noqa: E731
    grid = [mpmath.mpf(k) / 100 for k in range(-1000, 1001)]
    for f, sup in ((dtanh, 1), (dsig, mpmath.mpf(1) / 4)):
        values = [f(a) for a in grid]
        best = max(range(len(grid)), key=values.__getitem__)
        assert grid[best] == 0 and values[best] == sup
        assert all(v < sup for k, v in enumerate(values) if k != best)
    # σ's three forms at 50 digits.
    for a in (mpmath.mpf("-7.3"), mpmath.mpf("0.25"), mpmath.mpf("19")):
        logistic = 1 / (1 + mpmath.exp(-a))
        assert abs((1 + mpmath.tanh(a / 2)) / 2 - logistic) < mpmath.mpf(10) ** -45


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_pascanu_bounds_numerically(activation):
    """‖J‖₂ <= γσ_max(W) per step and ‖∏J‖₂ <= (γσ_max(W))^τ on random and adversarial points."""
    gamma = float(th.GAMMA[activation])
    rng = np.random.default_rng(3)
    for trial in range(20):
        n = 2 + trial % 5
        W = rng.normal(0, 2.0 / np.sqrt(n), (n, n))
        cell = RNN(W=W, U=rng.normal(size=(n, 1)), b=rng.normal(size=n), activation=activation)
        sigma_max = np.linalg.norm(W, 2)
        s, product = rng.normal(size=n), np.eye(n)
        for tau in range(1, 8):
            x = rng.normal(size=1)
            J = cell.jacobian(x, s)
            # Relative slack 1e-12: the norms are computed by SVD in float64.
            assert np.linalg.norm(J, 2) <= gamma * sigma_max * (1 + 1e-12)
            product = J @ product
            assert np.linalg.norm(product, 2) <= (gamma * sigma_max) ** tau * (1 + 1e-12)
            s = cell.step(x, s)
    # Tight: at a = 0 (φ'(0) = γ for tanh and σ), ‖diag(φ'(0))W‖₂ = γσ_max(W) exactly.
    if activation != "relu":
        W = rng.normal(size=(4, 4))
        cell = RNN(W=W, U=np.zeros((4, 1)), b=np.zeros(4), activation=activation)
        assert np.linalg.norm(cell.jacobian(np.zeros(1), np.zeros(4)), 2) == pytest.approx(
            gamma * np.linalg.norm(W, 2), rel=1e-13
        )


def test_hochreiter_factor_numerically():
    nets = np.linspace(-20, 20, 40001)
    dsig = np.exp(-nets) / (1 + np.exp(-nets)) ** 2
    for w in (-3.999, -2.0, 0.5, 3.999):
        assert np.max(np.abs(dsig * w)) < 1
    assert np.max(np.abs(dsig * 4.0)) == pytest.approx(1.0, abs=1e-15)  # attained at net = 0


@pytest.mark.parametrize("key", sorted(rt.CELLS))
def test_parameter_count_polynomials_match_num_params(key):
    poly = th.parameter_count(key)
    for hidden, inputs in ((2, 1), (4, 3), (6, 7)):
        cell = rt.CELLS[key].random(hidden_size=hidden, input_size=inputs, rng=0)
        assert int(poly.subs({rt.symbolic.indexed.n: hidden, rt.symbolic.indexed.m: inputs})) == cell.num_params


@pytest.mark.parametrize("key", ["rnn", "gru", "lru", "mingru"])
def test_chain_rule_numerically(key):
    """∂s_2/∂s_0 of two steps, by central differences, equals J_2 J_1 from the closed forms."""
    cell = generic_cell(key, 4, 2, seed=9)
    x1, s0 = generic_point(cell, 1)
    x2, _ = generic_point(cell, 2)
    s1 = cell.step(x1, s0)
    h = 1e-6
    two = lambda s: cell.step(x2, cell.step(x1, s))  # noqa: E731
    fd = np.array([(two(s0 + h * e) - two(s0 - h * e)) / (2 * h) for e in np.eye(cell.state_size)]).T
    # Central differences: truncation ~h², cancellation ~ε/h ≈ 1e-10 (see test_symbolic_crosscheck).
    np.testing.assert_allclose(cell.jacobian(x2, s1) @ cell.jacobian(x1, s0), fd, rtol=0, atol=1e-7)


class _RNNWrongJacobian(RNN):
    def jacobian_blocks(self, p, x, h, *, ops):
        return ((ops.diag_matmul(ops.dtanh(p.W @ h + p.b), p.W),),)  # forgets U x in a


def test_chain_rule_fails_for_a_wrong_jacobian():
    assert not th.chain_rule(2, _RNNWrongJacobian).proven


def test_chain_rule_lstm_blocks():
    """τ = 2 for the LSTM: every block of ∂[h; c]_t/∂[h; c]_(t−2) = Σ over blocks of J_t J_(t−1) (about 5 s)."""
    assert th.chain_rule(2, "lstm").proven


@pytest.mark.slow
@pytest.mark.parametrize("key", ["gru", "gru_rb", "peephole"])
def test_chain_rule_gated_cells(key):  # 7 to 20 s each on this machine
    assert th.chain_rule(2, key).proven


@pytest.mark.parametrize("name", sorted(th.THEOREMS))
def test_a_mutant_of_every_theorem_fails_its_check(name):
    """Each check can fail: the same computation on a wrong statement is not proven."""
    assert set(th.MUTANTS) == set(th.THEOREMS)
    results = th.MUTANTS[name]()
    assert not all(r.proven for r in (results if isinstance(results, list) else [results]))


def test_the_chain_rule_is_proven_for_every_lag_by_induction():
    (result,) = _results("chain_rule")
    assert result.proven and "every lag τ >= 1 and every n" in result.statement
    kinds = [step.kind for step in result.steps]
    assert kinds[0] == "definition" and kinds[-1] == "hand" and {"cited", "machine"} <= set(kinds)
    # The inductive step covers every cell, each through the layout its own jacobian_blocks has.
    assert all(th.layout(key) is not None for key in rt.CELLS)
    (step,) = [step for step in result.steps if "inductive step" in step.claim]
    assert all(re.search(rf"[(, ]{key}[,)]", step.claim) for key in rt.CELLS), step.claim


class _LSTMWithoutItsSecondRow(rt.CELLS["lstm"]):
    def jacobian_blocks(self, p, x, h, c, *, ops):
        return super().jacobian_blocks(p, x, h, c, ops=ops)[:1]


def test_a_cell_off_its_layout_is_not_covered():
    """A cell whose blocks do not fit its state parts leaves the inductive step unproven."""
    assert th.layout(_LSTMWithoutItsSecondRow) is None
    result = th.chain_rule_induction(["rnn", _LSTMWithoutItsSecondRow])
    (failed,) = [step for step in result.steps if not step.ok]
    assert not result.proven and failed.argument == "lstm: its jacobian_blocks are not laid out on its state parts"


@pytest.mark.parametrize("key", ["rnn", "lru", "mingru", "mlstm"])
def test_the_layout_step_agrees_with_the_cells_own_update(key):
    """The same inductive step on the cell's own update composed with G(s) = g + P s (an independent
    route; the mLSTM's takes minutes, see below): both proven, and both fail on P J."""
    reversed_product = lambda J, P: th.chain._block_product(P, J)  # noqa: E731
    assert th.layout_step(th.layout(key)) == (True, "")
    assert not th.layout_step(th.layout(key), compose=reversed_product)[0]
    if key != "mlstm":
        assert th.inductive_step(key).proven and not th.inductive_step(key, compose=reversed_product).proven


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(set(rt.CELLS) - {"rnn", "lru", "mingru", "lstm"}))
def test_the_inductive_step_on_each_cells_own_update(key):
    """On every other cell's own update (the sLSTM about a minute, the mLSTM about 4.5 minutes on one core)."""
    assert th.inductive_step(key).proven


@pytest.mark.parametrize(
    "compose",
    [
        lambda J, P: th.chain._block_product(P, J),  # P J: the product the wrong way round
        lambda J, P: J,  # the induction hypothesis dropped
        lambda J, P: tuple(
            tuple(b.__class__(b.cols, b.rows, lambda r, c, b=b: b[c, r], "") for b in row)
            for row in th.chain._block_product(J, P)
        ),  # (J P)ᵀ
    ],
    ids=["reversed", "no-hypothesis", "transposed"],
)
def test_a_mutated_inductive_step_is_caught(compose):
    result = th.chain_rule_induction(("rnn", "lru", "mingru"), compose=compose)
    assert not result.proven
    failed = [step for step in result.steps if not step.ok]
    assert failed and all(step.kind == "machine" for step in failed)
    assert any("inductive step" in step.claim for step in failed)


def test_inductive_step_catches_a_wrong_jacobian():
    assert not th.inductive_step(_RNNWrongJacobian).proven
    assert th.inductive_step("lstm").proven  # both parts of the state, every block


def test_every_step_says_what_carries_it():
    """Machine checks are computed; hand steps write out their argument; cited steps name a work of the bibliography."""
    from rnn_theory.symbolic.bibtex import entries
    from rnn_theory.symbolic.result import KINDS

    bib = entries()
    for name in th.THEOREMS:
        for result in _results(name):
            for step in result.steps:
                assert step.kind in KINDS and isinstance(step.ok, bool)
                if step.kind == "hand":
                    assert len(step.argument) > 80, (name, step.claim)
                if step.kind == "cited":
                    keys = re.findall(r"\[([a-z]+\d{4}[a-z]*)\]", step.argument)
                    assert keys and all(key in bib for key in keys), (name, step.argument)


def test_the_one_step_bound_no_longer_assumes_its_key_inequality():
    """e_i = γ² − φ'(a)² >= 0 is computed from the range of φ': a γ just below sup|φ'| breaks that step only."""
    for phi, gamma in th.GAMMA.items():
        result = th.one_step_bound(phi, gamma * sp.Rational(99, 100))
        assert [step.ok for step in result.steps] == [True, True, False, True], phi
