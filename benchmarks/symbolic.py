"""Time the symbolic layer: derivation and proof of every block of every cell, for general n.

Prints the per-cell split, the total (target: under 30 s on 2 cores), and, as a baseline measured
in the same run, the naive route the issue describes: an explicit 3×3 tanh-RNN Jacobian with
SymPy's ``simplify`` on derived − closed (a proof for n = 3 only).

    python benchmarks/symbolic.py [--quick]     # --quick: skip the baseline
"""

import argparse
import sys
import time

import sympy as sp

from rnn_theory.cells import CELLS
from rnn_theory.symbolic import rewrite
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
            sp.core.cache.clear_cache()  # cold: SymPy's own cache too
            rewrite.canonical.cache_clear()
            rewrite._reduce.cache_clear()
            proof, seconds = _timed(lambda: prove(key, **options))
            label = key + "".join(f" ({value})" for value in options.values())
            rows.append((label, seconds, proof.proven))
    return rows


def naive_rnn(n=3):
    """The explicit route: n×n matrices, jacobian(), simplify(derived − diag(1 − h'²)·W)."""
    W, U = sp.Matrix(n, n, sp.symbols(f"W:{n * n}")), sp.Matrix(n, 1, sp.symbols(f"U:{n}"))
    h, b, x = sp.Matrix(sp.symbols(f"h:{n}")), sp.Matrix(sp.symbols(f"b:{n}")), sp.Symbol("x")
    h_new = (W * h + U * x + b).applyfunc(sp.tanh)
    closed = sp.diag(*[1 - v**2 for v in h_new]) * W
    return sp.simplify(h_new.jacobian(h) - closed) == sp.zeros(n, n)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the naive baseline")
    args = parser.parse_args(argv)
    rows, total = _timed(ours)
    print(f"{'cell':22s} {'seconds':>8s}  proven")
    for label, seconds, proven in rows:
        print(f"{label:22s} {seconds:8.3f}  {proven}")
    print(f"{'total':22s} {total:8.3f}  {all(p for _, _, p in rows)}   (target < {TARGET_SECONDS:.0f} s)")
    if not args.quick:
        sp.core.cache.clear_cache()
        proven, baseline = _timed(naive_rnn)
        rnn = next(seconds for label, seconds, _ in rows if label == "rnn (tanh)")
        print(f"\nbaseline: explicit 3×3 tanh-RNN + simplify: {baseline:.3f} s (proven for n = 3 only: {proven})")
        print(f"ratio baseline / ours (rnn tanh, general n): {baseline / rnn:.1f}×")
    ok = total < TARGET_SECONDS and all(p for _, _, p in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
