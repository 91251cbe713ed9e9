"""The activations as SymPy functions: σ with σ' = σ(1 − σ), relu with relu' a unit step.

SymPy's own ``tanh`` already differentiates to 1 − tanh², the closed form the numeric backend
uses. σ and relu are not SymPy built-ins in the form we need, so they are defined here:

- ``sigma(a)``: the logistic sigmoid σ(a) = 1/(1 + e^{−a}); its derivative is written
  σ(a)(1 − σ(a)), as in the numeric backend. ``rnn_theory.symbolic.theorems`` proves that
  this function, its derivative and the backend's (1 + tanh(a/2))/2 agree with 1/(1 + e^{−a}).
- ``hard_sigmoid_keras2(a)`` = clip(a/5 + 1/2, 0, 1) and ``hard_sigmoid_keras3(a)`` = clip(a/6 + 1/2,
  0, 1), whose derivatives are their slope inside the band and 0 outside; at a kink the flat side's
  0 (the one-sided derivative from outside the band), as the numeric backend and relu'(0) = 0.
- ``relu(a)`` = max(a, 0) and ``relu_step(a)``, its derivative for a ≠ 0: 1 for a > 0, else 0.
  At a = 0, where relu has no derivative, we take the subgradient 0, exactly as the numeric
  backend does, so that the closed form and the derivation agree everywhere.

>>> import sympy as sp
>>> a = sp.Symbol("a", real=True)
>>> sp.diff(sigma(a), a)
(1 - sigma(a))*sigma(a)
>>> sigma(0), relu(-2), relu_step(0), relu_step(3)
(1/2, 0, 0, 1)
>>> sp.diff(relu(a), a)
relu_step(a)
"""

import numpy as np
import sympy as sp


class sigma(sp.Function):  # noqa: N801 (SymPy functions are lower-case classes)
    """σ(a) = 1/(1 + e^{−a}), with σ'(a) = σ(a)(1 − σ(a))."""

    @classmethod
    def eval(cls, a):
        # Numbers only: asking assumptions of a large symbolic argument is slow and never needed.
        if a.is_Number and a == 0:
            return sp.S.Half

    def fdiff(self, argindex=1):
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, a, **kwargs):
        return 1 / (1 + sp.exp(-a))

    def _latex(self, printer):
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


class softplus(sp.Function):  # noqa: N801
    """softplus(a) = ln(1 + e^a), with softplus'(a) = σ(a) (as the numeric backend's σ)."""

    def fdiff(self, argindex=1):
        return sigma(self.args[0])

    def _eval_rewrite_as_exp(self, a, **kwargs):
        return sp.log(1 + sp.exp(a))

    def _latex(self, printer):
        return rf"\operatorname{{softplus}}\left({printer._print(self.args[0])}\right)"


class relu_step(sp.Function):  # noqa: N801
    """relu'(a): 1 for a > 0, else 0 (the subgradient 0 at a = 0)."""

    @classmethod
    def eval(cls, a):
        if a.is_Symbol or a.is_Number:  # a sign known from assumptions; never asked of a large argument
            if a.is_positive:
                return sp.S.One
            if a.is_nonpositive:
                return sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.S.Zero  # almost everywhere; only relu' itself is ever needed

    def _eval_rewrite_as_Heaviside(self, a, **kwargs):
        return sp.Heaviside(a, 0)

    def _latex(self, printer):
        return rf"\operatorname{{relu}}'\left({printer._print(self.args[0])}\right)"


class relu(sp.Function):  # noqa: N801
    """relu(a) = max(a, 0), with relu'(a) = relu_step(a)."""

    @classmethod
    def eval(cls, a):
        if a.is_Symbol or a.is_Number:
            if a.is_nonnegative:
                return a
            if a.is_nonpositive:
                return sp.S.Zero

    def fdiff(self, argindex=1):
        return relu_step(self.args[0])

    def _eval_rewrite_as_Max(self, a, **kwargs):
        return sp.Max(a, 0)

    def _latex(self, printer):
        return rf"\operatorname{{relu}}\left({printer._print(self.args[0])}\right)"


class _HardSigmoidSlope(sp.Function):
    """The hard sigmoid's derivative: ``slope`` where 0 < slope·a + 1/2 < 1, else 0 (at the kinks
    a = ±1/(2·slope) the flat side's 0, as relu'(0) = 0)."""

    slope = None

    @classmethod
    def eval(cls, a):
        if a.is_Number:
            line = cls.slope * a + sp.S.Half
            return cls.slope if 0 < line < 1 else sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.S.Zero  # almost everywhere; only the first derivative is ever needed

    def _eval_rewrite_as_Piecewise(self, a, **kwargs):
        line = self.slope * a + sp.S.Half
        return sp.Piecewise((self.slope, sp.And(line > 0, line < 1)), (0, True))

    def _latex(self, printer):
        return rf"{self.tex}'\left({printer._print(self.args[0])}\right)"


class _HardSigmoid(sp.Function):
    """clip(slope·a + 1/2, 0, 1), with its derivative the class ``derivative``."""

    slope = derivative = None

    @classmethod
    def eval(cls, a):
        if a.is_Number:
            return sp.Min(sp.Max(cls.slope * a + sp.S.Half, 0), 1)

    def fdiff(self, argindex=1):
        return self.derivative(self.args[0])

    def _eval_rewrite_as_Piecewise(self, a, **kwargs):
        line = self.slope * a + sp.S.Half
        return sp.Piecewise((0, line <= 0), (1, line >= 1), (line, True))

    def _latex(self, printer):
        return rf"{self.tex}\left({printer._print(self.args[0])}\right)"


class dhard_sigmoid_keras2(_HardSigmoidSlope):  # noqa: N801
    """Keras 2's hard sigmoid's derivative: 1/5 for |a| < 5/2, else 0."""

    slope, tex = sp.Rational(1, 5), r"\sigma_{\mathrm{h2}}"


class hard_sigmoid_keras2(_HardSigmoid):  # noqa: N801
    """Keras 2's hard sigmoid clip(a/5 + 1/2, 0, 1)."""

    slope, derivative, tex = sp.Rational(1, 5), dhard_sigmoid_keras2, r"\sigma_{\mathrm{h2}}"


class dhard_sigmoid_keras3(_HardSigmoidSlope):  # noqa: N801
    """Keras 3's hard sigmoid's derivative: 1/6 for |a| < 3, else 0."""

    slope, tex = sp.Rational(1, 6), r"\sigma_{\mathrm{h3}}"


class hard_sigmoid_keras3(_HardSigmoid):  # noqa: N801
    """Keras 3's hard sigmoid relu6(a + 3)/6 = clip(a/6 + 1/2, 0, 1)."""

    slope, derivative, tex = sp.Rational(1, 6), dhard_sigmoid_keras3, r"\sigma_{\mathrm{h3}}"


# NumPy implementations for lambdify, written independently of the cells' backend.
NUMPY_FUNCTIONS = {
    "sigma": lambda a: 1.0 / (1.0 + np.exp(-a)),
    "relu": lambda a: np.maximum(a, 0.0),
    "relu_step": lambda a: (np.asarray(a) > 0).astype(float),
    "softplus": lambda a: np.log1p(np.exp(a)),
    "hard_sigmoid_keras2": lambda a: np.minimum(np.maximum(a / 5 + 0.5, 0.0), 1.0),
    "dhard_sigmoid_keras2": lambda a: np.where(np.abs(np.asarray(a)) < 2.5, 0.2, 0.0),
    "hard_sigmoid_keras3": lambda a: np.minimum(np.maximum(a / 6 + 0.5, 0.0), 1.0),
    "dhard_sigmoid_keras3": lambda a: np.where(np.abs(np.asarray(a)) < 3.0, 1 / 6, 0.0),
}
