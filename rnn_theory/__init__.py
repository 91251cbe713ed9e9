"""rnn-theory: verify, symbolically and numerically, the theory of gradient flow in recurrent networks.

>>> import rnn_theory as rt
>>> sorted(rt.CELLS)
['cifg', 'gru', 'gru_rb', 'lru', 'lstm', 'lstm_nofg', 'mingru', 'minlstm', 'peephole', 'rnn']
>>> cell = rt.CELLS["lstm"].random(hidden_size=4, input_size=2, rng=0)
>>> cell.jacobian([0.0, 0.0], [0.0] * 8).shape
(8, 8)
"""

from .analysis import Analysis, analyze
from .cells import CELLS, Cell
from .citation import cite
from .flow import (
    GradientFlow,
    fixed_point_variance,
    gate_values,
    gradient_norms,
    largest_lyapunov,
    lyapunov_spectrum,
    mean_field_chi,
    mean_field_lyapunov,
    memory_time_constants,
    random_tanh_rnn,
    recurrent_spectra,
    trajectory_statistics,
)
from .io import load, save
from .symbolic import derive, prove
from .training import TASKS, train

__version__ = "0.1.0"

__all__ = [
    "CELLS",
    "Cell",
    "load",
    "save",
    "derive",
    "prove",
    "cite",
    "__version__",
    "analyze",
    "Analysis",
    "GradientFlow",
    "gradient_norms",
    "largest_lyapunov",
    "lyapunov_spectrum",
    "TASKS",
    "train",
    "trajectory_statistics",
    "gate_values",
    "memory_time_constants",
    "recurrent_spectra",
    "fixed_point_variance",
    "mean_field_chi",
    "mean_field_lyapunov",
    "random_tanh_rnn",
]
