"""``rnn-theory proofs --format latex``: the proofs as one LaTeX article (amsmath), deterministic.

The same objects as the Markdown pages of ``documents``: the product formula for every lag with
its induction, the supporting theorems step by step (each marked checked by SymPy, by hand, cited
or by definition), every cell's equations and every block's derivation in steps, closed form and
certificate, and the references, formatted from the package's bibliography (``bibtex``). Long
formulas are broken at their top-level + and − (``split_tex``) so that lines fit the page.

>>> tex = article(["mingru"])
>>> tex.startswith("\\\\documentclass") and "\\\\begin{thebibliography}" in tex and "feng2024" in tex
True
"""

import re

from ..cells import CELLS
from . import bibtex, render
from .documents import KIND_LABELS, VARIANTS, theorem_results
from .prove import prove

# Unicode of the theorems' plain-text statements -> LaTeX (text mode). Anything else is an error.
_UNICODE = {
    "σ": r"$\sigma$",
    "τ": r"$\tau$",
    "γ": r"$\gamma$",
    "θ": r"$\theta$",
    "ϑ": r"$\vartheta$",
    "δ": r"$\delta$",
    "ε": r"$\varepsilon$",
    "φ": r"$\varphi$",
    "λ": r"$\lambda$",
    "Σ": r"$\Sigma$",
    "∏": r"$\prod$",
    "∂": r"$\partial$",
    "‖": r"$\|$",
    "·": r"$\cdot$",
    "−": r"$-$",
    "→": r"$\to$",
    "∘": r"$\circ$",
    "∈": r"$\in$",
    "⊙": r"$\odot$",
    "⊘": r"$\oslash$",
    "²": r"$^2$",
    "₂": r"$_2$",
    "≠": r"$\neq$",
    "…": r"\dots{}",
    "×": r"$\times$",
    "∞": r"$\infty$",
    "–": "--",
    "—": "---",
    "≤": r"$\le$",
    "≥": r"$\ge$",
    "ᵀ": r"$^{\top}$",
    "≡": r"$\equiv$",
    "≈": r"$\approx$",
    "ρ": r"$\rho$",
    "α": r"$\alpha$",
    "β": r"$\beta$",
    "η": r"$\eta$",
    "μ": r"$\mu$",
    "±": r"$\pm$",
}
_SPECIAL = {
    "_": r"\_",
    "^": r"\^{}",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "~": r"\~{}",
    "\\": r"\textbackslash{}",
    "<": r"$<$",
    ">": r"$>$",
    "|": r"$|$",
}
_SCRIPT = re.compile(r"([_^])(\(([^()]*)\)|\{([^{}]*)\}|([A-Za-z0-9σταβγλθ]+))")
_OPERATORS = {"sup", "inf", "max", "min", "lim"}
_CITE = re.compile(r"\[([a-z]+\d{4}[a-z]*)\]")
_YES_NO = {True: "yes", False: r"\textbf{no}"}
_VERDICT = {True: "proven", False: r"\textbf{not proven}"}
_WIDTH = 70  # visible characters (as _visible counts them) of a displayed line that fits 11pt, A4, 2 cm margins


def text(plain):
    """A plain-text statement (Unicode math, x_(T−1), e^{−a}, [bibkey]) as LaTeX text."""
    out, last = [], 0
    for match in _SCRIPT.finditer(plain):
        word = re.search(r"[A-Za-zα-ω]*$", plain[: match.start()]).group(0)
        if len(word) > 1 and word not in _OPERATORS:
            continue  # an identifier such as jacobian_blocks, not a subscript
        out.append(_escape(plain[last : match.start()]))
        inner = next(g for g in match.groups()[2:] if g is not None)
        command = "textsubscript" if match.group(1) == "_" else "textsuperscript"
        out.append(rf"\{command}{{{_escape(inner)}}}")
        last = match.end()
    out.append(_escape(plain[last:]))
    return _CITE.sub(r"\\cite{\1}", "".join(out).replace(r"$<$=", r"$\le$").replace(r"$>$=", r"$\ge$"))


def _escape(plain):
    out = []
    for ch in re.sub(r"(\w)\u0303", "\2\\1", _CITE.sub(lambda m: "\0" + m.group(1) + "\1", plain)):
        if out and out[-1] == "\2":
            out[-1] = rf"$\tilde{{{ch}}}$"  # h̃: the combining tilde on the letter after the marker
        elif ch == "\2":
            out.append(ch)
        elif ch in "\0\1":
            out.append("[" if ch == "\0" else "]")
        elif ch in _SPECIAL:
            out.append(_SPECIAL[ch])
        elif ord(ch) < 128:
            out.append(ch)
        elif ch in _UNICODE:
            out.append(_UNICODE[ch])
        else:
            raise ValueError(f"no LaTeX for {ch!r} (U+{ord(ch):04X}) in {plain!r}")
    return "".join(out)


def _visible(tex):
    return len(re.sub(r"\\(left|right|bigl|bigr|operatorname|mathrm)|\\[A-Za-z]+|[{}]|_|\^", "", tex))


def _depths(tex):
    """Parenthesis depth (\\left( … \\right), \\bigl( … \\bigr)) and brace depth at each character."""
    paren = brace = 0
    depths, k = [], 0
    while k < len(tex):
        opening = next((t for t in (r"\left(", r"\left[", r"\bigl(") if tex.startswith(t, k)), None)
        closing = next((t for t in (r"\right)", r"\right]", r"\bigr)") if tex.startswith(t, k)), None)
        if opening:
            depths += [(paren, brace)] * len(opening)
            paren, k = paren + 1, k + len(opening)
            continue
        if closing:
            paren -= 1
            depths += [(paren, brace)] * len(closing)
            k += len(closing)
            continue
        if tex[k] == "\\" and k + 1 < len(tex) and tex[k + 1] in "{}":
            depths += [(paren, brace)] * 2
            k += 2
            continue
        brace += {"{": 1}.get(tex[k], 0)
        depths.append((paren, brace))
        brace -= {"}": 1}.get(tex[k], 0)
        k += 1
    return depths


def _break_points(tex, level):
    depths = _depths(tex)
    return [k for k in range(len(tex)) if tex.startswith((" + ", " - "), k) and depths[k] == (level, 0)]


def split_tex(tex, width=_WIDTH):
    """A long formula as lines, broken at + and − outside parentheses, then one level inside them
    (whose \\left( … \\right) become \\bigl( … \\bigr), which may span lines)."""
    if _visible(tex) <= width:
        return [tex]
    for level in (0, 1):
        source = tex if level == 0 else tex.replace(r"\left(", r"\bigl(").replace(r"\right)", r"\bigr)")
        points = _break_points(source, level)
        if not points:
            continue
        pieces = [source[a:b] for a, b in zip([0, *points], [*points, len(source)])]
        lines = [pieces[0]]
        for piece in pieces[1:]:
            if _visible(lines[-1] + piece) <= width:
                lines[-1] += piece
            else:
                lines.append(piece.lstrip())
        if level == 0:
            return [
                line for piece in lines for line in (split_tex(piece, width) if _visible(piece) > width else [piece])
            ]
        return lines
    return [tex]


# An entry no line can hold (the sLSTM's nested exponentials): the Markdown page shows it in full.
_TOO_LONG = r"\text{\emph{(too long for a line here; shown in full on the cell's Markdown page)}}"


def _align(pairs):
    """align* of (lhs, rhs) pairs, each rhs broken into lines."""
    rows = []
    for lhs, rhs in pairs:
        lines = split_tex(rhs)
        if max(_visible(line) for line in lines) > 2 * _WIDTH:  # a product with no + or − to break at
            lines = [_TOO_LONG]
        rows.append(f"{lhs} &= {lines[0]}")
        rows += [rf"&\quad {{}}{line}" for line in lines[1:]]
    return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"


def _steps(result):
    items = []
    for step in result.steps:
        verdict = "" if step.ok else r" \textbf{FAILED}"
        argument = f" {text(step.argument)}" if step.argument and (step.kind != "machine" or not step.ok) else ""
        items.append(rf"\item \emph{{{KIND_LABELS[step.kind]}}}{verdict}: {text(step.claim)}.{argument}")
    return "\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}"


def _block(derivation, block, result):
    out = [rf"\subsubsection*{{Block ${render.block_symbol(block)}$: {text(render.block_words(block))}}}"]
    for entry in block.entries:
        out += [caption + ":" for caption in render.entry_captions(derivation, entry)]
        items = [
            rf"\item {step_intro}" + "\n" + _align(lines)
            for step_intro, lines in (
                (render.step_intro(s, block.input), render.step_lines(s, block.input, entry.row, entry.col))
                for s in entry.steps
            )
        ]
        out.append("\\begin{enumerate}\n" + "\n".join(items) + "\n\\end{enumerate}")
    out.append(
        r"Closed form used by the numeric code (\texttt{jacobian\_blocks}), in matrix notation and entry by entry:"
    )
    pairs = [(render.block_symbol(block), block.closed_tex)]
    pairs += [
        (render.entry_symbol(derivation, block, e), render.entry_latex(derivation, e.closed)) for e in block.entries
    ]
    out.append(_align(pairs))
    certificate = [rf"\item {text(s.claim)}: {_YES_NO[s.ok]}, by {text(s.argument)}." for s in result.steps]
    out.append(rf"\textbf{{{'Proven' if result.proven else 'NOT PROVEN'}}} for general $n$. Certificate:")
    out.append("\\begin{itemize}\n" + "\n".join(certificate) + "\n\\end{itemize}")
    return out


def _cell(key, bib):
    cls = CELLS[key]
    summary = " ".join(cls.__doc__.strip().split("\n\n")[0].split()).rstrip(":.")
    cites = bibtex.cited_in(cls.reference, bib)
    out = [rf"\subsection{{\texttt{{{_escape(key)}}}: {text(summary)}}}"]
    vector, size = render.state_vector(cls)
    state = f"${vector}$ ({'$h$ first, ' if len(cls.state_parts) > 1 else ''}size ${size}$)"
    out.append(
        rf"State {state}; input $x$ (size $m$). Source: {text(cls.reference)}"
        + (rf" \cite{{{','.join(cites)}}}." if cites else ".")
    )
    for options in VARIANTS.get(key, [{}]):
        proof = prove(key, **options)
        d = proof.derivation
        if options:
            out.append(rf"\paragraph{{Variant {text(', '.join(f'{k} = {v}' for k, v in options.items()))}.}}")
        out.append("Equations, as written once in the cell's update:")
        out.append(_align(list(d.definitions.items()) + list(d.equations)))
        for block, result in zip(d.blocks, proof.blocks):
            out += _block(d, block, result)
    return out, cites


_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\allowdisplaybreaks
\emergencystretch=2em
\title{The state Jacobians of recurrent cells and the product formula\\ for every lag, derived and proven}
\author{Generated by \texttt{rnn-theory proofs --format latex}}
\date{}
\begin{document}
\maketitle
"""

_NOTATION = r"""\section{Notation}
A recurrent cell maps its state $s_{T-1}$ and input $x_T$ to $s_T$; within one cell's equations the
previous state is $s$ and the new one $s'$. The state is $s = h$ (size $n$), or $s = [h; c]$ for the LSTM
family. $a_X = W_X h + U_X x + b_X$ is a pre-activation, with recurrent weights $W_X$ ($n \times n$),
input weights $U_X$ ($n \times m$) and bias $b_X$; $\mathrm{X} = \sigma(a_X)$ is the value of gate X,
$\sigma$ the logistic function, and $\odot$, $\oslash$ act elementwise. The Jacobian of one step is
$J_T = \partial s_T / \partial s_{T-1}$, rows for outputs; its block $\partial u'/\partial v$ holds the entries
$\partial u'_i/\partial v_j$, $i, j = 0, \dots, n - 1$, for every $n \ge 1$. The product over a lag $\tau$ is
$P_{T,\tau} = J_T J_{T-1} \cdots J_{T-\tau+1}$. Each step of a proof is marked by the kind of argument that
carries it: \emph{Checked by SymPy} (a computation that could come out false), \emph{By hand} (the argument
is written out), \emph{Cited} (a published result) or \emph{By definition}.
"""


def article(keys=None, theorems=None):
    """The whole LaTeX document for the cells ``keys`` (default all), as a string."""
    bib = bibtex.entries()
    theorems = theorems or theorem_results()
    out = [
        _PREAMBLE,
        r"\begin{abstract}",
        text(
            "For every cell of the package, each block of the state Jacobian is derived by SymPy from the cell's own "
            "equations for a general size n, step by step, and proven equal to the closed form its numeric code uses; "
            "the product formula ∂s_T/∂s_(T−τ) = J_T···J_(T−τ+1), on which every gradient-norm curve stands, is proven for "
            "every lag τ by induction; and the supporting bounds are proven with every step marked by the kind of "
            "argument that carries it."
        ),
        r"\end{abstract}",
        _NOTATION,
    ]
    chain = theorems["chain_rule"][0]
    out += [
        r"\section{The product formula for every lag}",
        rf"\paragraph{{Theorem.}} {text(chain.statement)}.",
        rf"\paragraph{{Proof}} ({_VERDICT[chain.proven]}), by induction on $\tau$:",
        _steps(chain),
        text(
            "Each step checked by SymPy could come out false: the same check on a wrong statement (the product in "
            "the other order, one factor short) fails, and a test shows it."
        ),
        r"\section{Supporting theorems}",
    ]
    for name, results in theorems.items():
        if name == "chain_rule":
            continue
        for r in results:
            cites = [
                k for group in re.findall(r"\(([^()]*\d{4}[^()]*)\)", r.statement) for k in bibtex.cited_in(group, bib)
            ]
            cite = rf" \cite{{{','.join(cites)}}}" if cites else ""
            out.append(rf"\paragraph{{\texttt{{{_escape(name)}}}.}} {text(r.statement)}{cite}. ({_VERDICT[r.proven]})")
            out.append(_steps(r) if r.steps else text(r.detail) + ".")
    out.append(r"\section{The cells}")
    cited = []
    for key in keys or CELLS:
        lines, cites = _cell(key, bib)
        out += lines
        cited += [c for c in cites if c not in cited]
    body = "\n\n".join(out)
    cited += [key for key in bib if re.search(rf"\\cite\{{[^}}]*\b{key}\b", body) and key not in cited]
    items = [bibtex.bibitem(key, bib[key]) for key in sorted(cited)]
    return (
        body + "\n\n\\begin{thebibliography}{99}\n" + "\n".join(items) + "\n\\end{thebibliography}\n\\end{document}\n"
    )
