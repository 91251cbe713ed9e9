"""The classic results a referee expects beside the vanishing-gradient story, as computations:

- ``wall``: the one-unit model of Pascanu et al. (2013, §3, Fig. 6): loss, gradient, Hessian,
  fixed points, bifurcations and where the wall lies;
- ``clipping``: gradient norm clipping (Pascanu et al. 2013, Algorithm 1) on that surface;
- ``networks``: the random driven tanh RNN (Gaussian or orthogonal W) and its seeded draws;
- ``meanfield_rate``: the mean-field rate ½·ln χ with input against measured gradient slopes;
- ``isometry``: critical initialisation (χ = 1) and the singular-value spread of P_τ, orthogonal
  against Gaussian W.
"""

from .clipping import clip_by_norm, descend, step_lengths
from .isometry import critical_gain, isometry_run, product_log_singular_values, upper_spread
from .meanfield_rate import measured_rate, predicted_rate, rate_sweep
from .networks import driven_network, recurrent_matrix
from .wall import (
    attractor_from, final_state, fixed_points, one_unit_loss, saddle_node_biases, wall_crossing, wall_location,
)

__all__ = ["one_unit_loss", "final_state", "fixed_points", "saddle_node_biases", "attractor_from",
           "wall_location", "wall_crossing", "clip_by_norm", "descend", "step_lengths",
           "measured_rate", "predicted_rate", "rate_sweep", "driven_network",
           "critical_gain", "recurrent_matrix", "product_log_singular_values", "upper_spread", "isometry_run"]
