"""The tasks generate what their papers describe, and their criteria and chance levels are right."""

import numpy as np
import pytest

from rnn_theory.training import TASKS
from rnn_theory.training.tasks import Adding, Recall, TemporalOrder


def test_adding_problem_follows_hochreiter_schmidhuber_5_4():
    task, rng = Adding(50), np.random.default_rng(0)
    lengths, latest = set(), 0
    for _ in range(40):
        xs, target = task.sample(rng, 64)
        T = xs.shape[0]
        lengths.add(T)
        values, markers = xs[:, 0], xs[:, 1]
        assert 100 <= T <= 110
        assert np.all((values >= -1) & (values <= 1))
        marked = markers == 1.0
        assert np.all(marked.sum(axis=0) == 2)
        positions = [np.flatnonzero(marked[:, b]) for b in range(64)]
        assert all(p[0] < 10 and p[1] < 50 for p in positions)  # X1 in the first ten, X2 in the first T/2 (T = 100)
        latest = max([latest] + [p[1] for p in positions])
        # −1 on the first and final pair unless the first pair is marked; 0 everywhere else.
        assert np.all(markers[-1] == -1.0) and np.all((markers[0] == -1.0) | marked[0])
        assert np.all(markers[1:-1][~marked[1:-1]] == 0.0)
        assert np.all(values[0][marked[0]] == 0.0)
        np.testing.assert_allclose(target, 0.5 + (values * marked).sum(axis=0) / 4.0, rtol=0, atol=1e-15)
    assert len(lengths) > 5  # lengths vary in [T, T + T/10]
    assert latest == 49  # X2 up to T/2 − 1 of the minimal length T, whatever the drawn length


def test_adding_criterion_and_chance_level():
    task = Adding(10)
    y, target = np.array([[0.5, 0.5, 0.5]]), np.array([0.5399, 0.4601, 0.54])
    assert task.correct(y, target).tolist() == [True, True, False]
    # Chance (constant 0.5): P(|X1 + X2| < 0.16) by simulation, 3σ of 200k Bernoulli draws ≈ 0.0024.
    s = np.random.default_rng(1).uniform(-1, 1, size=(2, 200_000)).sum(axis=0)
    assert abs(np.mean(np.abs(s) < 0.16) - task.chance) < 0.0025
    _, targets = task.sample(np.random.default_rng(2), 20_000)
    assert abs(task.correct(np.full((1, 20_000), 0.5), targets).mean() - task.chance) < 0.008  # 3σ at n = 20k


def test_recall_layout_and_chance():
    task, rng = Recall(7), np.random.default_rng(0)
    xs, target = task.sample(rng, 500)
    assert xs.shape == (8, 9, 500) and np.all(xs.sum(axis=1) == 1)  # one symbol per step
    assert np.array_equal(xs[0, :4].argmax(axis=0), target) and np.all(xs[0, 4:] == 0)
    assert np.all(xs[1:7, :4] == 0) and np.all(xs[1:7, 4:8].sum(axis=1) == 1)  # τ − 1 distractors
    assert np.all(xs[7, 8] == 1)  # the cue at t = τ + 1
    # A memoryless guess is right 1/K of the time (3σ at n = 500 is 0.058).
    guess = np.zeros((4, 500))
    guess[rng.integers(0, 4, size=500), np.arange(500)] = 1
    assert abs(task.correct(guess, target).mean() - task.chance) < 0.06


def test_temporal_order_follows_hochreiter_schmidhuber_5_6():
    task, rng = TemporalOrder(100), np.random.default_rng(0)
    for _ in range(20):
        xs, target = task.sample(rng, 32)
        symbols = xs.argmax(axis=1)  # (T, B): 0 E, 1 B, 2-5 a-d, 6 X, 7 Y
        T = len(symbols)
        assert 100 <= T <= 110 and np.all(symbols[0] == 0) and np.all(symbols[-1] == 1)
        for b in range(32):
            relevant = np.flatnonzero(symbols[:, b] >= 6)
            assert len(relevant) == 2 and 10 <= relevant[0] <= 20 and 50 <= relevant[1] <= 60
            first_y, second_y = symbols[relevant, b] == 7
            assert target[b] == 2 * first_y + second_y
            assert np.all(symbols[1:-1, b] >= 2)


def _fewest_steps_from_the_earliest_needed_input(task, rng, batches=400):
    """min over sampled sequences of the steps from the earliest input the answer needs to the output."""
    fewest = np.inf
    for _ in range(batches):
        xs, _ = task.sample(rng, 8)
        if isinstance(task, TemporalOrder):  # the first X or Y
            needed = [np.flatnonzero(xs[:, 6:8, b].any(axis=1))[0] for b in range(8)]
        elif isinstance(task, Adding):  # the first marked pair
            needed = [np.flatnonzero(xs[:, 1, b] == 1)[0] for b in range(8)]
        else:  # recall: the symbol at the first step
            needed = [0]
        fewest = min(fewest, len(xs) - 1 - max(needed))
    return fewest


@pytest.mark.parametrize(
    "task",
    [Recall(10), Adding(6), Adding(10), Adding(25), TemporalOrder(20), TemporalOrder(50)],
    ids=lambda task: f"{task.name}-{task.lag}",
)
def test_span_is_the_fewest_steps_from_the_earliest_input_an_answer_needs(task):
    """The declared span against sequences drawn from the task: none is shorter, and 400 batches of 8
    draw the extreme (a batch holds it, the shortest length and the latest earliest input, with
    probability >= 0.054 for these tasks, Adding(10)'s 1/3 · (1 − (1 − 2/90)^8); so a seed misses it
    with probability below 1e-9)."""
    assert _fewest_steps_from_the_earliest_needed_input(task, np.random.default_rng(3)) == task.span


def test_temporal_order_criterion_is_error_below_0_3_on_every_output():
    task = TemporalOrder(10)
    # Logits whose softmax is (0.75, 0.25/3, ...): errors 0.25 and 0.083 -> correct; 0.6 -> 0.4 error.
    good = np.log(np.array([0.75, 0.25 / 3, 0.25 / 3, 0.25 / 3]))[:, None]
    bad = np.log(np.array([0.6, 0.4 / 3, 0.4 / 3, 0.4 / 3]))[:, None]
    assert task.correct(np.hstack([good, bad]), np.array([0, 0])).tolist() == [True, False]


@pytest.mark.parametrize("name,lag", [("recall", 0), ("adding", 5), ("temporal_order", 9), ("recall", 2.5)])
def test_bad_lags_are_refused(name, lag):
    with pytest.raises(ValueError, match="lag"):
        TASKS[name](lag)
