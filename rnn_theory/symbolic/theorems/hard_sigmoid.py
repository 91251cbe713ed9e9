"""The hard sigmoids' derivatives, case by case: hσ(a) = clip(α·a + 1/2, 0, 1) with α = 1/5 (Keras 2)
or α = 1/6 (Keras 3, relu6(a + 3)/6), kinks at a = ±k, k = 1/(2α).

The function is split into its pieces over the reals (SymPy's ``as_expr_set_pairs`` of its
Piecewise form); on each open piece the derivative of the piece equals the backend's derivative
function: 0 for a < −k, α for −k < a < k, 0 for a > k. The pieces join continuously at ±k (so hσ is
continuous and piecewise linear), and at the kinks the package takes the flat side's derivative 0,
a convention, as relu'(0) = 0. Hence sup|hσ'| = α.

>>> hard_sigmoid_derivative("hard_sigmoid_keras2").proven, hard_sigmoid_derivative("hard_sigmoid_keras3").proven
(True, True)
>>> hard_sigmoid_derivative("hard_sigmoid_keras2", slope=sp.Rational(1, 4)).proven
False
"""

import sympy as sp

from .. import functions
from ..result import Step, from_steps

a = sp.Symbol("a", real=True)


def hard_sigmoid_derivative(name, slope=None):
    """hσ' = α on (−k, k), 0 outside, with 0 at ±k by convention; ``slope`` the claimed α (default the
    function's own, so that a wrong one, a mutant, fails)."""
    value, derivative = getattr(functions, name), getattr(functions, "d" + name)
    alpha = value.slope if slope is None else slope
    k = 1 / (2 * value.slope)
    pieces = value(a).rewrite(sp.Piecewise).as_expr_set_pairs()
    slopes = derivative(a).rewrite(sp.Piecewise).as_expr_set_pairs()

    def slope_on(interval):  # the backend derivative's value on an open interval inside one of its pieces
        return next(expr for expr, where in slopes if interval.is_subset(where))

    expected = {(-sp.oo, -k): 0, (-k, k): alpha, (k, sp.oo): 0}
    steps = [
        Step(
            "machine",
            f"{name}(a) = clip({value.slope}·a + 1/2, 0, 1) has the pieces 0, {value.slope}·a + 1/2, 1",
            len(pieces) == 3,
        ),
        *[
            Step(
                "machine",
                f"on ({sp.sstr(lo)}, {sp.sstr(hi)}): d/da of the piece = {sp.sstr(want)} = the backend's derivative there",
                all(
                    sp.diff(expr, a) == want == slope_on(sp.Interval.open(lo, hi))
                    for expr, where in pieces
                    if sp.Interval.open(lo, hi).is_subset(where)
                )
                and any(sp.Interval.open(lo, hi).is_subset(where) for _, where in pieces),
            )
            for (lo, hi), want in expected.items()
        ],
        Step(
            "machine",
            f"the pieces join at a = ±{sp.sstr(k)}: {value.slope}·(±{sp.sstr(k)}) + 1/2 is 1 and 0, so hσ is continuous",
            sp.simplify(value.slope * k + sp.S.Half) == 1 and sp.simplify(-value.slope * k + sp.S.Half) == 0,
        ),
        Step(
            "machine",
            f"SymPy's d/da {name}(a) is d{name}(a), which is 0 at both kinks ±{sp.sstr(k)}",
            sp.diff(value(a), a) == derivative(a) and derivative(k) == 0 and derivative(-k) == 0,
        ),
        Step(
            "definition",
            f"hσ'(±{sp.sstr(k)}) = 0: the flat side's one-sided derivative, the convention of every backend (as relu'(0) = 0)",
        ),
    ]
    return from_steps(
        f"{name}'(a) = {sp.sstr(alpha)} for |a| < {sp.sstr(k)} and 0 for |a| > {sp.sstr(k)} (0 at ±{sp.sstr(k)} by "
        f"convention), so sup|{name}'| = {sp.sstr(alpha)}",
        steps,
    )
