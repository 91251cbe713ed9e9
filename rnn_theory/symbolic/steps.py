"""A block's derivation in numbered steps, as a course would write it: the chain rule through each
intermediate of the update, from the pre-activations to the new state part.

The intermediates are the vectors the SymPy backend named while the cell's ``update`` ran
(``SympyOps.values``: pre-activations a_X, gates X = σ(a_X), candidates), then the new state parts,
ordered so that each comes after every intermediate it is built from. For ∂u'/∂v (u' a new state
part, v an old one) each step k takes one intermediate Y and

1. writes its component i in terms of the earlier intermediates (``definition``);
2. differentiates it by the chain rule: Σ over the earlier Z of ∂Y_i/∂Z_k · ∂Z_k/∂v_j, plus the
   direct ∂Y_i/∂v_j (``chain``: SymPy's ``diff`` through Z + ε·∂Z/∂v_j at ε = 0);
3. substitutes the results of the earlier steps and contracts Σ·δ (``result``).

The last step's result, with every intermediate expanded back (``expanded``), is what the proof
compares with the closed form of ``jacobian_blocks``: the steps are not typed, they are computed.

>>> from rnn_theory.symbolic.derive import derive
>>> entry = derive("rnn").blocks[0].entries[0]
>>> [(s.name, s.result) for s in entry.steps]
[('a', W[i, j]), ("h'", (1 - h'[i]**2)*W[i, j])]
"""

from dataclasses import dataclass

import sympy as sp

from .indexed import BOUND_NAMES, Flat, i
from .rewrite import canonical, contract

# The backend's names -> the symbol a step writes (gate X is X_gate, drawn upright; see render).
_LABELS = {r"\tilde{h}": "htilde"}
_EPSILON = sp.Symbol("epsilon")


class Partial(sp.Function):
    """∂Y_k/∂v_j, written out while the chain rule runs: args (Y's label, k, v's label, j)."""

    def _latex(self, printer):
        name, row, part, col = self.args
        base = printer._print(sp.IndexedBase(name)[row])
        return rf"\frac{{\partial {base}}}{{\partial {part}_{{{printer._print(col)}}}}}"

    def _sympystr(self, printer):
        name, row, part, col = self.args
        return f"∂{name}[{printer._print(row)}]/∂{part}[{printer._print(col)}]"


@dataclass(frozen=True)
class DerivationStep:
    """One numbered step: intermediate ``name`` of ``kind`` ("pre-activation", "gate", "state")."""

    name: str
    kind: str
    definition: sp.Expr  # component i, in the earlier intermediates
    chain: sp.Expr  # ∂(component i)/∂v_j by the chain rule, with the earlier ∂Z/∂v_j as Partial
    result: sp.Expr  # the same with the earlier results substituted, Σ·δ contracted


def label(name):
    """The symbol a step writes for the backend's name: a_{f} -> a_f, f -> f_gate, new part h -> h'."""
    if name.startswith("a_{") or name == "a":
        return name.replace("{", "").replace("}", "")
    return _LABELS.get(name, f"{name}_gate")


def intermediates(values, new, space):
    """[(label, kind, Vec)] in an order where each comes after those it contains (by size)."""
    if type(space) is not Flat or any(type(vec.space) is not Flat for vec in new.values()):
        # a paired state, or parts of other shapes (a matrix memory, a scalar): one direct step
        return [(f"{part}'", "state", vec) for part, vec in new.items()]
    named = [
        (label(name), "pre-activation" if label(name).startswith("a") else "gate", vec) for name, vec in values.items()
    ]
    named += [(f"{part}'", "state", vec) for part, vec in new.items()]
    return sorted(named, key=lambda item: _size(item[2][i]))


def _size(expr):
    return sum(1 for _ in sp.preorder_traversal(expr))


def _folding(earlier):
    """raw component -> symbol, for every earlier intermediate, at i and at each summation index."""
    table = {}
    for name, _, vec in earlier:
        for index in (i, *BOUND_NAMES[:6]):
            table[vec[index]] = sp.IndexedBase(name)[index]
    return table


def _at(expr, index):
    """expr (an expression in the free index i) at i = index, its summation indices kept apart."""
    if index == i:
        return expr
    fresh = expr.replace(
        lambda e: isinstance(e, sp.Sum),
        lambda e: e.xreplace({limit[0]: sp.Dummy(integer=True, nonnegative=True) for limit in e.limits}),
    )
    return fresh.xreplace({i: index})


def block_steps(chain, row, part, column, ranges):
    """The steps of ∂(last of ``chain``)_row/∂part[column], ``part`` an old state part (a Vec)."""
    results, steps, refold = {}, [], {}
    wrt = part[column]
    part_name = sp.Symbol(str(wrt.base.label))
    for position, (name, kind, vec) in enumerate(chain):
        folding = _folding(chain[:position])
        definition = vec[row].xreplace(folding)
        known = {sp.IndexedBase(other) for other in results}
        perturbed = definition.replace(
            lambda e: isinstance(e, sp.Indexed) and e.base in known,  # noqa: B023 (called within this iteration)
            lambda e: e + _EPSILON * Partial(e.base.label, *e.indices, part_name, column),
        )
        derivative = sp.diff(perturbed, _EPSILON).xreplace({_EPSILON: 0}) + sp.diff(definition, wrt)
        chained = contract(_refolded(derivative, refold), ranges)
        if (
            isinstance(definition, sp.Function)
            and len(definition.args) == 1
            and isinstance(definition.args[0], sp.Indexed)
        ):
            refold[(definition.func, definition.args[0].base)] = sp.IndexedBase(name)  # σ(a_f) reads f from here on
        substituted = chained.replace(
            lambda e: isinstance(e, Partial), lambda e: _at(results[str(e.args[0])], e.args[1])
        )
        result = canonical(contract(_refolded(substituted, refold), ranges))
        if result != 0 or position == len(chain) - 1:
            results[name] = result
            steps.append(DerivationStep(name, kind, contract(definition, ranges), chained, result))
    return _needed(steps)


def _refolded(expr, refold):
    """σ(a_f[k]) back to f[k], for every gate met so far: the results read in the gates' names."""
    if not refold:
        return expr
    return expr.replace(
        lambda e: (
            isinstance(e, sp.Function)
            and len(e.args) == 1
            and isinstance(e.args[0], sp.Indexed)
            and (e.func, e.args[0].base) in refold
        ),
        lambda e: refold[(e.func, e.args[0].base)][e.args[0].indices],
    )


def _needed(steps):
    """The steps the last one depends on, in order (a gate of the other part is not shown)."""
    needed, keep = {steps[-1].name}, []
    for step in reversed(steps):
        if step.name in needed:
            keep.append(step)
            needed |= {str(p.args[0]) for p in step.chain.atoms(Partial)}
    return tuple(reversed(keep))


def expanded(expr, chain):
    """expr with every intermediate's symbol replaced by its raw component: the form the proof checks."""
    raw = {sp.IndexedBase(name): vec for name, _, vec in chain}
    for _ in chain:  # a result may name an intermediate whose component names another: expand to a fixed point
        if not any(isinstance(e, sp.Indexed) and e.base in raw for e in sp.preorder_traversal(expr)):
            break
        expr = expr.replace(lambda e: isinstance(e, sp.Indexed) and e.base in raw, lambda e: raw[e.base][_key(e)])
    return expr


def _key(indexed):
    return indexed.indices[0] if len(indexed.indices) == 1 else tuple(indexed.indices)
