"""Gradient flow, numerically: products of step Jacobians over all lags, Lyapunov exponents,
trajectory statistics and the mean-field theory of the random tanh RNN."""

from .lyapunov import largest_lyapunov, lyapunov_spectrum
from .norms import gradient_norms
from .result import GradientFlow

__all__ = ["GradientFlow", "gradient_norms", "largest_lyapunov", "lyapunov_spectrum"]
