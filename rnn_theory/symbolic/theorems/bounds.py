"""Gradient bounds: Pascanu et al. 2013 eqs. (6)–(7) and Hochreiter's |σ'(net)·w| < 1.

One step (Pascanu eq. 6): ‖diag(φ'(a))·W‖₂ <= γ·σ_max(W), γ = sup|φ'|. In index form, with
y = W v and d = φ'(a): ‖diag(d) y‖² = Σ_i d_i² y_i², and γ²‖y‖² − ‖diag(d) y‖² = Σ_i (γ² − d_i²) y_i²
is a sum of terms e_i·y_i² with e_i = γ² − d_i² >= 0. So ‖diag(d) W v‖ <= γ‖W v‖ <= γ σ_max(W) ‖v‖.

τ steps (eq. 7): the spectral norm is submultiplicative (it is an operator norm), so
‖∏_{t} diag(φ'(a_t))·W‖₂ <= (γ σ_max(W))^τ, which tends to 0 when σ_max(W) < 1/γ.

>>> one_step_bound("sigmoid").proven, tau_step_bound("tanh").proven, hochreiter_factor_bound().proven
(True, True, True)
"""

import sympy as sp

from ..indexed import Flat, i, matrix, n, vector
from ..ops import SympyOps
from ..result import Result
from ..rewrite import normal
from .activation import GAMMA, relu_derivative, sigmoid_derivative_bound, tanh_derivative_bound

_GAMMA_PROOFS = {"tanh": tanh_derivative_bound, "sigmoid": sigmoid_derivative_bound, "relu": relu_derivative}


_PHI = {"tanh": "tanh", "sigmoid": "σ", "relu": "relu"}


def _times(gamma, what):
    return what if gamma == 1 else f"{gamma}·{what}"


def one_step_bound(activation="tanh"):
    """‖diag(φ'(a))·W‖₂ <= γ·σ_max(W) for every n, W and a (Pascanu et al. 2013, eq. 6)."""
    gamma = GAMMA[activation]
    space = Flat(n)
    d, v, W = vector("d", space), vector("v", space), matrix("W", space, space)
    ops = SympyOps()
    y = W @ v
    dy = ops.diag_matmul(d, W) @ v  # (diag(d) W v)_i, from the backend's own diag_matmul
    e = sp.IndexedBase("e")  # e_i = γ² − d_i² >= 0, since |d_i| <= γ
    steps = {
        "(diag(d) W v)_i = d_i (W v)_i": normal(dy[i] - d[i] * y[i], {i: (0, n - 1)}) == 0,
        "γ² y_i² − d_i² y_i² = e_i y_i² with e_i = γ² − d_i²": sp.expand(
            (gamma**2 * y[i] ** 2 - (d[i] * y[i]) ** 2).subs(d[i] ** 2, gamma**2 - e[i]) - e[i] * y[i] ** 2
        )
        == 0,
        "e_i y_i² >= 0": (sp.Symbol("e_i", nonnegative=True) * sp.Symbol("y_i", real=True) ** 2).is_nonnegative,
        f"sup|{activation}'| = {gamma}": _GAMMA_PROOFS[activation]().proven,
    }
    return Result(
        f"‖diag({_PHI[activation]}'(a))·W‖₂ <= {_times(gamma, 'σ_max(W)')} for all n, W, a (Pascanu et al. 2013, eq. 6)",
        all(steps.values()),
        "; ".join(f"{name}: {'proven' if ok else 'NOT proven'}" for name, ok in steps.items())
        + "; hence ‖diag(d)Wv‖ <= γ‖Wv‖ <= γ σ_max(W) ‖v‖",
    )


def tau_step_bound(activation="tanh"):
    """‖∏_{t=1}^{τ} diag(φ'(a_t))·W‖₂ <= (γ σ_max(W))^τ → 0 when σ_max(W) < 1/γ (eq. 7)."""
    gamma = GAMMA[activation]
    tau = sp.Symbol("tau", integer=True, positive=True)
    s, eps = sp.Symbol("s", positive=True), sp.Symbol("epsilon", positive=True)
    q = gamma * s
    steps = {
        "one step": one_step_bound(activation).proven,
        # powsimp alone leaves (s/4)·(s/4)^τ uncombined; the quotient of two powers simplifies at once.
        "induction: q·q^τ = q^(τ+1)": sp.simplify(q * q**tau / q ** (tau + 1)) == 1,
        "q^τ → 0 for 0 < q = γσ_max < 1": sp.limit((1 / (1 + eps)) ** tau, tau, sp.oo) == 0,
    }
    return Result(
        f"‖∏_τ diag({_PHI[activation]}'(a_t))·W‖₂ <= ({_times(gamma, 'σ_max(W)')})^τ, which vanishes as τ → ∞ when "
        f"σ_max(W) < {1 / gamma} (Pascanu et al. 2013, eq. 7)",
        all(steps.values()),
        "; ".join(f"{name}: {'proven' if ok else 'NOT proven'}" for name, ok in steps.items())
        + "; submultiplicativity of the operator norm ‖·‖₂ carries the step bound through the product",
    )


def hochreiter_factor_bound():
    """|σ'(net)·w| < 1 whenever |w| < 4 (Hochreiter 1991; Hochreiter & Schmidhuber 1997, sec. 3),
    and the bound is tight: |σ'(0)·4| = 1."""
    e = sp.Symbol("e", positive=True)  # |w| = 4 − e, 0 < e <= 4
    quarter = sp.Rational(1, 4)
    steps = {
        "sup|σ'| = 1/4": sigmoid_derivative_bound().proven,
        "1 − |w|/4 = e/4 > 0": sp.expand(1 - quarter * (4 - e) - e / 4) == 0 and (e / 4).is_positive,
        "tight at net = 0, |w| = 4": quarter * 4 == 1,
    }
    return Result(
        "|σ'(net)·w| <= |w|/4 < 1 whenever |w| < 4, with equality 1 at net = 0, |w| = 4 (Hochreiter 1991)",
        all(steps.values()),
        "; ".join(f"{name}: {'proven' if ok else 'NOT proven'}" for name, ok in steps.items()),
    )
