"""Parameter counts of every cell as polynomials in n and m, from the cells' ``param_shapes``.

Compared with the published forms: one bias per gate, LSTM 4(n² + nm + n) and GRU
3(n² + nm + n); PyTorch's two biases per gate (b_ih and b_hh), 4(n² + nm + 2n) and
3(n² + nm + 2n). Native cells keep one bias per gate, except that ``gru`` keeps PyTorch's b_hn
as c_n (it sits inside r⊙(·) and cannot be merged), so gru = 3(n² + nm + n) + n, and PyTorch's
GRU has 2n more: the redundant b_hr, b_hz.

>>> parameter_count("lstm")
4*m*n + 4*n**2 + 4*n
>>> all(r.proven for r in published_counts())
True
"""

import sympy as sp

from ...cells import CELLS
from ..indexed import m, n
from ..result import Result

_DIM = {"n": n, "m": m, "n/2": n / 2, "1": sp.Integer(1)}

# (cell, published form, source, how the native count relates: native = published + extra)
PUBLISHED = (
    ("rnn", n**2 + n * m + n, "Elman; one bias", 0),
    ("rnn", n**2 + n * m + 2 * n, "PyTorch nn.RNN: b_ih and b_hh; − n redundant", -n),
    ("lstm", 4 * (n**2 + n * m + n), "Gers et al. 2000, Olah 2015: one bias per gate", 0),
    ("lstm", 4 * (n**2 + n * m + 2 * n), "PyTorch nn.LSTM: b_ih and b_hh per gate; − 4n redundant", -4 * n),
    ("gru_rb", 3 * (n**2 + n * m + n), "Cho et al. 2014: one bias per gate", 0),
    ("gru", 3 * (n**2 + n * m + n), "Cho et al. 2014 form; + n for c_n = PyTorch b_hn, which cannot be merged", n),
    (
        "gru",
        3 * (n**2 + n * m + 2 * n),
        "PyTorch nn.GRU: b_ih and b_hh per gate; − 2n for the redundant b_hr, b_hz",
        -2 * n,
    ),
)


def parameter_count(key):
    """The number of parameters of cell ``key`` as a polynomial in n and m."""
    return sp.expand(sum(sp.Mul(*[_DIM[d] for d in dims]) for dims in CELLS[key].param_shapes.values()))


def _text(poly):
    """4·n·(m + n + 1), n^2: readable, and no Markdown emphasis from '*'."""
    return str(poly).replace("**", "^").replace("*", "·")


def published_counts(table=PUBLISHED):
    """One ``Result`` per published form: native count = published form + the stated difference.

    ``table`` rows are (cell, published form, source, difference), as ``PUBLISHED``: a mutant goes here.
    """
    results = []
    for key, form, source, extra in table:
        native = parameter_count(key)
        extra = sp.sympify(extra)
        difference = "" if extra == 0 else f" {'−' if extra.could_extract_minus_sign() else '+'} {_text(abs(extra))}"
        statement = f"{key}: {_text(sp.factor(native))} parameters = {_text(sp.factor(form))}{difference} ({source})"
        detail = f"from param_shapes: {_text(native)}; minus ({_text(sp.expand(form))}) leaves {_text(sp.expand(native - form))}"
        results.append(Result(statement, sp.expand(native - form - extra) == 0, detail))
    return results
