"""Delayed recall at lag τ: one of K symbols is shown first, then τ − 1 distractors, then a cue;
the net must name the symbol at the cue.

    input channels: K content symbols | D distractor symbols | 1 recall cue   (m = K + D + 1)
    t = 1: the symbol; t = 2..τ: random distractors; t = τ + 1: the cue; output read at T = τ + 1

The symbol enters s_1 and the answer is read from s_{τ+1}: exactly τ state Jacobians lie between
them (docs/design.md#notation). A sequence is correct when the readout's largest output is the symbol's.
Chance level 1/K: with nothing remembered every symbol is equally likely. Hochreiter &
Schmidhuber 1997, task 2, with K content symbols and random distractors as in task 2b.

>>> import numpy as np
>>> xs, target = Recall(3).sample(np.random.default_rng(0), 2)
>>> xs.shape, target.shape
((4, 9, 2), (2,))
>>> bool((xs[0, :4].argmax(axis=0) == target).all()), xs[-1, -1].tolist()
(True, [1.0, 1.0])
"""

import numpy as np

from ._base import Task, one_hot


class Recall(Task):
    name = "recall"
    head = "softmax"
    reference = "delayed recall; Hochreiter & Schmidhuber 1997, section 5.2 (task 2)"

    def __init__(self, lag, symbols=4, distractors=4):
        super().__init__(lag)
        self.symbols, self.distractors = symbols, distractors
        self.input_size = symbols + distractors + 1
        self.output_size = symbols
        self.chance = 1.0 / symbols
        self.chance_note = f"1/K = 1/{symbols}: a guess, with the symbol forgotten"

    @property
    def length(self):
        return self.lag + 1

    def sample(self, rng, batch):
        K, D, tau = self.symbols, self.distractors, self.lag
        target = rng.integers(0, K, size=batch)
        seq = np.concatenate(
            [
                target[None, :],
                K + rng.integers(0, D, size=(tau - 1, batch)),
                np.full((1, batch), K + D),
            ]
        )
        return one_hot(seq, self.input_size).transpose(0, 2, 1).copy(), target

    def correct(self, y, target):
        return y.argmax(axis=0) == target
