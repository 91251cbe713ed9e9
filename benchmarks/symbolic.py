"""Time the symbolic layer: derivation (in steps) and proof of every block of every cell, for general n.

Prints the per-cell split, the total, the chain rule's induction and the regeneration of proofs/
without the claims run (each target: under 30 s of CPU on 2 cores), and, as baselines measured
in the same run, the naive route the issue describes: explicit matrices, ``jacobian()`` and SymPy's
``simplify`` on derived − closed, which proves one n only: the tanh RNN at n = 3 and, with
``--full``, the LSTM's ∂h'/∂h at n = 1 (about a minute).

    python benchmarks/symbolic.py [--quick | --full]    # --quick: no baseline
"""

import argparse
import sys
import time

import sympy as sp

from rnn_theory.cells import CELLS
from rnn_theory.symbolic import documents, rewrite
from rnn_theory.symbolic.documents import VARIANTS
from rnn_theory.symbolic.prove import prove

TARGET_SECONDS = 30.0


def _timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def ours():
    """(label, seconds, proven) per cell variant, each from cold caches."""
    rows = []
    for key in CELLS:
        for options in VARIANTS.get(key, [{}]):
            _cold()  # SymPy's own cache too
            proof, seconds = _timed(lambda: prove(key, **options))  # noqa: B023 (called within this iteration)
            label = key + "".join(f" ({value})" for value in options.values())
            rows.append((label, seconds, proof.proven))
    return rows


def _cold():
    sp.core.cache.clear_cache()
    rewrite.canonical.cache_clear()
    rewrite._reduce.cache_clear()


def regeneration():
    """(CPU seconds, wall seconds) of ``rnn-theory proofs --no-claims --check``-equivalent work, from cold caches:
    every cell page, the theorems (the chain rule's induction included) and the index."""
    _cold()
    cpu, wall = time.process_time(), time.perf_counter()
    pages = documents.cell_pages()
    documents.index_page(pages)
    return time.process_time() - cpu, time.perf_counter() - wall


def naive_rnn(n=3):
    """The explicit route: n×n matrices, jacobian(), simplify(derived − diag(1 − h'²)·W)."""
    W, U = sp.Matrix(n, n, sp.symbols(f"W:{n * n}")), sp.Matrix(n, 1, sp.symbols(f"U:{n}"))
    h, b, x = sp.Matrix(sp.symbols(f"h:{n}")), sp.Matrix(sp.symbols(f"b:{n}")), sp.Symbol("x")
    h_new = (W * h + U * x + b).applyfunc(sp.tanh)
    closed = sp.diag(*[1 - v**2 for v in h_new]) * W
    return sp.simplify(h_new.jacobian(h) - closed) == sp.zeros(n, n)


def naive_lstm(n=1):
    """The explicit route for the LSTM's ∂h'/∂h, σ written as 1/(1 + e^{−a})."""

    def mat(name, rows, cols):
        return sp.Matrix(rows, cols, sp.symbols(f"{name}:{rows * cols}"))

    def apply(v, f):
        return v.applyfunc(f)

    def sig(v):
        return apply(v, lambda a: 1 / (1 + sp.exp(-a)))

    def dsig(v):
        return apply(v, lambda s: s * (1 - s))

    def dtanh(v):
        return apply(v, lambda t: 1 - t**2)

    h, c, x = mat("h", n, 1), mat("c", n, 1), mat("x", n, 1)
    W = {k: mat("W" + k, n, n) for k in "ifgo"}
    a = {k: W[k] * h + mat("U" + k, n, n) * x + mat("b" + k, n, 1) for k in "ifgo"}
    i, f, g, o = sig(a["i"]), sig(a["f"]), apply(a["g"], sp.tanh), sig(a["o"])
    c_new = f.multiply_elementwise(c) + i.multiply_elementwise(g)
    tc = apply(c_new, sp.tanh)
    h_new = o.multiply_elementwise(tc)
    dc_dh = (
        sp.diag(*c.multiply_elementwise(dsig(f))) * W["f"]
        + sp.diag(*g.multiply_elementwise(dsig(i))) * W["i"]
        + sp.diag(*i.multiply_elementwise(dtanh(g))) * W["g"]
    )
    closed = sp.diag(*tc.multiply_elementwise(dsig(o))) * W["o"] + sp.diag(*o.multiply_elementwise(dtanh(tc))) * dc_dh
    return sp.simplify(h_new.jacobian(h) - closed) == sp.zeros(n, n)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the naive baselines")
    parser.add_argument("--full", action="store_true", help="add the slow LSTM baseline (about a minute)")
    args = parser.parse_args(argv)
    rows, total = _timed(ours)
    print(f"{'cell':22s} {'seconds':>8s}  proven")
    for label, seconds, proven in rows:
        print(f"{label:22s} {seconds:8.3f}  {proven}")
    print(f"{'total':22s} {total:8.3f}  {all(p for _, _, p in rows)}   (target < {TARGET_SECONDS:.0f} s)")
    cpu, wall = regeneration()
    print(f"{'proofs/ (no claims)':22s} {cpu:8.3f}  CPU seconds ({wall:.1f} s wall; target < {TARGET_SECONDS:.0f} s)")
    if not args.quick:
        sp.core.cache.clear_cache()
        proven, baseline = _timed(naive_rnn)
        rnn = next(seconds for label, seconds, _ in rows if label == "rnn (tanh)")
        print(f"\nbaseline: explicit 3×3 tanh-RNN + simplify: {baseline:.3f} s (proven for n = 3 only: {proven})")
        print(f"ratio baseline / ours (rnn tanh, general n): {baseline / rnn:.1f}×")
    if args.full:
        sp.core.cache.clear_cache()
        proven, baseline = _timed(naive_lstm)
        lstm = next(seconds for label, seconds, _ in rows if label == "lstm")
        print(f"baseline: explicit n = 1 LSTM ∂h'/∂h + simplify: {baseline:.3f} s (proven for n = 1 only: {proven})")
        print(f"ratio baseline / ours (lstm, all four blocks, general n): {baseline / lstm:.0f}×")
    ok = total < TARGET_SECONDS and cpu < TARGET_SECONDS and all(p for _, _, p in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
