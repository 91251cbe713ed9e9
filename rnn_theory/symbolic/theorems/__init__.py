"""Supporting theorems, each a function returning a ``Result`` (statement, proven, detail, steps).

``MUTANTS`` holds, for every registered theorem, the same check run on a wrong statement (a smaller
constant, a reversed product, a missing factor, …): each must come out not proven, which shows that
the check can fail.

>>> sorted(THEOREMS)[:3]
['chain_rule', 'chain_rule_lru_tau2', 'chain_rule_lru_tau3']
>>> THEOREMS["chain_rule"]().proven, MUTANTS["chain_rule"]().proven
(True, False)
"""

import sympy as sp

from ..indexed import n
from .activation import GAMMA, relu_derivative, sigmoid_derivative_bound, sigmoid_forms, tanh_derivative_bound
from .bounds import hochreiter_factor_bound, hochreiter_global_bound, one_step_bound, tau_step_bound
from .chain import _block_product, chain_rule, chain_rule_induction, inductive_step, layout, layout_step
from .counts import PUBLISHED, parameter_count, published_counts
from .hard_sigmoid import hard_sigmoid_derivative

_HARD_SIGMOIDS = ("hard_sigmoid_keras2", "hard_sigmoid_keras3")

# The chain rule at fixed τ on a dense Jacobian (rnn), a 2×2-block one (lru) and a diagonal one (mingru).
_FIXED_LAGS = [(key, tau) for key in ("rnn", "lru", "mingru") for tau in (2, 3)]

# Name -> a function of no arguments returning a Result (or a list of Results): the registry's entry points.
THEOREMS = {
    "sigmoid_forms": sigmoid_forms,
    "tanh_derivative_bound": tanh_derivative_bound,
    "sigmoid_derivative_bound": sigmoid_derivative_bound,
    "relu_derivative": relu_derivative,
    **{f"{name}_derivative": (lambda name=name: hard_sigmoid_derivative(name)) for name in _HARD_SIGMOIDS},
    **{f"one_step_bound_{phi}": (lambda phi=phi: one_step_bound(phi)) for phi in GAMMA},
    **{f"tau_step_bound_{phi}": (lambda phi=phi: tau_step_bound(phi)) for phi in GAMMA},
    "hochreiter_factor_bound": hochreiter_factor_bound,
    "hochreiter_global_bound": hochreiter_global_bound,
    "parameter_counts": published_counts,
    # Every lag, by induction; the inductive step checked once per block layout of the cells' states.
    "chain_rule": chain_rule_induction,
    **{f"chain_rule_{key}_tau{tau}": (lambda key=key, tau=tau: chain_rule(tau, key)) for key, tau in _FIXED_LAGS},
}


def _wrong_lstm_count():
    """The LSTM's published count without its biases: 4(n² + nm) instead of 4(n² + nm + n)."""
    return [row if row[0] != "lstm" else (row[0], row[1] - 4 * n, *row[2:]) for row in PUBLISHED]


# Name -> the same check on a wrong statement; every one must come out not proven.
MUTANTS = {
    "sigmoid_forms": lambda: sigmoid_forms(scale=1),
    "tanh_derivative_bound": lambda: tanh_derivative_bound(sup=sp.Rational(1, 2)),
    "sigmoid_derivative_bound": lambda: sigmoid_derivative_bound(sup=sp.Rational(1, 5)),
    "relu_derivative": lambda: relu_derivative(negative_slope=1),
    **{
        f"{name}_derivative": (lambda name=name: hard_sigmoid_derivative(name, slope=sp.Rational(1, 4)))
        for name in _HARD_SIGMOIDS
    },
    **{f"one_step_bound_{phi}": (lambda phi=phi: one_step_bound(phi, GAMMA[phi] / 2)) for phi in GAMMA},
    **{f"tau_step_bound_{phi}": (lambda phi=phi: tau_step_bound(phi, GAMMA[phi] / 2)) for phi in GAMMA},
    "hochreiter_factor_bound": lambda: hochreiter_factor_bound(limit=5),
    "hochreiter_global_bound": lambda: hochreiter_global_bound(fprime_max=sp.Rational(1, 5)),
    "parameter_counts": lambda: published_counts(_wrong_lstm_count()),
    # The inductive step with the product the wrong way round: P_(T−1,τ−1) J_T.
    "chain_rule": lambda: chain_rule_induction(compose=lambda J, P: _block_product(P, J)),
    # One Jacobian short: J_T ··· J_(T−τ+2).
    **{
        f"chain_rule_{key}_tau{tau}": (lambda key=key, tau=tau: chain_rule(tau, key, factors=tau - 1))
        for key, tau in _FIXED_LAGS
    },
}

__all__ = [
    "GAMMA",
    "MUTANTS",
    "THEOREMS",
    "chain_rule",
    "chain_rule_induction",
    "hochreiter_factor_bound",
    "hard_sigmoid_derivative",
    "hochreiter_global_bound",
    "inductive_step",
    "layout",
    "layout_step",
    "one_step_bound",
    "parameter_count",
    "published_counts",
    "relu_derivative",
    "sigmoid_derivative_bound",
    "sigmoid_forms",
    "tanh_derivative_bound",
    "tau_step_bound",
]
