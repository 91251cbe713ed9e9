"""Supporting theorems, each a function returning a ``Result`` (statement, proven, detail).

>>> sorted(THEOREMS)[:3]
['chain_rule_lru_tau2', 'chain_rule_lru_tau3', 'chain_rule_mingru_tau2']
"""

from .activation import GAMMA, relu_derivative, sigmoid_derivative_bound, sigmoid_forms, tanh_derivative_bound
from .bounds import hochreiter_factor_bound, one_step_bound, tau_step_bound
from .chain import chain_rule
from .counts import parameter_count, published_counts

# Name -> a function of no arguments returning a Result (or a list of Results): the registry's entry points.
THEOREMS = {
    "sigmoid_forms": sigmoid_forms,
    "tanh_derivative_bound": tanh_derivative_bound,
    "sigmoid_derivative_bound": sigmoid_derivative_bound,
    "relu_derivative": relu_derivative,
    **{f"one_step_bound_{phi}": (lambda phi=phi: one_step_bound(phi)) for phi in GAMMA},
    **{f"tau_step_bound_{phi}": (lambda phi=phi: tau_step_bound(phi)) for phi in GAMMA},
    "hochreiter_factor_bound": hochreiter_factor_bound,
    "parameter_counts": published_counts,
    # The chain rule on a dense Jacobian (rnn), a 2×2-block one (lru) and a diagonal one (mingru);
    # chain_rule(2, "lstm") also proves (about 5 s, a default test), "gru" and others in slow tests.
    **{f"chain_rule_{key}_tau{tau}": (lambda key=key, tau=tau: chain_rule(tau, key)) for key in ("rnn", "lru", "mingru") for tau in (2, 3)},
}

__all__ = [
    "GAMMA", "THEOREMS", "chain_rule", "hochreiter_factor_bound", "one_step_bound", "parameter_count",
    "published_counts", "relu_derivative", "sigmoid_derivative_bound", "sigmoid_forms", "tanh_derivative_bound",
    "tau_step_bound",
]
