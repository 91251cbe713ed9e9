"""Gradient bounds: Pascanu et al. 2013 eqs. (6)–(7) and Hochreiter's |σ'(net)·w| < 1.

One step (Pascanu eq. 6): ‖diag(φ'(a))·W‖₂ <= γ·σ_max(W), γ = sup|φ'|. In index form, with
y = W v and d = φ'(a): ‖diag(d) y‖² = Σ_i d_i² y_i², and γ²‖y‖² − ‖diag(d) y‖² = Σ_i e_i y_i² with
e_i = γ² − d_i². SymPy checks that e_i >= 0 for every value φ' takes (the minimum of γ² − φ'² over
the range of tanh or σ, or over {0, 1} for relu): a check that fails for a γ below sup|φ'|. The rest
(a sum of non-negative terms is non-negative; ‖W v‖ <= σ_max(W)‖v‖ by the definition of ‖·‖₂) is
written out as a hand step.

τ steps (eq. 7): the spectral norm is submultiplicative (cited: it is an operator norm), so by
induction on τ ‖∏_{t} diag(φ'(a_t))·W‖₂ <= (γ σ_max(W))^τ, which tends to 0 when σ_max(W) < 1/γ.

>>> one_step_bound("sigmoid").proven, tau_step_bound("tanh").proven, hochreiter_factor_bound().proven
(True, True, True)
>>> one_step_bound("tanh", gamma=sp.Rational(1, 2)).proven  # a γ below sup|tanh'| = 1 fails
False
"""

import sympy as sp
from sympy.calculus.util import function_range, minimum

from ..indexed import Flat, i, index_sum, j, matrix, n, vector
from ..ops import SympyOps
from ..result import Step, from_steps
from ..rewrite import normal
from .activation import GAMMA, LOGISTIC, a, sigmoid_derivative_bound

_PHI = {"tanh": "tanh", "sigmoid": "σ", "relu": "relu"}
HORN_JOHNSON = "Horn & Johnson 2013, Matrix Analysis, 2nd ed., section 5.6: every induced (operator) norm is submultiplicative [horn2013]"
_u = sp.Symbol("u", real=True)  # u = tanh(a) or σ(a); for relu, u = relu'(a) itself


def _derivative_values(activation):
    """(φ' as a function of u, the closure of the set u ranges over): u = tanh(a), σ(a), or relu' itself."""
    if activation == "relu":
        return _u, sp.FiniteSet(0, 1)
    span = function_range(sp.tanh(a) if activation == "tanh" else LOGISTIC, a, sp.S.Reals)
    return (1 - _u**2 if activation == "tanh" else _u * (1 - _u)), sp.Interval(span.inf, span.sup)


def _times(gamma, what):
    return what if gamma == 1 else f"{gamma}·{what}"


def _least_gap(derivative, values, gamma):
    """min over the values of φ' of γ² − φ'²: the e_i >= 0 of the proof, computed, not assumed."""
    gap = gamma**2 - derivative**2
    if isinstance(values, sp.FiniteSet):
        return min(gap.subs(_u, v) for v in values)
    return minimum(gap, _u, values)


def _interval(values):
    return f"[{values.inf}, {values.sup}]" if isinstance(values, sp.Interval) else str(values)


def one_step_bound(activation="tanh", gamma=None):
    """‖diag(φ'(a))·W‖₂ <= γ·σ_max(W) for every n, W and a (Pascanu et al. 2013, eq. 6).

    ``gamma`` (default sup|φ'|) is the constant claimed: a smaller one must fail.
    """
    gamma = GAMMA[activation] if gamma is None else sp.sympify(gamma)
    space = Flat(n)
    d, v, W = vector("d", space), vector("v", space), matrix("W", space, space)
    y, dy = W @ v, SympyOps().diag_matmul(d, W) @ v  # (diag(d) W v)_i, from the backend's own diag_matmul
    e = sp.IndexedBase("e")
    derivative, values = _derivative_values(activation)
    least = _least_gap(derivative, values, gamma)
    steps = [
        Step(
            "machine", "(diag(d) W v)_i = d_i (W v)_i for general n", normal(dy[i] - d[i] * y[i], {i: (0, n - 1)}) == 0
        ),
        Step(
            "machine",
            "γ² y_i² − d_i² y_i² = e_i y_i² with e_i = γ² − d_i²",
            sp.expand((gamma**2 * y[i] ** 2 - (d[i] * y[i]) ** 2).subs(d[i] ** 2, gamma**2 - e[i]) - e[i] * y[i] ** 2)
            == 0,
        ),
        Step(
            "machine",
            f"e_i >= 0: with {_PHI[activation]}' = {sp.sstr(derivative).replace('**', '^')}, u ∈ {_interval(values)}, the minimum of "
            f"({gamma})² − {_PHI[activation]}'² is {least}",
            bool(least >= 0),
        ),
        Step(
            "hand",
            "‖diag(d) W v‖ <= γ‖W v‖ <= γ σ_max(W)‖v‖",
            True,
            "With y = W v: γ²‖y‖² − ‖diag(d) y‖² = Σ_i e_i y_i² >= 0, a sum of products of non-negative e_i and "
            "squares y_i². So ‖diag(d) y‖ <= γ‖y‖, and ‖W v‖ <= σ_max(W)‖v‖ because σ_max(W) = ‖W‖₂ = "
            "max_{v≠0} ‖W v‖/‖v‖. Taking the maximum over ‖v‖ = 1 gives the bound.",
        ),
    ]
    return from_steps(
        f"‖diag({_PHI[activation]}'(a))·W‖₂ <= {_times(gamma, 'σ_max(W)')} for all n, W, a (Pascanu et al. 2013, eq. 6)",
        steps,
    )


def tau_step_bound(activation="tanh", gamma=None):
    """‖∏_{t=1}^{τ} diag(φ'(a_t))·W‖₂ <= (γ σ_max(W))^τ → 0 when σ_max(W) < 1/γ (eq. 7)."""
    gamma = GAMMA[activation] if gamma is None else sp.sympify(gamma)
    tau = sp.Symbol("tau", integer=True, positive=True)
    s, eps = sp.Symbol("s", nonnegative=True), sp.Symbol("epsilon", positive=True)
    q = gamma * s
    below = sp.solve_univariate_inequality(q < 1, s, relational=False) & sp.Interval(0, sp.oo)
    steps = [
        Step(
            "machine",
            "one step: " + one_step_bound(activation, gamma).statement,
            one_step_bound(activation, gamma).proven,
        ),
        Step("cited", "‖A B‖₂ <= ‖A‖₂‖B‖₂ (the spectral norm is submultiplicative)", True, HORN_JOHNSON),
        Step("machine", "q·q^τ = q^(τ+1) for q = γ σ_max(W)", sp.simplify(q * q**tau / q ** (tau + 1)) == 1),
        Step(
            "hand",
            "induction on τ: ‖∏_{t=1}^{τ} J_t‖₂ <= q^τ",
            True,
            "τ = 1 is the one-step bound. If ‖∏_{t=1}^{τ} J_t‖₂ <= q^τ, then ‖J_{τ+1} ∏_{t=1}^{τ} J_t‖₂ <= "
            "‖J_{τ+1}‖₂ ‖∏_{t=1}^{τ} J_t‖₂ <= q·q^τ = q^(τ+1), by submultiplicativity and the one-step bound.",
        ),
        Step("machine", f"q < 1 exactly when σ_max(W) < {1 / gamma}", below == sp.Interval.Ropen(0, 1 / gamma)),
        Step("machine", "q^τ → 0 as τ → ∞ for 0 <= q < 1", sp.limit((1 / (1 + eps)) ** tau, tau, sp.oo) == 0),
    ]
    return from_steps(
        f"‖∏_τ diag({_PHI[activation]}'(a_t))·W‖₂ <= ({_times(gamma, 'σ_max(W)')})^τ, which vanishes as τ → ∞ when "
        f"σ_max(W) < {1 / gamma} (Pascanu et al. 2013, eq. 7)",
        steps,
    )


def hochreiter_factor_bound(limit=4):
    """|σ'(net)·w| < 1 whenever |w| < 4 (Hochreiter 1991; Hochreiter & Schmidhuber 1997, sec. 3),
    and the bound is tight: |σ'(0)·4| = 1. ``limit`` is the claimed 4."""
    w = sp.Symbol("w", nonnegative=True)  # |w|
    quarter = sp.Rational(1, 4)
    below = sp.solve_univariate_inequality(quarter * w < 1, w, relational=False) & sp.Interval(0, sp.oo)
    steps = [
        Step("machine", "sup|σ'| = 1/4, so |σ'(net)·w| <= |w|/4", sigmoid_derivative_bound().proven),
        Step("machine", f"|w|/4 < 1 exactly when |w| < {limit}", below == sp.Interval.Ropen(0, limit)),
        Step("machine", f"tight: σ'(0)·{limit} = 1", sp.diff(LOGISTIC, a).subs(a, 0) * limit == 1),
    ]
    return from_steps(
        f"|σ'(net)·w| <= |w|/4 < 1 whenever |w| < {limit}, with equality 1 at net = 0, |w| = {limit} (Hochreiter 1991)",
        steps,
    )


def _split_abs(expr):
    """|a·b| = |a|·|b| applied to every absolute value of a product."""
    return expr.replace(
        lambda e: isinstance(e, sp.Abs) and isinstance(e.args[0], sp.Mul),
        lambda e: sp.Mul(*(sp.Abs(f) for f in e.args[0].args)),
    )


def _all_ones(expr):
    """``expr`` with every entry of every matrix set to 1."""
    return expr.replace(lambda e: isinstance(e, sp.Indexed), lambda e: sp.S.One)


def hochreiter_global_bound(fprime_max=GAMMA["sigmoid"]):
    """|∂ϑ_v(t−q)/∂ϑ_u(t)| <= n·(f'_max·‖W‖_A)^q, and with |w_ij| <= w_max < 4.0/n (logistic units) the
    error decays as n·τ^q, τ = n·w_max/4.0 < 1 (Hochreiter & Schmidhuber 1997, §3.1, "Weak upper
    bound for scaling factor"); ‖W‖_A = max_r Σ_s |w_rs|, ‖x‖_x = max_r |x_r|.

    The error scaling is the (u, v) entry of ∂net(t)/∂net(t−q) = W F'(t−1) W F'(t−2) ··· W F'(t−q),
    F'(t) = diag(f'(net(t))). ``fprime_max`` is the claimed sup of the logistic's f' (1/4); a smaller
    one fails. The last steps show how weak the bound is: the all-w_max W at f' = f'_max everywhere
    (which makes every path's sign the same) reaches n^{q−1}·(f'_max·w_max)^q, 1/n² of n·τ^q.
    """
    fprime_max = sp.sympify(fprime_max)
    space = Flat(n)
    d, W = vector("d", space), matrix("W", space, space)
    row = _split_abs(index_sum(sp.Abs(SympyOps().diag_matmul(d, W)[i, j]), j, n - 1))
    big_x, big_y = sp.symbols("X Y", nonnegative=True)  # ‖x‖_x, ‖y‖_x: every |x_i| <= X, |y_i| <= Y
    q = sp.Symbol("q", integer=True, positive=True)
    w_max, eps = sp.Symbol("w_max", positive=True), sp.Symbol("epsilon", positive=True)
    tau = n * w_max * fprime_max
    below = sp.solve_univariate_inequality(tau < 1, w_max, relational=False)  # w_max > 0 by its symbol
    ones = matrix("J", space, space)
    uniform_entry = n ** (q - 1) * (fprime_max * w_max) ** q
    steps = [
        Step(
            "machine", f"f'_max = sup σ' = {fprime_max} for the logistic", sigmoid_derivative_bound(fprime_max).proven
        ),
        Step(
            "machine",
            "row sums of F'W for general n: Σ_s |d_r w_rs| = |d_r|·Σ_s |w_rs|, so ‖F'W‖_A <= f'_max‖W‖_A",
            normal(row - sp.Abs(d[i]) * index_sum(sp.Abs(W[i, j]), j, n - 1), {i: (0, n - 1)}) == 0,
        ),
        Step(
            "cited", "‖A B‖_A <= ‖A‖_A‖B‖_A and ‖A x‖_x <= ‖A‖_A‖x‖_x (‖·‖_A is induced by ‖·‖_x)", True, HORN_JOHNSON
        ),
        Step(
            "machine",
            "|xᵀy| <= Σ_i |x_i||y_i| <= Σ_{i<n} X·Y = n·‖x‖_x‖y‖_x",
            sp.simplify(index_sum(big_x * big_y, i, n - 1).doit() - n * big_x * big_y) == 0,
        ),
        Step(
            "hand",
            "|∂ϑ_v(t−q)/∂ϑ_u(t)| <= n(f'_max)^q ‖W_v‖_x ‖W_uᵀ‖_x ‖W‖_A^(q−2) <= n(f'_max‖W‖_A)^q",
            True,
            "For q > 1 the entry is W_uᵀᵀ A W_v f'_v(net_v(t−q)) with A = F'(t−1) ∏_{m=2}^{q−1} W F'(t−m): by the "
            "inner-product step, the induced norm and the row-sum step, |·| <= n‖W_uᵀ‖_x ‖A‖_A ‖W_v‖_x f'_max "
            "with ‖A‖_A <= (f'_max)^(q−1)‖W‖_A^(q−2); a row and a column of W are at most ‖W‖_A in ‖·‖_x. "
            "q = 1: |f'_v w_uv| <= f'_max‖W‖_A <= n·f'_max‖W‖_A.",
        ),
        Step(
            "machine",
            f"‖W‖_A <= n·w_max gives n(f'_max n w_max)^q = n·τ^q with τ = n·w_max/{1 / fprime_max}",
            sp.simplify(n * (fprime_max * n * w_max) ** q - n * (n * w_max / 4) ** q) == 0,
        ),
        Step(
            "machine",
            f"τ < 1 exactly when w_max < {1 / fprime_max}/n",
            below == sp.Interval.open(-sp.oo, 1 / (fprime_max * n)),
        ),
        Step("machine", "τ^q → 0 as q → ∞ for 0 <= τ < 1", sp.limit((1 / (1 + eps)) ** q, q, sp.oo) == 0),
        Step(
            "machine",
            "all-ones J: J·J = n·J for general n, so J^q = n^(q−1)·J (induction on q)",
            sp.simplify(_all_ones((ones @ ones)[i, j]).doit() - n * _all_ones(ones[i, j])) == 0,
        ),
        Step(
            "machine",
            "W = w_max·J at f' = f'_max: the entry n^(q−1)(f'_max w_max)^q is 1/n² of n·(f'_max‖W‖_A)^q",
            sp.simplify(uniform_entry / (n * (fprime_max * n * w_max) ** q) - 1 / n**2) == 0,
        ),
    ]
    return from_steps(
        f"|∂ϑ_v(t−q)/∂ϑ_u(t)| <= n(f'_max‖W‖_A)^q <= n·τ^q with τ = n·w_max·{fprime_max} < 1 when w_max < "
        f"{1 / fprime_max}/n; the uniform W at f' = f'_max reaches 1/n² of it (Hochreiter & Schmidhuber 1997, section 3.1)",
        steps,
    )
