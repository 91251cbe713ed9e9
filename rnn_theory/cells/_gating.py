"""Gates that are σ or a hard sigmoid: the option ``gate_activation`` of the LSTM family and the GRUs.

Keras' ``recurrent_activation`` (the gates' nonlinearity) is σ by default since Keras 2.3.0, and was
``hard_sigmoid`` before (and in TensorFlow 1's tf.keras); Keras 1 called it ``inner_activation``.
The two Keras versions define the hard sigmoid differently, so each has its name here:

    sigmoid               σ(a) = 1/(1 + e^{−a})
    hard_sigmoid_keras2   clip(0.2·a + 0.5, 0, 1): slope 1/5 on −2.5 < a < 2.5 (Keras 2, Theano)
    hard_sigmoid_keras3   relu6(a + 3)/6 = clip(a/6 + 1/2, 0, 1): slope 1/6 on −3 < a < 3 (Keras 3,
                          PyTorch's ``hardsigmoid``)

A hard sigmoid is piecewise linear: its derivative is the slope inside the band and exactly 0 on the
flat parts (the gate saturates exactly, at 0 or 1). At the two kinks the Jacobians take the flat
side's derivative 0 — the one-sided derivative from outside the band, as relu'(0) = 0 — in every
backend (NumPy, array API, SymPy, the training tape), so that a gate value of exactly 0 or 1 always
has derivative 0.

>>> import rnn_theory as rt
>>> cell = rt.CELLS["lstm"].random(hidden_size=2, input_size=1, rng=0, gate_activation="hard_sigmoid_keras2")
>>> cell
LSTM(hidden_size=2, input_size=1, gate_activation='hard_sigmoid_keras2')
>>> [g.activation for g in cell.gates]
['hard_sigmoid_keras2', 'hard_sigmoid_keras2', 'tanh', 'hard_sigmoid_keras2', 'tanh']
"""

from ._base import Cell

GATE_ACTIVATIONS = {
    "sigmoid": "σ(a) = 1/(1 + e^{−a})",
    "hard_sigmoid_keras2": "clip(0.2·a + 0.5, 0, 1) (Keras 2)",
    "hard_sigmoid_keras3": "relu6(a + 3)/6 = clip(a/6 + 1/2, 0, 1) (Keras 3, PyTorch's hardsigmoid)",
}

_SLOPES = {"hard_sigmoid_keras2": 0.2, "hard_sigmoid_keras3": 1 / 6}


class GatedCell(Cell):
    """A cell whose σ gates may be hard sigmoids: ``gate_activation`` ∈ ``GATE_ACTIVATIONS``."""

    def __init__(self, *, gate_activation=None, **params):
        gate_activation = "sigmoid" if gate_activation is None else gate_activation
        if gate_activation not in GATE_ACTIVATIONS:
            raise ValueError(
                f"{self.key}: gate_activation must be one of {tuple(GATE_ACTIVATIONS)}, got {gate_activation!r}"
            )
        self.gate_activation = gate_activation
        # The declared nonlinearities with this cell's gates (statistics match them to the update's).
        self.gates = tuple(
            g._replace(activation=gate_activation) if g.activation == "sigmoid" else g for g in type(self).gates
        )
        super().__init__(**params)

    @classmethod
    def random(cls, *, gate_activation=None, **options):
        """As ``Cell.random``, with the gates' ``gate_activation`` (default sigmoid)."""
        cell = super().random(**options)
        return cell if gate_activation is None else cls(gate_activation=gate_activation, **cell.params)

    @property
    def options(self):
        return {} if self.gate_activation == "sigmoid" else {"gate_activation": self.gate_activation}

    def sigma(self, ops, a):
        """The gate nonlinearity σ (or the hard sigmoid) of ``ops`` at a."""
        return getattr(ops, self.gate_activation)(a)

    def dsigma(self, ops, a):
        """Its derivative (the hard sigmoid's: slope inside the band, 0 on the flat parts and kinks)."""
        return getattr(ops, "d" + self.gate_activation)(a)

    def gate_slope(self, y):
        """The gate nonlinearity's derivative where it took the value y (NumPy): σ' = y(1 − y); a hard
        sigmoid's slope where 0 < y < 1 and 0 where it is flat (y = 0 or 1, kinks included), as
        ``dsigma`` gives it (the training tape's backward pass reads the gates' values back)."""
        if self.gate_activation == "sigmoid":
            return y * (1 - y)
        return _SLOPES[self.gate_activation] * ((y > 0) & (y < 1))

    def __repr__(self):
        extra = "".join(f", {name}={value!r}" for name, value in self.options.items())
        return f"{type(self).__name__}(hidden_size={self.hidden_size}, input_size={self.input_size}{extra})"
