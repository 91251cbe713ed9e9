"""Display a derivation: abbreviations, then plain text, LaTeX or Markdown (GitHub math).

In the displayed entries a pre-activation (the argument of σ, tanh, relu holding the bias b_X)
is written a_X, σ(a_X) the gate X, tanh(a_g) = g, tanh(a_n) = h̃, and tanh of the new cell state
tanh(c'_i): the same names the backend gave the closed forms. Display only: the proofs run on the
full expressions.

>>> from rnn_theory.symbolic.derive import derive
>>> d = derive("mingru")
>>> print(entry_text(d, d.blocks[0].entries[0].derived))
(1 - z_gate[i])*KroneckerDelta(i, j)
>>> print(entry_latex(d, d.blocks[0].entries[0].derived))
\\left(1 - {\\mathrm{z}}_{i}\\right) \\delta_{i j}
"""

import re

import sympy as sp

from .functions import relu, relu_step, sigma
from .indexed import i
from .steps import Partial

# Gate values are named X_gate (text) and \mathrm{X} (LaTeX): gate i's component i is i_gate[i].
_GATE_OF = {("sigma", g): f"{g}_gate" for g in "ifozr"} | {("tanh", "g"): "g_gate", ("tanh", "n"): "htilde"}
# Gate values upright (\mathrm{i}_i is gate i's component i, not the index twice).
_LATEX_NAMES = {sp.Symbol("htilde"): r"\tilde{h}", sp.Symbol("theta"): r"\theta"} | {
    sp.Symbol(f"{g}_gate"): rf"\mathrm{{{g}}}" for g in "ifgozr"
}
_PLAIN = [  # LaTeX of the closed forms -> plain text
    (r"\left(", "("),
    (r"\right)", ")"),
    (r"\operatorname{diag}", "diag"),
    (r"\operatorname{blockdiag}_{k}", "blockdiag_k"),
    (r"\operatorname{relu}", "relu"),
    (r"\odot", "⊙"),
    (r"\oslash", "⊘"),
    (r"\sigma", "σ"),
    (r"\tanh", "tanh"),
    (r"\tilde{h}", "h̃"),
    (r"\theta", "θ"),
]


def _preactivation(arg):
    """(X, index) when arg is a pre-activation holding the bias b_X[index] (X = "" for b), else None."""
    for term in sp.Add.make_args(arg):
        if isinstance(term, sp.Indexed):
            name = str(term.base.label)
            if name == "b" or name.startswith("b_"):
                return name[2:], term.indices[0]
    return None


def abbreviate(derivation, expr):
    """expr with gates, pre-activations and tanh(c') named (display only)."""
    new_c = derivation.new_parts.get("c", (None,))[0]

    def visit(e):
        if isinstance(e, (sigma, sp.tanh, relu, relu_step)):
            arg, named = e.args[0], _preactivation(e.args[0])
            if named:
                letter, index = named
                gate = _GATE_OF.get((type(e).__name__, letter))
                return (
                    sp.IndexedBase(gate)[index]
                    if gate
                    else e.func(sp.IndexedBase(f"a_{letter}" if letter else "a")[index])
                )
            if new_c is not None and arg == new_c:
                return e.func(sp.IndexedBase("c'")[i])
            return e.func(visit(arg))
        if not e.args or isinstance(e, sp.Indexed):
            return e
        return e.func(*[visit(a) for a in e.args])

    return visit(expr)


def entry_text(derivation, expr):
    return sp.sstr(abbreviate(derivation, expr))


def entry_latex(derivation, expr):
    return latex(abbreviate(derivation, expr))


def plain(tex):
    """A closed form's LaTeX as plain text."""
    for old, new in _PLAIN:
        tex = tex.replace(old, new)
    return re.sub(r"_\{([^{}]*)\}", r"_\1", tex)


# The state parts in words, for headings such as ∂(new hidden state)/∂(previous cell state).
_PART_WORDS = {"h": "hidden state", "c": "cell state", "norm": "normaliser state", "stab": "stabiliser state"}
_FUNCTION_WORDS = {
    sigma: r"$\sigma$, with $\sigma' = \sigma(1 - \sigma)$",
    sp.tanh: r"$\tanh$, with $\tanh' = 1 - \tanh^2$",
    relu: r"$\operatorname{relu}$, with $\operatorname{relu}'$ the unit step",
}


def state_vector(cls):
    """(the state s of cell class ``cls`` in TeX, its size): ("s = h", "n") or ("s = [h; c]", "2n"), h first."""
    parts = cls.state_parts
    if len(parts) == 1:
        return f"s = {parts[0]}", cls.size_formula(tex=True)
    return "s = [" + "; ".join(rf"\mathrm{{{p}}}" if len(p) > 1 else p for p in parts) + "]", cls.size_formula(tex=True)


def part_words(part):
    return _PART_WORDS.get(part, f"state part {part}")


def block_words(block):
    """∂(new hidden state)/∂(previous cell state): the block in words."""
    return f"∂(new {part_words(block.output)})/∂(previous {part_words(block.input)})"


_NESTED = re.compile(r"\{([A-Za-z]+_\{[^{}]+\})\}_\{([^{}]+)\}")


def latex(expr):
    """An expression of the symbolic layer in LaTeX, gates upright; entry (i, j) of W_f is (W_{f})_{i,j},
    not SymPy's W_{f_{i,j}}."""
    return _NESTED.sub(r"(\1)_{\2}", sp.latex(expr, symbol_names=_LATEX_NAMES))


def step_intro(step, part):
    """One sentence (Markdown/LaTeX math in $…$) on what step ``step`` of ∂·/∂``part`` does."""
    name = f"${sp.latex(sp.Symbol(step.name), symbol_names=_LATEX_NAMES)}$"
    if step.kind == "pre-activation":
        through = ", and the product rule through the earlier steps" if step.chain.atoms(Partial) else ""
        return (
            f"Differentiate the pre-activation {name}: $\\partial {part}_k/\\partial {part}_j = \\delta_{{kj}}$, "
            f"so each sum $\\sum_k M_{{ik}} {part}_k$ leaves $M_{{ij}}${through}."
        )
    if step.kind == "gate":
        through = _FUNCTION_WORDS.get(step.definition.func, "its function")
        return f"The value {name}: chain rule through {through}."
    return f"The new {part_words(step.name[:-1])} {name}: product and sum rules, then the chain rule through the earlier steps."


def step_lines(step, part, row, col, as_latex=True):
    """(lhs, rhs) pairs of one step, LaTeX or text: the definition, the chain rule, the result (when it differs)."""
    show = latex if as_latex else sp.sstr
    symbol = sp.IndexedBase(step.name)[row]
    if isinstance(row, tuple):  # a paired state: (block, position) indices
        derivative = (
            rf"\frac{{\partial {latex(symbol)}}}{{\partial {latex(sp.IndexedBase(part)[col])}}}"
            if as_latex
            else f"∂{show(symbol)}/∂{show(sp.IndexedBase(part)[col])}"
        )
    else:
        derivative = show(Partial(sp.Symbol(step.name), row, sp.Symbol(part), col))
    lines = [(show(symbol), show(step.definition)), (derivative, show(step.chain))]
    if step.result != step.chain:
        lines.append(("", show(step.result)))
    return lines


STEPS_CAPTION = "Derivation in steps, each computed by SymPy from the cell's update"


def entry_captions(derivation, entry):
    """The lines above an entry's steps: which entry of the 2×2 pattern (paired state), then STEPS_CAPTION."""
    if not derivation.paired:
        return [STEPS_CAPTION]
    (_, a), (_, b) = entry.row, entry.col
    return [f"Entry $(2i + {a}, 2j + {b})$ of the block, in the $2\\times 2$ pattern of block $(i, j)$", STEPS_CAPTION]


def block_symbol(block, latex=True):
    """∂h'/∂c in LaTeX or text."""
    if latex:
        return rf"\frac{{\partial {block.output}'}}{{\partial {block.input}}}"
    return f"∂{block.output}'/∂{block.input}"


def entry_symbol(derivation, block, entry, latex=True):
    """∂h'_i/∂h_j, or ∂h'_{2i+a}/∂h_{2j+b} with a, b concrete for a paired state."""
    if derivation.paired:
        (_, a), (_, b) = entry.row, entry.col
        row, col = f"2i+{a}", f"2j+{b}"
    else:
        row, col = "i", "j"
    if latex:
        return rf"\frac{{\partial {block.output}'_{{{row}}}}}{{\partial {block.input}_{{{col}}}}}"
    return f"∂{block.output}'[{row}]/∂{block.input}[{col}]"
