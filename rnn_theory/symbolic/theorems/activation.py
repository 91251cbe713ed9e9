"""Facts about the activations: σ's three forms agree, sup|tanh'| = 1 and sup|σ'| = 1/4 (both
attained only at 0), relu' = 1 for a > 0 and 0 for a < 0.

Each proof works on a small expression in one variable, with the substitution that makes it a
polynomial or rational identity (t = tanh a, s = σ(a), u = e^{a/2}), then ``expand``/``cancel``.

>>> [r.proven for r in (sigmoid_forms(), tanh_derivative_bound(), sigmoid_derivative_bound(), relu_derivative())]
[True, True, True, True]
>>> GAMMA["sigmoid"]
1/4
"""

import sympy as sp

from ..functions import relu, relu_step, sigma
from ..result import Result

a = sp.Symbol("a", real=True)
# γ = sup|φ'| for each activation of the rnn cell (Pascanu et al. 2013, section 3.2).
GAMMA = {"tanh": sp.S.One, "sigmoid": sp.Rational(1, 4), "relu": sp.S.One}


def sigmoid_forms():
    """σ (the SymPy function), its derivative σ(1 − σ), and the backend's (1 + tanh(a/2))/2
    all agree with the logistic function 1/(1 + e^{−a})."""
    logistic = 1 / (1 + sp.exp(-a))
    t, u = sp.Symbol("t", positive=True), sp.Symbol("u", positive=True)  # t = e^{−a}, u = e^{a/2}
    checks = {
        "σ(a) = 1/(1 + e^{−a})": sp.cancel((sigma(a).rewrite(sp.exp) - logistic).subs(sp.exp(-a), t)),
        "σ'(a) = σ(a)(1 − σ(a))": sp.cancel(
            (sp.diff(logistic, a) - logistic * (1 - logistic)).subs(sp.exp(-a), t)
        ),
        "(1 + tanh(a/2))/2 = 1/(1 + e^{−a})": sp.cancel(
            ((1 + sp.tanh(a / 2).rewrite(sp.exp)) / 2 - logistic).subs({sp.exp(-a): u**-2, sp.exp(a / 2): u, sp.exp(-a / 2): 1 / u})
        ),
        "d/da σ(a) (SymPy) = σ(a)(1 − σ(a))": sp.diff(sigma(a), a) - sigma(a) * (1 - sigma(a)),
    }
    proven = all(value == 0 for value in checks.values())
    detail = "; ".join(f"{name}: difference cancels to {value}" for name, value in checks.items())
    return Result("σ(a) = 1/(1 + e^{−a}) = (1 + tanh(a/2))/2 and σ' = σ(1 − σ)", proven, detail)


def tanh_derivative_bound():
    """sup_a |tanh'(a)| = 1, attained only at a = 0."""
    t = sp.Symbol("t", real=True)  # t = tanh(a) ∈ (−1, 1)
    derivative = sp.diff(sp.tanh(a), a)
    steps = [
        derivative == 1 - sp.tanh(a) ** 2,  # tanh' = 1 − t², positive for |t| < 1 so |tanh'| = tanh'
        (1 - (1 - t**2)).is_nonnegative,  # 1 − tanh' = t² >= 0
        sp.solve(t**2, t) == [0] and sp.solve(sp.tanh(a), a) == [0],  # equality iff t = 0 iff a = 0
        derivative.subs(a, 0) == 1,
    ]
    return Result(
        "sup_a |tanh'(a)| = 1, attained only at a = 0",
        all(steps),
        "tanh' = 1 − t² with t = tanh(a) ∈ (−1, 1); 1 − tanh' = t² >= 0, zero iff t = 0 iff a = 0; tanh'(0) = 1",
    )


def sigmoid_derivative_bound():
    """sup_a |σ'(a)| = 1/4, attained only at a = 0."""
    s = sp.Symbol("s", real=True)  # s = σ(a) ∈ (0, 1)
    quarter = sp.Rational(1, 4)
    steps = [
        sp.expand(quarter - s * (1 - s) - (s - sp.S.Half) ** 2) == 0,  # 1/4 − σ' = (s − 1/2)² >= 0
        ((s - sp.S.Half) ** 2).is_nonnegative,
        sp.solve(1 / (1 + sp.exp(-a)) - sp.S.Half, a) == [0],  # equality iff σ(a) = 1/2 iff a = 0
        sp.diff(sigma(a), a).subs(a, 0) == quarter,
    ]
    return Result(
        "sup_a |σ'(a)| = 1/4, attained only at a = 0",
        all(steps),
        "σ' = s(1 − s) > 0 with s = σ(a) ∈ (0, 1); 1/4 − σ' = (s − 1/2)² >= 0, zero iff s = 1/2 iff a = 0; σ'(0) = 1/4",
    )


def relu_derivative():
    """relu'(a) = 1 for a > 0 and 0 for a < 0; at a = 0 the package takes the subgradient 0."""
    positive, negative = sp.Symbol("p", positive=True), sp.Symbol("q", negative=True)
    steps = [
        sp.diff(sp.Max(positive, 0), positive) == 1 and sp.diff(sp.Max(negative, 0), negative) == 0,
        sp.diff(relu(a), a) == relu_step(a),
        relu_step(positive) == 1 and relu_step(negative) == 0 and relu_step(0) == 0,
    ]
    return Result(
        "relu'(a) = 1 for a > 0, 0 for a < 0 (and the convention relu'(0) = 0), so sup|relu'| = 1",
        all(steps),
        "d/da max(a, 0) on a > 0 and a < 0 matches relu_step; relu_step(0) = 0 as in the numeric backend",
    )
