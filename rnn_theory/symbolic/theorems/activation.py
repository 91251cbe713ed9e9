"""Facts about the activations: σ's three forms agree, sup|tanh'| = 1 and sup|σ'| = 1/4 (both
attained only at 0), relu' = 1 for a > 0 and 0 for a < 0.

Each proof works on a small expression in one variable, with the substitution that makes it a
polynomial or rational identity (t = tanh a, s = σ(a), u = e^{a/2}), then ``expand``/``cancel``; a
supremum is SymPy's ``minimum`` of sup − φ' over the range of t or s, which SymPy computes too.
Every theorem takes the constant it claims as an argument, so that a wrong constant (a mutant of
the statement) can be shown to fail.

>>> [r.proven for r in (sigmoid_forms(), tanh_derivative_bound(), sigmoid_derivative_bound(), relu_derivative())]
[True, True, True, True]
>>> tanh_derivative_bound(sup=sp.Rational(1, 2)).proven
False
>>> GAMMA["sigmoid"]
1/4
"""

import sympy as sp
from sympy.calculus.util import function_range, minimum

from ..functions import relu, relu_step, sigma
from ..result import Step, from_steps

a = sp.Symbol("a", real=True)
# γ = sup|φ'| for each activation of the rnn cell (Pascanu et al. 2013, section 3.2).
GAMMA = {"tanh": sp.S.One, "sigmoid": sp.Rational(1, 4), "relu": sp.S.One}
LOGISTIC = 1 / (1 + sp.exp(-a))


def _zero(expr):
    return sp.cancel(expr) == 0


def sigmoid_forms(scale=sp.S.Half):
    """σ (the SymPy function), its derivative σ(1 − σ), and the backend's (1 + tanh(a/2))/2 all
    agree with the logistic function 1/(1 + e^{−a}). ``scale`` is the claimed 1/2 in tanh(a/2)."""
    t, u = sp.Symbol("t", positive=True), sp.Symbol("u", positive=True)  # t = e^{−a}, u = e^{a·scale}
    backend = ((1 + sp.tanh(scale * a).rewrite(sp.exp)) / 2).subs({sp.exp(scale * a): u, sp.exp(-scale * a): 1 / u})
    steps = [
        Step("machine", "σ(a) = 1/(1 + e^{−a})", _zero((sigma(a).rewrite(sp.exp) - LOGISTIC).subs(sp.exp(-a), t))),
        Step(
            "machine",
            "d/da 1/(1 + e^{−a}) = σ(a)(1 − σ(a))",
            _zero((sp.diff(LOGISTIC, a) - LOGISTIC * (1 - LOGISTIC)).subs(sp.exp(-a), t)),
        ),
        # e^{−a} = u^{−1/scale}: a rational function of u exactly when 1/scale is an integer.
        Step(
            "machine",
            f"(1 + tanh({sp.sstr(scale * a)}))/2 = 1/(1 + e^{{−a}})",
            _zero(backend - (1 / (1 + u ** (-1 / scale)))),
        ),
        Step("machine", "SymPy's d/da σ(a) is σ(a)(1 − σ(a))", sp.diff(sigma(a), a) - sigma(a) * (1 - sigma(a)) == 0),
    ]
    return from_steps(f"σ(a) = 1/(1 + e^{{−a}}) = (1 + tanh({sp.sstr(scale * a)}))/2 and σ' = σ(1 − σ)", steps)


def _supremum_steps(name, derivative, variable, function, sup):
    """φ' = derivative(variable) with variable = function(a): its range, sup − φ' >= 0 on it, φ'(0) = sup."""
    span = function_range(function, a, sp.S.Reals)
    gap = minimum(sup - derivative, variable, sp.Interval(span.inf, span.sup))
    return [
        Step("machine", f"{variable} = {name}(a) ranges over ({span.inf}, {span.sup})", isinstance(span, sp.Interval)),
        Step(
            "machine",
            f"min over {variable} in [{span.inf}, {span.sup}] of {sp.sstr(sup)} − {name}' is {gap} >= 0",
            bool(gap >= 0),
        ),
        Step(
            "machine",
            f"{name}'(0) = {sp.sstr(sup)}: the bound is attained at a = 0",
            sp.diff(function, a).subs(a, 0) == sup,
        ),
    ]


def tanh_derivative_bound(sup=sp.S.One):
    """sup_a |tanh'(a)| = 1, attained only at a = 0."""
    t = sp.Symbol("t", real=True)  # t = tanh(a)
    steps = [
        Step("machine", "tanh' = 1 − t², with t = tanh(a)", sp.diff(sp.tanh(a), a) == 1 - sp.tanh(a) ** 2),
        *_supremum_steps("tanh", 1 - t**2, t, sp.tanh(a), sup),
        Step(
            "machine",
            "only at a = 0: 1 − tanh' = t² vanishes only at t = 0, and tanh vanishes only at 0",
            sp.solve(t**2, t) == [0] and sp.solve(sp.tanh(a), a) == [0],
        ),
    ]
    return from_steps(f"sup_a |tanh'(a)| = {sp.sstr(sup)}, attained only at a = 0", steps)


def sigmoid_derivative_bound(sup=sp.Rational(1, 4)):  # noqa: B008 (an immutable SymPy number)
    """sup_a |σ'(a)| = 1/4, attained only at a = 0."""
    s = sp.Symbol("s", real=True)  # s = σ(a)
    steps = [
        Step("machine", "σ' = s(1 − s) with s = σ(a)", sp.diff(sigma(a), a) == sigma(a) * (1 - sigma(a))),
        *_supremum_steps("σ", s * (1 - s), s, LOGISTIC, sup),
        Step(
            "machine",
            "only at a = 0: 1/4 − σ' = (s − 1/2)² vanishes only at s = 1/2, and σ(a) = 1/2 only at a = 0",
            sp.expand(sp.Rational(1, 4) - s * (1 - s) - (s - sp.S.Half) ** 2) == 0
            and sp.solve(LOGISTIC - sp.S.Half, a) == [0],
        ),
    ]
    return from_steps(f"sup_a |σ'(a)| = {sp.sstr(sup)}, attained only at a = 0", steps)


def relu_derivative(negative_slope=sp.S.Zero):
    """relu'(a) = 1 for a > 0 and 0 for a < 0; at a = 0 the package takes the subgradient 0."""
    positive, negative = sp.Symbol("p", positive=True), sp.Symbol("q", negative=True)
    steps = [
        Step("machine", "d/da max(a, 0) = 1 for a > 0", sp.diff(sp.Max(positive, 0), positive) == 1),
        Step(
            "machine",
            f"d/da max(a, 0) = {negative_slope} for a < 0",
            sp.diff(sp.Max(negative, 0), negative) == negative_slope,
        ),
        Step(
            "machine",
            "SymPy's d/da relu(a) is relu_step(a), which is 1, 0, 0 at a > 0, a < 0, a = 0",
            sp.diff(relu(a), a) == relu_step(a)
            and relu_step(positive) == 1
            and relu_step(negative) == 0
            and relu_step(0) == 0,
        ),
        Step("definition", "relu'(0) = 0: the subgradient the numeric backend takes where relu has no derivative"),
    ]
    return from_steps(
        f"relu'(a) = 1 for a > 0, {negative_slope} for a < 0 (and the convention relu'(0) = 0), so sup|relu'| = 1",
        steps,
    )
