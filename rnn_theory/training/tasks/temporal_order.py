"""The temporal order problem (Hochreiter & Schmidhuber 1997, section 5.6, task 6a).

Symbols, one-hot (m = 8): E, B, a, b, c, d, X, Y. A sequence starts with E, ends with B (the
trigger), and is otherwise random symbols from {a, b, c, d}, except at two positions t1 and t2
that hold X or Y. The class is the order: XX, XY, YX, YY (4 classes). The paper's lengths are
100–110 with t1 in 10–20 and t2 in 50–60; here ``lag`` is the minimal length T (the paper's 100),
lengths are random in [T, T + T/10] (one per batch), t1 in [⌊T/10⌋, 2⌊T/10⌋], t2 in [5⌊T/10⌋, 6⌊T/10⌋],
counted from 0 (the paper counts from 1, so its symbols lie one step earlier: its Table 10 gives the
minimal time lag 40 at T = 100, here T − 1 − 6⌊T/10⌋ = 39). The first symbol lies at least
``span`` = T − 1 − 2⌊T/10⌋ steps before the output (15 for T = 20, 39 for T = 50). A sequence is correct
when the final error of every output unit (softmax probabilities against the one-hot class) is
below 0.3. Chance: 1/4 (and a memoryless net cannot meet the criterion at all).

>>> import numpy as np
>>> xs, target = TemporalOrder(20).sample(np.random.default_rng(0), 2)
>>> xs.shape[1:], xs[0, 0].tolist(), xs[-1, 1].tolist()
((8, 2), [1.0, 1.0], [1.0, 1.0])
>>> TemporalOrder(20).span, TemporalOrder(50).span
(15, 39)
"""

import numpy as np

from ..readout import softmax
from ._base import Task, one_hot, random_length


class TemporalOrder(Task):
    name = "temporal_order"
    head = "softmax"
    input_size = 8
    output_size = 4
    chance = 0.25
    chance_note = "1/4: a guess among XX, XY, YX, YY"
    reference = "Hochreiter & Schmidhuber 1997, section 5.6 (experiment 6a), criterion error < 0.3 on all outputs"
    min_lag = 10

    @property
    def length(self):
        return self.lag

    @property
    def setting(self):
        return f"{self.name} of length T = {self.lag}"

    @property
    def span(self):
        # the first X/Y (t1 <= 2⌊T/10⌋) to the output (step T − 1, T >= lag)
        return self.lag - 1 - 2 * (self.lag // 10)

    def sample(self, rng, batch):
        T = random_length(rng, self.lag)
        lo = self.lag // 10
        seq = 2 + rng.integers(0, 4, size=(T, batch))  # a, b, c, d
        seq[0], seq[-1] = 0, 1  # E ... B
        columns = np.arange(batch)
        t1 = rng.integers(lo, 2 * lo + 1, size=batch)
        t2 = rng.integers(5 * lo, 6 * lo + 1, size=batch)
        first_y, second_y = rng.integers(0, 2, size=(2, batch))
        seq[t1, columns], seq[t2, columns] = 6 + first_y, 6 + second_y
        return one_hot(seq, 8).transpose(0, 2, 1).copy(), 2 * first_y + second_y

    def correct(self, y, target):
        error = softmax(y)
        error[target, np.arange(len(target))] -= 1.0
        return (np.abs(error) < 0.3).all(axis=0)
