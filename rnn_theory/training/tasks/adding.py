"""The adding problem (Hochreiter & Schmidhuber 1997, section 5.4).

Each step's input is a pair (value, marker): values uniform in [−1, 1]; exactly two pairs are
marked 1.0. The first, X1, is one of the first ten pairs; the second, X2, one of the first T/2 − 1
still unmarked pairs, T the minimal length (not the drawn one), so X2 lies at least T/2 steps before
the end. All other markers are 0, except −1.0 at the first and the final pair; a value
marked on the first pair is set to zero (the paper says so for X1). Lengths are random in
[T, T + T/10], one length per batch here. Target: 0.5 + (X1 + X2)/4; a sequence is correct when
the absolute error at its end is below 0.04.

``lag`` is the paper's minimal time lag T/2 (Table 7: T = 100 has minimal lag 50), so T = 2·lag.
Chance: the best constant output, 0.5, is correct when |X1 + X2| < 0.16, with probability
0.16 − 0.16²/4 = 0.1536 (X1 + X2 has the triangular density (2 − |s|)/4).

>>> import numpy as np
>>> xs, target = Adding(10).sample(np.random.default_rng(0), 3)
>>> xs.shape[1:], sorted({float(v) for v in xs[:, 1].ravel()})
((2, 3), [-1.0, 0.0, 1.0])
>>> bool(np.allclose(0.5 + (xs[:, 0] * (xs[:, 1] == 1)).sum(axis=0) / 4, target))
True
"""

import numpy as np

from ._base import Task, random_length


class Adding(Task):
    name = "adding"
    head = "mse"
    input_size = 2
    output_size = 1
    chance = 0.16 - 0.16**2 / 4
    chance_note = "the constant output 0.5 is correct when |X1 + X2| < 0.16"
    reference = "Hochreiter & Schmidhuber 1997, section 5.4 (experiment 4), criterion |error| < 0.04"
    min_lag = 6  # X1 among the first ten pairs must leave room for X2 among the first T/2 − 1

    @property
    def length(self):
        return 2 * self.lag

    @property
    def span(self):
        # the earlier marked pair, X1 of the first ten or X2 of the first lag − 1 others, to the
        # output (step T − 1, T >= 2·lag): 2·lag − 10 from lag 11 on, lag + 1 below. A marked
        # first pair counts (its value is set to 0, but it is marked: the task's relevant input)
        latest = max(min(x1, [p for p in range(self.lag) if p != x1][: self.lag - 1][-1]) for x1 in range(10))
        return 2 * self.lag - 1 - latest

    def sample(self, rng, batch):
        T = random_length(rng, 2 * self.lag)
        values = rng.uniform(-1.0, 1.0, size=(T, batch))
        markers = np.zeros((T, batch))
        markers[0] = markers[-1] = -1.0
        columns = np.arange(batch)
        first = rng.integers(0, 10, size=batch)
        # X2: one of the first T/2 − 1 still unmarked pairs, i.e. of positions 0..T/2−1 minus `first`
        # (T/2 = lag: the paper's T is the minimal length, so the minimal lag does not vary).
        second = rng.integers(0, self.lag - 1, size=batch)
        second += second >= first
        markers[first, columns] = markers[second, columns] = 1.0
        values[0, markers[0] == 1.0] = 0.0
        target = 0.5 + (values[first, columns] + values[second, columns]) / 4.0
        return np.stack([values, markers], axis=1), target

    def correct(self, y, target):
        return np.abs(y[0] - target) < 0.04
