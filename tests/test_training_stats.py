"""Wilson intervals, learning-curve quartiles, plain SGD and the source initialisations of the
learning protocols: each checked by a second route."""

import fractions

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rnn_theory.training import TASKS, initial_cell, train
from rnn_theory.training.protocols import PROTOCOLS, QUICK
from rnn_theory.training.stats import Z95, curve_quartiles, wilson
from rnn_theory.training.trainer import loss_and_grads


@given(st.integers(1, 200).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_ends_solve_the_score_equation(case):
    """Second route: the ends are the roots in [0, 1] of (p̂ − p)² = z²·p(1 − p)/n, solved by bisection
    on the score statistic (exact rational p̂), to 1e-12."""
    k, n = case
    low, high = wilson(k, n)
    p_hat = fractions.Fraction(k, n)

    def excess(p):  # > 0 outside the interval, < 0 inside
        return float((p_hat - p) ** 2) - Z95**2 * p * (1 - p) / n

    def root(a, b):  # excess changes sign on [a, b]
        for _ in range(200):
            m = (a + b) / 2
            a, b = (m, b) if (excess(m) > 0) == (excess(a) > 0) else (a, m)
        return (a + b) / 2

    assert 0 <= low <= k / n <= high <= 1
    assert low == 0 if k == 0 else abs(low - root(0.0, k / n)) < 1e-12
    assert high == 1 if k == n else abs(high - root(k / n, 1.0)) < 1e-12


def test_wilson_published_values_and_bad_counts():
    # Wilson (1927) score interval, as tabulated e.g. by statsmodels' proportion_confint(method="wilson").
    assert [round(v, 4) for v in wilson(0, 10)] == [0.0, 0.2775]
    assert [round(v, 4) for v in wilson(9, 10)] == [0.5958, 0.9821]
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_curve_quartiles_carry_a_stopped_run_forward():
    solved_early = [{"step": 10, "val_correct": 0.5}, {"step": 15, "val_correct": 1.0}]
    full = [{"step": s, "val_correct": v} for s, v in ((10, 0.2), (20, 0.3), (30, 0.4))]
    flat = [{"step": s, "val_correct": 0.0} for s in (10, 20, 30)]
    curve = curve_quartiles([solved_early, full, flat], every=10, steps=30)
    assert curve["step"] == [10, 20, 30]
    # Second route: the quartiles of the three runs' values at each step, by hand (linear interpolation).
    by_step = [[0.5, 0.2, 0.0], [1.0, 0.3, 0.0], [1.0, 0.4, 0.0]]
    assert curve["median"] == [0.2, 0.3, 0.4]
    assert curve["q1"] == [round((v[1] + v[2]) / 2, 4) for v in by_step]
    assert curve["q3"] == [round((sorted(v)[1] + sorted(v)[2]) / 2, 4) for v in by_step]


def test_one_sgd_step_is_minus_lr_times_the_gradient():
    task = TASKS["recall"](3)
    cell = initial_cell("rnn", 5, task.input_size, rng=0)
    result = train(task, cell, steps=1, lr=0.3, clip=None, seed=4, optimizer="sgd", progress=False, test_size=8)
    # The same first batch and readout as the trainer draws them from seed 4.
    rng_data, rng_readout, *_ = np.random.default_rng(4).spawn(4)
    from rnn_theory.training.readout import init_readout

    readout = init_readout(rng_readout, 5, task.output_size)
    xs, target = task.sample(rng_data, 32)
    _, grads = loss_and_grads(task.head, cell, dict(cell.params), readout, xs, target)
    for name in cell.params:
        np.testing.assert_allclose(result.cell.params[name], cell.params[name] - 0.3 * grads[name], rtol=0, atol=1e-15)
    assert result.log["optimizer"] == "sgd"
    with pytest.raises(ValueError, match="unknown optimizer"):
        train(task, cell, steps=1, optimizer="rmsprop")


def test_pascanu_initialisation_has_standard_deviation_0_1():
    cell = initial_cell("rnn", 200, 50, "pascanu", rng=0)
    W, U = cell.params["W"], cell.params["U"]
    # The sample std of 40,000 (10,000) N(0, 0.01) draws is within 3·0.1/√(2N) of 0.1.
    assert abs(W.std() - 0.1) < 3 * 0.1 / np.sqrt(2 * W.size) and abs(U.std() - 0.1) < 3 * 0.1 / np.sqrt(2 * U.size)
    assert cell.activation == "tanh" and not cell.params["b"].any()


@pytest.mark.parametrize("name", sorted(PROTOCOLS))
def test_protocols_meet_the_statistics_standard_and_quick_keeps_their_code_path(name):
    full, quick = PROTOCOLS[name], QUICK[name]
    assert full.seeds >= 10 and not set(full.sweep_seeds) & set(range(full.seeds)) and full.test_size >= 2560
    if len(full.lrs) > 1:  # a sweep worth the name, at a lag of the table
        assert len(full.lrs) >= 3 and full.sweep_lag in full.lags and full.sweep_seeds
    else:  # one rate, no sweep: nothing is trained to choose it
        assert full.sweep_lag is None and full.sweep_seeds == () and quick.lrs == full.lrs
    assert {k for k in full._fields if getattr(full, k) != getattr(quick, k)} <= {
        "lags",
        "lrs",
        "sweep_lag",
        "sweep_seeds",
        "seeds",
        "hidden",
        "steps",
        "check_every",
        "validation_size",
        "test_size",
        "checkpoints",
    }
