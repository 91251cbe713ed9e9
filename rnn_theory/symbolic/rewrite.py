"""Targeted rewriting of index-form expressions; no ``simplify``, no ``Piecewise``.

``normal(expr, ranges)`` brings an expression to a sum of products of atoms (entries, functions
of normalised arguments, sums of products), using only these rules, each valid for all integer
indices in range and all values of the entries:

1. renaming a summation index (to its canonical name, ``indexed.bound_name``);
2. linearity of Σ: Σ_k (A + B) = Σ_k A + Σ_k B, Σ_k c·A = c·Σ_k A when c does not contain k,
   and Σ_{k=lo}^{hi} c = (hi − lo + 1)·c;
3. contraction: Σ_{k=lo}^{hi} A(k)·δ_{kj} = A(j) when j ranges over the same lo..hi (a free
   index whose range is given, or the index of an enclosing sum over that range);
4. the ring axioms: distributivity (``expand`` with ``deep=False``, one node at a time) and
   SymPy's automatic collection of equal terms.

Two closed forms are proven equal when the normal form of their difference is 0. (A non-zero
remainder proves nothing either way; ``prove`` then reports failure and shows it.)
``contract`` applies rules 1–3 only, expanding just the sums that hold a δ: the readable form.

>>> import sympy as sp
>>> from rnn_theory.symbolic.indexed import i, j, n
>>> W, h, k = sp.IndexedBase("W"), sp.IndexedBase("h"), sp.Symbol("k", integer=True)
>>> e = sp.Sum(W[i, k] * h[k], (k, 0, n - 1)).diff(h[j])
>>> e
Sum(KroneckerDelta(j, k)*W[i, k], (k, 0, n - 1))
>>> normal(e, {i: (0, n - 1), j: (0, n - 1)})
W[i, j]
"""

from functools import lru_cache

import sympy as sp

from .indexed import bound_name


@lru_cache(maxsize=None)
def canonical(expr):
    """expr with every summation index renamed canonically, innermost sums first."""
    if isinstance(expr, sp.Sum):
        body = canonical(expr.function)
        ((k, lo, hi),) = expr.limits
        name = bound_name(body, k)
        return sp.Sum(body.xreplace({k: name}), (name, lo, hi))
    if not expr.args:
        return expr
    return expr.func(*[canonical(arg) for arg in expr.args])


def normal(expr, ranges):
    """The normal form of expr (rules 1–4); ``ranges`` maps each free index to (lo, hi)."""
    return canonical(_reduce(canonical(sp.sympify(expr)), _frozen(ranges), True))


def contract(expr, ranges):
    """expr with its Σ·δ contracted (rules 1–3), otherwise left as written."""
    return canonical(_reduce(canonical(sp.sympify(expr)), _frozen(ranges), False))


def _frozen(ranges):
    return tuple(sorted(ranges.items(), key=lambda item: str(item[0])))


def _distribute(expr):
    return sp.expand(expr, deep=False, mul=True, multinomial=True, power_exp=False, power_base=False, log=False)


@lru_cache(maxsize=None)
def _reduce(expr, ranges, expand):
    if isinstance(expr, sp.Sum):
        return _reduce_sum(expr, ranges, expand)
    if not expr.args or isinstance(expr, sp.Indexed):
        return expr
    reduced = expr.func(*[_reduce(arg, ranges, expand) for arg in expr.args])
    return _distribute(reduced) if expand and isinstance(reduced, (sp.Add, sp.Mul, sp.Pow)) else reduced


def _reduce_sum(expr, ranges, expand):
    ((k, lo, hi),) = expr.limits
    body = _reduce(expr.function, ranges + ((k, (lo, hi)),), expand)
    scope = dict(ranges)
    if expand:  # the body is already distributed
        return sp.Add(*[_sum_of_term(term, k, lo, hi, scope) for term in sp.Add.make_args(body)])
    if not any(k in delta.args for delta in body.atoms(sp.KroneckerDelta)):
        return sp.Sum(body, (k, lo, hi))
    contracted, kept = [], []
    for term in sp.Add.make_args(_distribute(body)):
        value = _contract_term(term, k, lo, hi, scope)
        (kept if value is None else contracted).append(term if value is None else value)
    return sp.Add(*contracted) + (sp.Sum(sp.Add(*kept), (k, lo, hi)) if kept else 0)


def _contract_term(term, k, lo, hi, ranges):
    """Σ_{k=lo}^{hi} term by rule 3 when term has a factor δ_{kj} with j over lo..hi, else None."""
    factors = sp.Mul.make_args(term)
    for f in factors:
        if isinstance(f, sp.KroneckerDelta) and k in f.args:
            other = f.args[1] if f.args[0] == k else f.args[0]
            if ranges.get(other) == (lo, hi):
                return sp.Mul(*[g for g in factors if g is not f]).xreplace({k: other})
    return None


def _sum_of_term(term, k, lo, hi, ranges):
    """Σ_{k=lo}^{hi} term, by rules 3 and 2."""
    contracted = _contract_term(term, k, lo, hi, ranges)
    if contracted is not None:
        return contracted
    factors = sp.Mul.make_args(term)
    outside = sp.Mul(*[f for f in factors if k not in f.free_symbols])
    inside = sp.Mul(*[f for f in factors if k in f.free_symbols])
    return outside * (hi - lo + 1) if inside == 1 else outside * sp.Sum(inside, (k, lo, hi))
