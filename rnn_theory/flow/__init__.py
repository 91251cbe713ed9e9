"""Gradient flow, numerically: products of step Jacobians over all lags, Lyapunov exponents,
trajectory statistics and the mean-field theory of the random tanh RNN.

- ``gradient_norms`` (``norms``, ``exact``, ``probe``, ``result``): ln ‖∂s_T/∂s_{T−τ}‖₂ for every lag;
- ``lyapunov_spectrum``, ``largest_lyapunov`` (``lyapunov``): Benettin QR exponents of a run;
- ``stack.Stack``: a stack of cells as one recurrent system, through the same engines;
- ``trajectory_statistics`` and its parts (``statistics``): φ', gates, memory times, ρ(W), σ_max(W);
- ``fixed_point_variance``, ``mean_field_chi``, ``mean_field_lyapunov`` (``meanfield``);
- ``estimate_seconds``, ``estimate_bytes`` (``_cost``): what an analysis will cost, before it runs.

What the engines take of a model is declared in ``system`` (``RecurrentSystem``, ``StepOperators``).
"""

from ._cost import estimate_bytes, estimate_seconds
from .lyapunov import largest_lyapunov, lyapunov_spectrum
from .meanfield import fixed_point_variance, mean_field_chi, mean_field_lyapunov, random_tanh_rnn
from .norms import gradient_norms
from .result import GradientFlow
from .statistics import gate_values, memory_time_constants, recurrent_spectra, trajectory_statistics

__all__ = [
    "GradientFlow",
    "gradient_norms",
    "largest_lyapunov",
    "lyapunov_spectrum",
    "trajectory_statistics",
    "gate_values",
    "memory_time_constants",
    "recurrent_spectra",
    "fixed_point_variance",
    "mean_field_chi",
    "mean_field_lyapunov",
    "random_tanh_rnn",
    "estimate_seconds",
    "estimate_bytes",
]
