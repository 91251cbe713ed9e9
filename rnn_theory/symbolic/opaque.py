"""Function applications as opaque symbols, for the rewriting of ``rewrite.normal``.

The rewriting never changes the argument of σ, tanh, cos, … (both sides of every identity build
them with the same code), but walking those large arguments at every step is most of its cost.
So each application g(A) is replaced by F_t(k, l, …), an undefined function of the free indices
of A, one F_t per template (A with its indices as placeholders): exact, since F_t(k) is g(A) for
any index values, and undone by ``restore``.

>>> import sympy as sp
>>> from rnn_theory.symbolic.functions import sigma
>>> W, k = sp.IndexedBase("W"), sp.Symbol("k", integer=True)
>>> hidden, templates = opaque(W[k, k] * sigma(W[k, 0] + 1))
>>> hidden
F_0(k)*W[k, k]
>>> restore(hidden, templates) == W[k, k] * sigma(W[k, 0] + 1)
True
"""

import sympy as sp

from .indexed import m, n


def opaque(expr, canonical=lambda template: template):
    """expr with each function application g(A) (not δ), and each sum over the input index, replaced
    by F_t(indices of A).

    F_t stands for the template of A with its free indices as placeholders, so F_t(k) is g(A) with
    those indices: exact, and it spares the rewriting from walking the large arguments, which it
    never changes. ``canonical`` names the template's summation indices (``rewrite.canonical``), so
    that one application met under two namings is one F_t. Returns the new expression and
    F_t -> (g(template), placeholders).
    """
    templates, by_template = {}, {}

    def visit(e):
        if (isinstance(e, sp.Function) and not isinstance(e, sp.KroneckerDelta)) or _over_inputs(e):
            indices = sorted((x for x in e.free_symbols if x.is_integer and x not in (n, m)), key=str)
            holders = [sp.Symbol(f"_p{t}", integer=True) for t in range(len(indices))]
            # Canonical inside: σ(Σ_l W[k, l]…) met at k and σ(Σ_k W[l, k]…) met at l are one template.
            template = canonical(e.xreplace(dict(zip(indices, holders))))
            if template not in by_template:
                by_template[template] = sp.Function(f"F_{len(by_template)}")
                templates[by_template[template]] = (template, holders)
            return by_template[template](*indices)
        if not e.args or isinstance(e, sp.Indexed):
            return e
        return e.func(*[visit(a) for a in e.args])

    return visit(expr), templates


def _over_inputs(e):
    """A sum over the input index alone (Σ_k W[l, k] x[k], a projection of x): the rewriting never
    needs its inside either (no state entry, no δ of a state index can sit there), and multiplying
    out products of such sums (the mLSTM's q, k, v) is the rest of its cost."""
    return isinstance(e, sp.Sum) and all(limit[2] == m - 1 for limit in e.limits)


def restore(expr, templates):
    """Undo ``opaque``: F_t(k) back to its g(A), its summation indices renamed apart from k."""
    if not templates:
        return expr
    return expr.replace(lambda e: e.func in templates, lambda e: _instance(*templates[e.func], e.args))


def _instance(template, holders, args):
    """template at holders = args; a summation index of the template that is among args is renamed
    first (restoring σ(Σ_k W[p, k]…) at p = k must not capture k)."""
    bound = {limit[0] for s in template.atoms(sp.Sum) for limit in s.limits} & set(args)
    if bound:
        template = template.xreplace({b: sp.Dummy(integer=True, nonnegative=True) for b in bound})
    return template.xreplace(dict(zip(holders, args)))
