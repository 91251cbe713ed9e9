"""What a task is: batches of sequences with one target at the end, and its success criterion."""

import numpy as np


class Task:
    """A sequence task with an error signal only at the sequence end.

    ``sample(rng, batch) -> (xs (T, m, B), target (B,))``; ``correct(y, target) -> bool (B,)`` applies
    the task's published criterion to the readout outputs y (k, B). ``lag`` is the task's lag
    parameter (each task says what it measures); ``span`` the steps from the earliest relevant input (one
    the task marks as carrying the answer) to the output, the fewest over the drawn sequences (the
    longest dependency every sequence holds); ``chance`` the fraction correct without memory; ``length`` the
    number of steps T of its sequences (the shortest, where lengths are drawn).
    """

    name: str
    head: str  # "softmax" (target = class labels) or "mse" (target = values)
    input_size: int
    output_size: int
    chance: float
    chance_note: str
    reference: str
    min_lag = 1

    def __init__(self, lag):
        if not (isinstance(lag, (int, np.integer)) and lag >= self.min_lag):
            raise ValueError(f"{self.name}: lag must be an integer >= {self.min_lag}, got {lag!r}")
        self.lag = int(lag)

    @property
    def span(self):
        """The longest dependency's span: ``lag`` itself, for a task whose one needed input comes
        ``lag`` steps before the output."""
        return self.lag

    @property
    def setting(self):
        """The setting in words, as the task's tables name it."""
        return f"{self.name} lag {self.lag}"

    def describe(self):
        return {
            "task": self.name,
            "lag": self.lag,
            "chance": self.chance,
            "chance_note": self.chance_note,
            "reference": self.reference,
        }


def one_hot(indices, size):
    """(..., ) integer symbols -> (..., size) one-hot float rows."""
    return np.eye(size)[indices]


def random_length(rng, minimal):
    """A sequence length in [T, T + T/10], as in Hochreiter & Schmidhuber 1997 §5.4 and §5.6."""
    return int(rng.integers(minimal, minimal + minimal // 10 + 1))
