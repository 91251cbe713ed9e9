"""The classic results a referee expects beside the vanishing-gradient story, as computations:

- ``wall``: the one-unit model of Pascanu et al. (2013, §2.2–2.3, eq. 8, Fig. 6): loss, gradient, Hessian,
  fixed points, bifurcations and where the wall lies;
- ``clipping``: gradient norm clipping (Pascanu et al. 2013, §3.2, Algorithm 1) on that surface;
- ``networks``: the random driven tanh RNN (Gaussian or orthogonal W) and its seeded draws;
- ``meanfield_rate``: the mean-field rate ½·ln χ with input against measured gradient slopes;
- ``isometry``: critical initialisation (χ = 1) and the singular-value spread of P_τ, orthogonal
  against Gaussian W;
- ``nonnormal``: transient growth of ‖W^τ‖ with ρ(W) < 1, its genericity and its fragility;
- ``irnn``: the IRNN's all-or-nothing gradient passage (Le, Jaitly & Hinton 2015);
- ``oseledets``: the finite-lag gradient rate converging to λ₁;
- ``hochreiter``: the error scaling of Hochreiter & Schmidhuber (1997, §3.1) against their global bound.
"""

from .clipping import clip_by_norm, descend, step_lengths
from .hochreiter import diagonal_net, error_scaling, global_bound, row_sum_norm, scaling_from_jacobians, uniform_net
from .irnn import passing_fraction
from .isometry import critical_gain, isometry_run, product_log_singular_values, upper_spread
from .meanfield_rate import measured_rate, predicted_rate, rate_sweep
from .networks import driven_network, recurrent_matrix
from .nonnormal import chain_matrix, chain_power, kreiss_bound, perturbed, power_log_norms, transient
from .oseledets import decay_exponent, rate_convergence
from .wall import (
    attractor_from,
    final_state,
    fixed_points,
    one_unit_loss,
    saddle_node_biases,
    wall_crossing,
    wall_location,
)

__all__ = [
    "one_unit_loss",
    "final_state",
    "fixed_points",
    "saddle_node_biases",
    "attractor_from",
    "wall_location",
    "wall_crossing",
    "clip_by_norm",
    "descend",
    "step_lengths",
    "measured_rate",
    "predicted_rate",
    "rate_sweep",
    "driven_network",
    "critical_gain",
    "recurrent_matrix",
    "product_log_singular_values",
    "upper_spread",
    "isometry_run",
    "chain_matrix",
    "chain_power",
    "power_log_norms",
    "transient",
    "perturbed",
    "kreiss_bound",
    "passing_fraction",
    "rate_convergence",
    "decay_exponent",
    "error_scaling",
    "scaling_from_jacobians",
    "global_bound",
    "row_sum_norm",
    "uniform_net",
    "diagonal_net",
]
