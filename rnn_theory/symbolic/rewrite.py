"""Targeted rewriting of index-form expressions; no ``simplify``, no ``Piecewise``.

``normal(expr, ranges)`` brings an expression to a sum of monomials c·Σ_{k,l,…} A, where c and
A are products of atoms (entries, powers, function applications), using only these rules, each
valid for all integer indices in range and all values of the entries:

1. renaming summation indices; a sum's indices get canonical names: over every order of its
   indices, the names k, l, q, … (``indexed.BOUND_NAMES``) that give the smallest printed form;
2. linearity of Σ: Σ_k (A + B) = Σ_k A + Σ_k B, Σ_k c·A = c·Σ_k A when c does not contain k,
   and Σ_{k=lo}^{hi} c = (hi − lo + 1)·c;
3. contraction: Σ_{k=lo}^{hi} A(k)·δ_{kj} = A(j) when j ranges over the same lo..hi (a free
   index whose range is given, or the index of an enclosing sum over that range); and
   A(j)·δ_{ij} = A(i)·δ_{ij} for i, j over the same range (i the first by name);
4. finite sums commute and multiply out: (Σ_k A)(Σ_l B) = Σ_{k,l} A·B (indices renamed apart),
   Σ_k Σ_l A = Σ_{k,l} A = Σ_l Σ_k A;
5. the ring axioms: distributivity (``expand`` with ``deep=False``, one node at a time) and
6. SymPy's automatic collection of equal terms.

Arguments of functions (σ, tanh, …) are only renamed (rule 1), never rewritten: the two sides of
every identity we prove build them with the same code. Two expressions are proven equal when
the normal form of their difference is 0; a non-zero remainder proves nothing either way.
``certificate`` also says which of the rules were applied: what closed the difference.
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

from functools import cache
from itertools import permutations

import sympy as sp

from .indexed import BOUND_NAMES
from .opaque import opaque, restore


def _canonical_sum(body, limits):
    """Σ over ``limits`` of ``body`` (already canonical inside), its indices named canonically."""
    bound = [limit[0] for limit in limits]
    taken = body.atoms(sp.Symbol) - set(bound)
    names = [name for name in BOUND_NAMES if name not in taken][: len(bound)]
    if len(bound) == 1:
        return sp.Sum(body.xreplace({bound[0]: names[0]}), (names[0],) + tuple(limits[0][1:]))
    candidates = []
    for order in permutations(range(len(bound))):
        renaming = {bound[o]: names[t] for t, o in enumerate(order)}
        new_limits = [(names[t],) + tuple(limits[o][1:]) for t, o in enumerate(order)]
        candidates.append(sp.Sum(body.xreplace(renaming), *new_limits))
    return min(candidates, key=str)


@cache
def canonical(expr):
    """expr with the indices of every sum renamed canonically, innermost sums first."""
    if isinstance(expr, sp.Sum):
        return _canonical_sum(canonical(expr.function), expr.limits)
    if not expr.args:
        return expr
    return expr.func(*[canonical(arg) for arg in expr.args])


# The rules by number, as the certificate names them.
RULES = {
    1: "renaming of summation indices",
    2: "linearity of Σ",
    3: "contraction Σ_k A(k)·δ_kj = A(j)",
    4: "products and nests of finite sums merged into one multiple sum",
    5: "distributivity",
    6: "collection of equal terms",
}


def normal(expr, ranges):
    """The normal form of expr (rules 1–6); ``ranges`` maps each free index to (lo, hi)."""
    return certificate(expr, ranges)[0]


def certificate(expr, ranges):
    """(normal form of expr, the numbers of the rules that were applied on the way, sorted).

    The rules are recorded with each cached partial result, so the certificate does not depend on
    what was rewritten before in the same process.

    >>> import sympy as sp
    >>> from rnn_theory.symbolic.indexed import i, j, n
    >>> W, h, k = sp.IndexedBase("W"), sp.IndexedBase("h"), sp.Symbol("k", integer=True)
    >>> certificate(sp.Sum(W[i, k] * h[k], (k, 0, n - 1)).diff(h[j]) - W[i, j], {i: (0, n - 1), j: (0, n - 1)})
    (0, (1, 3, 6))
    """
    start = sp.sympify(expr)
    named = canonical(start)
    hidden, templates = opaque(named, canonical)
    reduced, rules = _reduce(hidden, _frozen(ranges), True)
    final = canonical(reduced)
    renamed = {1} if named != start or final != reduced else set()
    return canonical(restore(final, templates)), tuple(sorted(rules | renamed))


def contract(expr, ranges):
    """expr with its Σ·δ contracted (rules 1–3), otherwise left as written."""
    return canonical(_reduce(canonical(sp.sympify(expr)), _frozen(ranges), False)[0])


def _frozen(ranges):
    return tuple(sorted(ranges.items(), key=lambda item: str(item[0])))


def _distribute(expr):
    return sp.expand(expr, deep=False, mul=True, multinomial=True, power_exp=False, power_base=False, log=False)


_NONE = frozenset()


@cache
def _reduce(expr, ranges, expand):
    """(expr reduced, the frozenset of rules applied)."""
    if isinstance(expr, sp.Sum):
        return _reduce_sum(expr, ranges, expand)
    if not isinstance(expr, (sp.Add, sp.Mul, sp.Pow)):
        return expr, _NONE  # an atom, an entry, or a function application (rule 1 only)
    parts = [_reduce(arg, ranges, expand) for arg in expr.args]
    reduced, rules = expr.func(*[p[0] for p in parts]), _NONE.union(*[p[1] for p in parts])
    if isinstance(expr, sp.Add):
        reduced, rules = _collected([p[0] for p in parts], rules)
    if not expand:
        return reduced, rules
    scope = dict(ranges)
    distributed = _distribute(reduced)
    if distributed != reduced:
        rules |= {5}
    terms = []
    for term in sp.Add.make_args(distributed):
        unified, fired = _unify_deltas(term, scope)
        merged, merge_rules = _merge_sums(unified)
        terms.append(merged)
        rules |= merge_rules | ({3} if fired else _NONE)
    return _collected(terms, rules)


def _collected(terms, rules):
    """Σ terms, with rule 6 recorded when SymPy's automatic collection cancelled or merged some."""
    total = sp.Add(*terms)
    count = sum(len(sp.Add.make_args(t)) for t in terms if t != 0)
    if count > 1 and (total == 0 or len(sp.Add.make_args(total)) < count):
        rules |= {6}
    return total, rules


def _unify_deltas(term, ranges):
    """Rule 3 on a monomial: A(j)·δ_ij = A(i)·δ_ij for each δ_ij over indices of one range.
    Returns (the monomial, whether anything was replaced)."""
    factors = sp.Mul.make_args(term)
    deltas = [f for f in factors if isinstance(f, sp.KroneckerDelta)]
    rest = before = sp.Mul(*[f for f in factors if not isinstance(f, sp.KroneckerDelta)])
    for delta in deltas:
        first, second = sorted(delta.args, key=str)
        if first in ranges and ranges.get(first) == ranges.get(second):
            rest = rest.xreplace({second: first})
    return rest * sp.Mul(*deltas), rest != before


def _reduce_sum(expr, ranges, expand):
    *inner, (k, lo, hi) = expr.limits  # Σ_{k,l} A = Σ_l (Σ_k A): the last index is the outermost
    body, rules = _reduce(sp.Sum(expr.function, *inner) if inner else expr.function, ranges + ((k, (lo, hi)),), expand)
    scope = dict(ranges)
    if expand:  # the body is already distributed
        terms = sp.Add.make_args(body)
        rules |= {2} if len(terms) > 1 else _NONE
        summed = []
        for term in terms:
            value, term_rules = _sum_of_term(term, k, lo, hi, scope)
            summed.append(value)
            rules |= term_rules
        return _collected(summed, rules)
    if not any(k in delta.args for delta in body.atoms(sp.KroneckerDelta)):
        return sp.Sum(body, (k, lo, hi)), rules
    contracted, kept = [], []
    for term in sp.Add.make_args(_distribute(body)):
        value = _contract_term(term, k, lo, hi, scope)
        (kept if value is None else contracted).append(term if value is None else value)
    rules |= {2, 3} if kept or len(contracted) > 1 else {3}
    return sp.Add(*contracted) + (sp.Sum(sp.Add(*kept), (k, lo, hi)) if kept else 0), rules


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
    """(Σ_{k=lo}^{hi} term, the rules applied), by rules 3, 2 and 4."""
    contracted = _contract_term(term, k, lo, hi, ranges)
    if contracted is not None:
        merged, rules = _merge_sums(contracted)
        return merged, rules | {3}
    factors = sp.Mul.make_args(term)
    outside = sp.Mul(*[f for f in factors if k not in f.free_symbols])
    inside = sp.Mul(*[f for f in factors if k in f.free_symbols])
    if inside == 1:
        return outside * (hi - lo + 1), frozenset({2})
    merged, rules = _merge_sums(outside * sp.Sum(inside, (k, lo, hi)))
    return merged, rules | ({2} if outside != 1 else _NONE)


def _merge_sums(term):
    """Rule 4 on a monomial: its Σ factors, nested ones included, as one multiple sum (indices renamed
    apart); by rule 2 the factors free of every summation index stand outside it.
    Returns (the monomial, the rules applied)."""
    factors, limits, sums = [], [], 0
    stack = list(sp.Mul.make_args(term))
    while stack:
        f = stack.pop()
        if isinstance(f, sp.Sum):
            sums += 1
            fresh = {limit[0]: sp.Dummy(integer=True, nonnegative=True) for limit in f.limits}
            limits += [(fresh[limit[0]],) + tuple(limit[1:]) for limit in f.limits]
            stack += sp.Mul.make_args(f.function.xreplace(fresh))
        else:
            factors.append(f)
    if not limits:
        return term, _NONE
    bound = {limit[0] for limit in limits}
    inside = sp.Mul(*[f for f in factors if f.free_symbols & bound])
    outside = sp.Mul(*[f for f in factors if not f.free_symbols & bound])
    return outside * _canonical_sum(canonical(inside), limits), frozenset({4}) if sums > 1 else _NONE
