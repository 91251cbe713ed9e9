"""The GEMM interpreter of operator trees (``_operator_tree``): Σ op·X over a block matrix of trees
with one GEMM per distinct weight matrix (``apply_sum``), and the OpenBLAS-tuned product of a fixed
matrix with a few columns (``SlicedProduct``).
"""

import numpy as np

from ._operator_tree import Dense, Product, Sum


def apply_sum(terms, j, transpose, parts, plan):
    """Σ op·X (or opᵀ·X) over terms (op, X, target part), with one GEMM per distinct weight matrix.

    Products are split as (AB)ᵀX = Bᵀ(AᵀX) and (AB)X = A(BX): the inner factor is applied at once,
    the outer one collects every vector headed for it first. So the LSTM's Jᵀ, whose blocks reuse
    ∂c'/∂h and the W_* several times, costs one product per W_* instead of one per occurrence.
    Any order of collection is correct; collecting before applying only saves work. ``plan``: the
    run's ``_plan.Plan`` (its weight matrices side by side).
    """
    out = [0.0] * parts
    groups = {}  # outer factor -> [op, Σ X, target]

    def collect(op, X, target):
        key = (id(op.M) if isinstance(op, Dense) else id(op), target)
        if key in groups:
            groups[key][1] = groups[key][1] + X
        else:
            groups[key] = [op, X, target]

    queue = list(terms)
    while queue or groups:
        while queue:
            op, X, target = queue.pop()
            if isinstance(op, Sum):
                queue += [(op.a, X, target), (op.b, X, target)]
            elif isinstance(op, Product):
                inner, outer = (op.a, op.b) if transpose else (op.b, op.a)
                collect(outer, inner.apply(X, j, transpose), target)
            elif isinstance(op, Dense):
                collect(op, X, target)
            else:
                out[target] = out[target] + op.apply(X, j, transpose)
        structured = [key for key, (op, _, _) in groups.items() if not isinstance(op, Dense)]
        if structured:
            queue.append(tuple(groups.pop(structured[-1])))
        else:
            for target in range(parts):
                dense = [(op.M, X) for op, X, t in groups.values() if t == target]
                if dense:
                    out[target] = out[target] + _stacked_product(dense, transpose, plan)
            groups = {}
    return out


def _stacked_product(pairs, transpose, plan):
    """Σ Mᵀ X (or Σ M X) over (M, X) pairs as one GEMM: [M_1; M_2; ...]ᵀ [X_1; X_2; ...], the
    matrices side by side from ``plan`` (``_plan.Plan.side_by_side``)."""
    if len(pairs) == 1:
        M, X = pairs[0]
        return (M.T if transpose else M) @ X
    return plan.side_by_side([M for M, _ in pairs], transpose) @ np.vstack([X for _, X in pairs])


# OpenBLAS (0.3.31, SkylakeX kernels, as numpy's wheels use here) multiplies a product with
# M·N·K ≤ 100³ by a kernel that skips packing; above that size the packed path costs 1.5–2.6× more
# per flop when N is small (one thread: 128×K by K×16, 30 µs at K = 488, 45 µs at K = 496). So a
# product A (m, K) @ B (K, r) with few columns is summed from blocks under the limit: rows of A in
# _ROW_BLOCK, K in equal slices. Measured (AMD EPYC, one thread, plain vs blocks; best of 5): A =
# 512×2048 (the LSTM's Jᵀ at n = 512) r = 5: 0.92 vs 0.34 ms, r = 16: 1.32 vs 0.68, r = 24: 1.71 vs
# 1.16, r = 40: 2.78 vs 1.81, r = 96: 5.4 vs 4.8; 2048×512 (its J) r = 5: 1.23 vs 0.40, r = 16: 1.56
# vs 0.83; 128×512 by 512×16 (the LSTM's Jᵀ at n = 128): 31–33 instead of 48–52 µs. The gain
# shrinks as r grows and each block costs a call and the addition of an (m, r) block, so a product
# needing more than _MAX_BLOCKS blocks runs whole. With two BLAS threads the blocks run on one, for
# about the same wall time as the whole product on two (LSTM, n = 128: 27 vs 28 µs).
_SMALL_GEMM, _ROW_BLOCK, _MAX_BLOCKS = 100**3, 128, 128


class SlicedProduct:
    """out = A @ B for a fixed A (m, K) and any B (K, r) of r columns, summed from blocks that
    OpenBLAS multiplies without packing (see above) where that takes at most _MAX_BLOCKS.

    >>> A, B = np.arange(12.0).reshape(3, 4), np.ones((4, 2))
    >>> SlicedProduct(A, 2)(B, np.empty((3, 2))).tolist()
    [[6.0, 6.0], [22.0, 22.0], [38.0, 38.0]]
    """

    def __init__(self, A, r):
        (m, K), rows = A.shape, min(A.shape[0], _ROW_BLOCK)
        depth = max(_SMALL_GEMM // (rows * r), 1)  # the deepest K-slice under the limit
        slices, blocks = -(-K // depth), -(-m // rows)
        if m * K * r <= _SMALL_GEMM or slices * blocks > _MAX_BLOCKS:
            rows, slices = m, 1
        step = -(-K // slices)
        ks = [slice(a, a + step) for a in range(0, K, step)]
        self.blocks = [(slice(a, a + rows), [(A[a : a + rows, k], k) for k in ks]) for a in range(0, m, rows)]

    def __call__(self, B, out):
        for rows, pieces in self.blocks:
            block = out[rows]
            (A, k), *rest = pieces
            np.matmul(A, B[k], out=block)
            for A, k in rest:
                block += A @ B[k]
        return out
