"""ln ‖P_{T,τ}‖₂ at every lag by a streamed, truncated, factored product in the log domain.

Transposed, the product over lags is a forward product: P_{T,τ}ᵀ = J_{T−τ+1}ᵀ P_{T,τ−1}ᵀ, applied to
a basis without forming J (``_batched``). Two phases:

1. Short lags (the rank is near d): dense, Z = P_{T,τ}ᵀ/e^{ℓ_τ}, ‖P‖² = λ_max(ZᵀZ)·e^{2ℓ}. It ends
   once half of ZᵀZ's spectrum is below its resolution (σ_i < 1e-8·σ_1): Z = Q R (Householder),
   K = R, dropping rows below that phase's own rounding level d·2⁻⁵³·‖P‖₂.
2. Factored: P_{T,τ}ᵀ = e^{ℓ_τ}·X_τ K_τ with X_τ (d, r) and K_τ (r, d), stored with H = K Kᵀ
   (r, r). Each lag X ← J_{T−τ+1}ᵀ X, and with L Lᵀ = XᵀX (Cholesky), ‖P‖² = e^{2ℓ}·λ_max(Lᵀ H L).
   Every ``_REORTH_EVERY`` lags, or sooner if X's columns come near to dependent, the basis is
   re-orthonormalised as in Benettin's QR method (1980), by the same factor: X = Q R with R = Lᵀ,
   X ← Q, K ← R K (blocked triangular products), H ← K Kᵀ. A block (a, b) of P is
   (X[b] K[:, a])ᵀ·e^ℓ.

R is upper triangular, so row i of K only ever mixes rows j ≥ i: each row keeps its own relative
accuracy however far the rows' scales spread (the small directions are not rounding noise of the
large ones). After a re-orthonormalisation, trailing rows of K whose Frobenius norm is
≤ ``rtol``·‖K‖₂ are dropped; that changes P by exactly that norm. The default rtol = d·2⁻⁵² is the
rounding bound of one step of a dense product (d·2⁻⁵²·‖P‖, also where the dense phase hands over),
so truncating costs no more accuracy than streaming densely would; measured (tanh RNN, GRU, LSTM,
peephole; n = 64–256, T = 1000) the check below bounds its error by ≤ 1.2e-11 (1e-18: ≤ 5e-13, for 15–20%
more time). Products of Jacobians are numerically low-rank, so r falls from d to a few dozen and a
lag costs O(r·d²). Every λ_max is certified (``_topeig``): |error| ≤ 5e-11 in ln.

Checked as it runs: k Gaussian columns Y are streamed exactly (never truncated) beside X, and
‖E‖₂ ≤ 10·√(2/π)·maxᵢ ‖E yᵢ‖ with probability ≥ 1 − 10^{−k} (Halko, Martinsson & Tropp 2011,
lemma 4.1) bounds the error E of the truncated product, relative to ‖P‖₂, at every lag. As soon as
that bound exceeds ``check_tol`` the curve is recomputed without truncation (graded factored form
from lag 1, no dense phase). Each yᵢ is streamed split by state part (yᵢ[a]: its rows on part a,
zero elsewhere; Σ_a yᵢ[a] = yᵢ), so the same lemma bounds each block: ‖E[a, b]‖₂ ≤ 10·√(2/π)·
maxᵢ ‖(Eᵀ yᵢ[a])[b]‖. A block far below ‖P‖₂ (a stack's upper layer that forgets faster than the
one below) can fall under the truncation level; its bound then exceeds its norm, and its curve is
reported as an upper bound with bound inf (``GradientFlow.block_error_bounds``), never as −inf.
"""

import numpy as np

from ._batched import chunked_jacobians
from ._cell_system import as_system
from ._topeig import top_eig
from .result import CarouselPath
from .system import part_size

_ALPHA = 10.0 * np.sqrt(2.0 / np.pi)  # HMT lemma 4.1 with failure probability 10^(−k)
# Below ~1e-16 of λ_max the Gram matrix's eigenvalues are rounding: it resolves σ_i ≥ 1e-8·σ_1.
_GRAM_RESOLUTION = 1e-16
# The basis X of the factored form is re-orthonormalised every few lags, or sooner if its columns
# come near to dependent (``_needs_basis``, cond(X D⁻¹) ≳ _MAX_COND): λ_max(Lᵀ H L) is accurate to
# ~u·cond(X D⁻¹)², D the columns' norms.
_REORTH_EVERY, _MAX_COND = 8, 100.0
# Triangular blocks up to this size are solved and multiplied whole (``_solve_upper``, ``_upper_times``).
_LEAF = 64


def exact_curves(system, xs, states, *, rtol=None, checks=3, check_tol=1e-9, seed=0, make=None):
    """``GradientFlow``'s curves for every lag: log_norm, blocks, block_error_bounds (, log_norm_direct),
    error_bound, rank.

    ``system``: a ``system.RecurrentSystem`` (or a cell); ``make(xs, states)``: the step operators
    of those steps (default ``system.step_operators``)."""
    system = as_system(system)
    make = system.step_operators if make is None else make
    if rtol is None:
        rtol = system.state_size * np.finfo(float).eps
    curves = _stream(system, make, xs, states, rtol, checks, seed, check_tol)
    return curves if curves is not None else _stream(system, make, xs, states, 0.0, checks, seed, np.inf)


def _stream(system, make, xs, states, rtol, checks, seed, check_tol):
    """The curves, or None as soon as the truncation check exceeds ``check_tol``."""
    stream = _Stream(system, len(xs), rtol, checks, seed, check_tol)
    chunk = None
    with np.errstate(divide="ignore"):  # ln 0 = −inf: a block (or P) that is exactly 0
        for _, Js, j in chunked_jacobians(make, xs, states, reverse=True):
            if Js is not chunk:  # the carousel path needs no product: a whole chunk at once
                chunk = Js
                if stream.carousel is not None:
                    stream.carousel.add([Js.carousel(j) for j in range(Js.steps - 1, -1, -1)])
            if not stream.lag(Js, j):
                return None
    return stream.curves()


class _Stream:
    """The product P_{T,τ}ᵀ over the lags τ = 1, 2, …, one lag at a time (``lag``), in phases.

    Invariant after lag τ, with ℓ = ``log_scale`` and r = the rank kept:

    - dense phase: Z = P_{T,τ}ᵀ/e^ℓ (d, d);
    - factored phase: Z = [X, Pᵀ Y/e^ℓ] with P_{T,τ}ᵀ ≈ e^ℓ·X K (X = Z[:, :r], K (r, d)), the check
      columns Pᵀ Y streamed exactly beside it, ``KY`` = K Y and ``H`` = K Kᵀ.

    In both, block (a, b) of P/e^ℓ is Bᵀ with B = Z[b, a] (dense) or X[b] K[:, a] (factored).

    The phases of a lag: apply J_{T−τ+1}ᵀ and take the Gram matrix (``_gram``); the top eigenvalue
    of the dense phase (``_dense``) or of the factored form (``_factored``: re-orthonormalise now
    and then); rescale; then, factored, drop trailing rows (``_truncate``) and check the error
    against the exact columns; last, the blocks' curves (``_blocks``). The dense phase hands over to
    the factored one once half of the Gram matrix's spectrum is below its resolution (``_hand_over``).
    """

    def __init__(self, system, T, rtol, checks, seed, check_tol):
        d, self.rtol, self.check_tol = system.state_size, rtol, check_tol
        self.rows = tuple(system.layout.values()) if len(system.layout) > 1 else (slice(0, d),)
        # one row block per state part; the blocks the system names get curves: (name, a, b) with a
        # and b indices of parts
        index = {part: p for p, part in enumerate(system.layout)}
        self.reported = [(name, index[a], index[b]) for name, a, b in system.blocks]
        self.out = {"log_norm": np.full(T, -np.inf), "error_bound": np.zeros(T), "rank": np.full(T, d)}
        self.blocks = {name: np.full(T, -np.inf) for name, _, _ in self.reported}
        # per reported block and lag, the check's bound on ‖E[a, b]‖₂ (E = P − the truncated
        # product) relative to ‖P‖₂ (``_block_bounds``)
        self.block_error = {name: np.zeros(T) for name, _, _ in self.reported}
        self.carousel = CarouselPath(T, part_size(system, "c")) if "c" in system.layout else None
        # The check columns, Gaussian y_i, each split by part: y_i[a] on part a, zero elsewhere (k per
        # part; their sum over the parts is y_i). Rows b of Pᵀ y_i[a] are P[a, b]ᵀ y_i[a]: every block
        # gets the lemma's bound of its own, the full product that of the sums.
        self.Y = _split_by_part(np.random.default_rng(seed).standard_normal((d, checks)), self.rows)
        # Short lags: a dense phase, Z = Pᵀ/e^ℓ (the rank is near d there). Without truncation
        # (rtol = 0, the fallback) the graded factored form is used from the start.
        self.log_scale, self.dense, self.i = 0.0, rtol > 0, 0
        if self.dense:
            self.Z, self.KY, self.K = np.eye(d), None, None
        else:
            self.Z, self.KY, self.K = _factor(np.eye(d), self.Y, 0.0)
            self._set_parts()
        # Warm starts for λ_max, vectors on the s_T side: the blocks' (their columns a), and P's in
        # the dense phase. Factored, P's becomes k = K·v in K's coordinates (K changes only at a
        # re-orthonormalisation, k ← R k); the start of an r×r problem Lᵀ H L is then Lᵀ k, nearly
        # converged once v has settled.
        self.warm, self.since = {}, 0  # lags since the last QR
        self._reorthonormalised = False  # at this lag (only then are K's rows truncated)

    def lag(self, Js, j):
        """One more lag, through the step J = step j of ``Js``: False as soon as the truncation
        check's bound exceeds ``check_tol``, else True."""
        i, self.i = self.i, self.i + 1
        if self.log_scale == -np.inf:  # P was exactly 0 at a shorter lag, so it is 0 here too
            return True
        self.Z = Js.apply_t(self.Z, j)
        r = self.Z.shape[0] if self.dense else self.KY.shape[0]
        # the blocks' Gram matrices X[b]ᵀX[b] where the blocks take the r×r route (``_block_lambda``)
        split = not self.dense and self.reported and r < max(p.stop - p.start for p in self.rows)
        G, Gb, self.log_scale = _gram(self.Z, r, self.log_scale, i, self.rows if split else None)
        lam = self._dense(G) if self.dense else self._factored(G, r)
        if lam <= 0:
            self.log_scale = -np.inf
            return True
        self.log_scale += 0.5 * np.log(lam)
        self.out["log_norm"][i] = self.log_scale
        if self.dense:
            self.Z /= np.sqrt(lam)
            self._blocks(i)
            # Now and then (an eigensolve), the spectrum decides whether the factored form is cheaper.
            if (i % (1 if len(G) <= 64 else 16) == 0) and np.count_nonzero(
                np.linalg.eigvalsh(G) > _GRAM_RESOLUTION * lam
            ) <= len(G) // 2:
                self._hand_over()
            return True
        self._rescale_and_truncate(lam, r)
        if not self._check(i):
            return False
        self._blocks(i, None if self._reorthonormalised or self.KY.shape[0] < r else Gb)
        return True

    def _dense(self, G):
        """λ_max(G), G = P Pᵀ/e^{2ℓ}: its top eigenvector, on the s_T side, settles with τ."""
        lam, self.warm["P"] = top_eig(G, self.warm.get("P"))
        return lam

    def _factored(self, G, r):
        """λ_max = ‖X K‖² with G = XᵀX: λ_max(Lᵀ H L) with L Lᵀ = G (Cholesky); the basis is
        re-orthonormalised now and then (``_needs_basis``): X = Q R with R = Lᵀ, X ← Q, K ← R K."""
        L = _gram_factor(G)
        self.since += 1
        warm = self.warm
        if _needs_basis(L, G, self.since):  # Z[:, :r] = Q R: move R into K; Q is the new basis
            Q, R = _orthonormalise(self.Z[:, :r], L)
            self.K, self.KY = _upper_times(R, self.K), R @ self.KY
            self._set_parts()
            self.Z[:, :r], self.since = Q, 0
            k = warm.get("K")
            lam, warm["K"] = top_eig(self.H, None if k is None else R @ k)
            self._reorthonormalised = True
        else:  # ‖X K‖² = λ_max(Lᵀ H L) with L Lᵀ = XᵀX: no new basis needed yet
            k = warm.get("K")
            lam, u = top_eig(self.H, None if k is None else L.T @ k, F=L, Gram=G)
            warm["K"] = None if u is None else self.H @ (L @ u)  # Lᵀ H L u = λu: K v ∝ L⁻ᵀu = H L u/λ
            self._reorthonormalised = False
        return lam

    def _set_parts(self):
        """H = K Kᵀ; its parts H_a = K[:, a] K[:, a]ᵀ (per state part a) when a block needs them
        (``_part``)."""
        self.H, self.parts = self.K @ self.K.T, None

    def _part(self, a):
        """H_a = K[:, a] K[:, a]ᵀ, all parts computed at once and kept until K changes."""
        if self.parts is None:
            self.parts = [_syrk(self.K[:, rows].T) for rows in self.rows]
        return self.parts[a]

    def _blocks(self, i, Gb=None):
        """The blocks' curves: block (a, b) of P/e^ℓ is Bᵀ, B = Z[b, a] (dense) or X[b] K[:, a]
        (factored, ``_block_lambda``); ‖B‖₂² = λ_max(BᵀB), its top vectors on the s_T side (warm
        starts). ``Gb``: the parts X[b]ᵀX[b] of this lag's Gram matrix, where they still hold."""
        for name, a, b in self.reported:
            rows_a, rows_b = self.rows[a], self.rows[b]
            if self.dense:
                B = self.Z[rows_b, rows_a]
                lam, self.warm[name] = top_eig(B.T @ B, self.warm.get(name))
            else:
                X_b = self.Z[rows_b, : self.K.shape[0]]
                lam, self.warm[name] = _block_lambda(
                    X_b,
                    self.K[:, rows_a],
                    lambda a=a: self._part(a),
                    self.warm.get(name),
                    None if Gb is None else Gb[b],
                )
            self.blocks[name][i] = self.log_scale + 0.5 * np.log(lam)

    def _hand_over(self):
        """Leave the dense phase for the factored form (``_factor``): v on the s_T side becomes
        k = K v."""
        self.Z, self.KY, self.K = _factor(self.Z, self.Y, self.rtol)
        self._set_parts()
        self.dense = False
        self.warm["K"] = _mapped(self.K, self.warm.pop("P", None))

    def _rescale_and_truncate(self, lam, r):
        """Divide out λ (into the log scale) and, right after a re-orthonormalisation (row norms of
        K need an orthonormal basis), drop K's trailing rows below ``rtol`` (``_truncate``)."""
        self.K, self.H = self.K / np.sqrt(lam), self.H / lam
        self.parts = None if self.parts is None else [Hp / lam for Hp in self.parts]
        self.Z[:, r:], self.KY = self.Z[:, r:] / np.sqrt(lam), self.KY / np.sqrt(lam)
        keep = _truncate(np.diagonal(self.H), self.rtol) if self._reorthonormalised else r
        if keep < r:
            self.Z = np.hstack([self.Z[:, :keep], self.Z[:, r:]])
            self.K, self.KY, self.H = self.K[:keep], self.KY[:keep], self.H[:keep, :keep]
            self.parts = None if self.parts is None else [Hp[:keep, :keep] for Hp in self.parts]
            # Warm starts lose the dropped coordinates (any start is safe).
            k = self.warm.get("K")
            self.warm["K"] = None if k is None else k[:keep]

    def _check(self, i):
        """Whether the truncation check at lag i + 1 passes: ‖E‖₂ ≤ 10·√(2/π)·maxᵢ ‖E yᵢ‖ (relative
        to ‖P‖₂, the bound recorded) stays within ``check_tol``."""
        r = self.KY.shape[0]
        self.out["rank"][i] = r
        # Eᵀ y_i[a]/‖P‖₂ (d, parts, k): rows on the s_{T−τ} side
        residual = (self.Z[:, r:] - self.Z[:, :r] @ self.KY).reshape(self.Z.shape[0], len(self.rows), -1)
        self.out["error_bound"][i] = _ALPHA * np.linalg.norm(residual.sum(axis=1), axis=0).max(initial=0.0)
        for name, a, b in self.reported:  # rows b of Eᵀ y_i[a] = E[a, b]ᵀ y_i[a]
            self.block_error[name][i] = _ALPHA * np.linalg.norm(residual[self.rows[b], a], axis=0).max(initial=0.0)
        return not self.out["error_bound"][i] > self.check_tol

    def curves(self):
        """``GradientFlow``'s fields."""
        blocks, bounds = _block_bounds(self.blocks, self.out, self.block_error)
        return {
            **self.out,
            "blocks": blocks,
            "block_error_bounds": bounds,
            "log_norm_direct": None if self.carousel is None else self.carousel.curve,
        }


def _block_bounds(blocks, out, block_error):
    """(The block curves, their error bounds in ln): each block (a, b) of the truncated product
    P̃ = P − E against the check's bound δ ≥ ‖E[a, b]‖₂ (``block_error``, relative to
    ‖P‖₂ ≤ ‖P̃‖₂/(1 − β), β = ``error_bound``). Where ‖P̃[a, b]‖₂ > δ the curve is ln ‖P̃[a, b]‖₂,
    within ln(‖P̃[a, b]‖₂/(‖P̃[a, b]‖₂ − δ)) of the truth; where the block is at or below δ (it fell
    under the truncation, far below ‖P‖₂), the curve is the upper bound ln(‖P̃[a, b]‖₂ + δ) and its
    bound is inf: the block is only known to be below that."""
    beta = out["error_bound"]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        scale = np.where(beta < 1, 1 / (1 - beta), np.inf)  # ‖P‖₂/‖P̃‖₂ at most
        curves, bounds = {}, {}
        for name, error in block_error.items():
            delta = error * scale  # relative to ‖P̃‖₂ = e^{log_norm}
            rel = np.exp(blocks[name] - out["log_norm"])
            exact = (delta == 0) | ~np.isfinite(out["log_norm"])  # nothing truncated (or P = 0)
            resolved = exact | (rel > delta)
            bounds[name] = np.where(exact, 0.0, np.where(resolved, -np.log1p(-delta / rel), np.inf))
            curves[name] = np.where(resolved, blocks[name], out["log_norm"] + np.log(rel + delta))
    return curves, bounds


def _split_by_part(Y, rows):
    """[Y on part 0, Y on part 1, ...] (d, parts·k): each part's rows of Y, zero elsewhere."""
    k = Y.shape[1]
    out = np.zeros((Y.shape[0], len(rows) * k))
    for p, part in enumerate(rows):
        out[part, p * k : (p + 1) * k] = Y[part]
    return out


def _mapped(K, v):
    """k = K v: a warm start v on the s_T side in the coordinates of K (None stays None)."""
    return None if v is None else K @ v


def _factor(X, Y, rtol):
    """Leave the dense phase: X = Pᵀ/e^ℓ = Q R (Householder), K = R. Rows of R below the dense
    phase's own rounding level (d·2⁻⁵³·‖P‖₂) carry no information and are dropped with the rest.
    Returns (Z = [Q, X Y], K Y, K)."""
    Q, R = np.linalg.qr(X)
    r = _truncate(np.einsum("ij,ij->i", R, R), max(rtol, X.shape[0] * np.finfo(float).eps) if rtol > 0 else 0.0)
    K = R[:r]
    return np.hstack([Q[:, :r], X @ Y]), K @ Y, K


def _gram(Z, r, log_scale, i, rows=None):
    """(XᵀX for X = Z[:, :r], its parts X[b]ᵀX[b] over ``rows`` (or None), log scale): Z is
    rescaled (in place, into the log scale) only when its Gram matrix would leave float64's
    comfortable range (huge or tiny Jacobians)."""
    G, Gb = _gram_parts(Z[:, :r], rows)
    if 1e-200 < np.trace(G) < 1e200:
        return G, Gb, log_scale
    peak = np.abs(Z).max()
    if not np.isfinite(peak):
        raise ValueError(f"gradient_norms: a step Jacobian overflows float64 at lag {i + 1}")
    if peak == 0:
        return G, Gb, log_scale
    Z /= peak
    return (*_gram_parts(Z[:, :r], rows), log_scale + np.log(peak))


def _gram_parts(X, rows):
    if rows is None:
        return _syrk(X), None
    Gb = [_syrk(X[b]) for b in rows]  # the blocks' Gram matrices, reused for their norms
    return sum(Gb), Gb


def _syrk(X):
    """XᵀX: on a contiguous copy of a strided X NumPy takes the symmetric product (syrk), about
    half the time of the general one measured at d = 1024, r = 650 with the copy."""
    X = np.ascontiguousarray(X)
    return X.T @ X


def _gram_factor(G):
    """L with L Lᵀ = G (lower triangular), or None if G is not numerically positive definite."""
    try:
        return np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        return None


def _needs_basis(L, G, since):
    """Whether to re-orthonormalise X: every ``_REORTH_EVERY`` lags, when XᵀX is not numerically
    positive definite (L None), or when X's columns come near to dependent: with D the columns'
    norms, L_ii/D_ii is the sine of column i's angle to the span of the columns before it, and
    1/min of it a proxy for cond(X D⁻¹). The columns' scales alone (D) do not matter: Cholesky of
    XᵀX, and so λ_max(Lᵀ H L), is accurate to ~u·cond(X D⁻¹)² (van der Sluis 1969; Demmel 1989)."""
    if L is None or since >= _REORTH_EVERY:
        return True
    sines = np.diagonal(L) / np.sqrt(np.diagonal(G))
    return sines.min() * _MAX_COND <= 1.0


def _orthonormalise(X, L=None):
    """X = Q R with R upper triangular: R = Lᵀ from XᵀX = L Lᵀ (Cholesky, given), Householder QR
    if XᵀX is not numerically positive definite (a singular J_t, e.g. dead relu units)."""
    if L is not None:
        R = L.T
        Q = _solve_upper(X, R)
        if np.isfinite(Q).all():
            return Q, R
    return np.linalg.qr(X)


def _solve_upper(X, R):
    """X R⁻¹ for R upper triangular (r, r), X (d, r): a right triangular solve by 2×2 blocks,
    [Q₁ Q₂] = [X₁ A⁻¹, (X₂ − Q₁ B) C⁻¹] for R = [[A, B], [0, C]]: d·r² flops in GEMMs (X @ inv(R)
    costs ~2r³ + 2d·r²; NumPy has no trsm). The leaves are X @ inv(A), as accurate as that is for
    graded R (whose rows' scales spread far: the factored product without truncation).

    >>> rng = np.random.default_rng(0)
    >>> R, X = np.triu(rng.normal(size=(150, 150))) + 20 * np.eye(150), rng.normal(size=(3, 150))
    >>> bool(np.allclose(_solve_upper(X, R) @ R, X, rtol=0, atol=1e-12))
    True
    """
    r = R.shape[0]
    if r <= _LEAF:  # LU of an upper triangular matrix pivots nothing (that of Rᵀ would, graded R)
        return X @ np.linalg.inv(R)
    h = r // 2
    Q1 = _solve_upper(X[:, :h], R[:h, :h])
    return np.hstack([Q1, _solve_upper(X[:, h:] - Q1 @ R[:h, h:], R[h:, h:])])


def _upper_times(R, K):
    """R K for R upper triangular (r, r), K (r, d), by 2×2 blocks: r²·d flops in GEMMs, half a full
    product's (NumPy has no trmm).

    >>> rng = np.random.default_rng(0)
    >>> R, K = np.triu(rng.normal(size=(150, 150))), rng.normal(size=(150, 4))
    >>> bool(np.allclose(_upper_times(R, K), R @ K, rtol=0, atol=1e-12))
    True
    """
    r = R.shape[0]
    if r <= _LEAF:
        return R @ K
    h = r // 2
    return np.vstack([_upper_times(R[:h, :h], K[:h]) + R[:h, h:] @ K[h:], _upper_times(R[h:, h:], K[h:])])


def _block_lambda(X_b, K_a, part, v=None, G_b=None):
    """(‖X_b K_a‖₂², its top right vectors on the s_T side): the norm² of a block of P/e^ℓ in the
    factored phase, with ``part()`` = H_a = K_a K_aᵀ and ``v`` the previous top vectors (a warm start).

    While the rank r is below the block's sizes: with C Cᵀ = X_bᵀX_b (= G_b if given; Cholesky),
    λ_max(Cᵀ H_a C), an r×r problem, and v ∝ K_aᵀ C u for its top vector u. Otherwise (or if X_b's
    Gram matrix is not numerically positive definite) B = X_b K_a and λ_max(BᵀB)."""
    r = K_a.shape[0]
    if r < min(X_b.shape[0], K_a.shape[1]):
        Gram = _syrk(X_b) if G_b is None else G_b
        C = _gram_factor(Gram)
        if C is not None:
            lam, u = top_eig(part(), None if v is None else C.T @ (K_a @ v), F=C, Gram=Gram)
            return lam, None if u is None else K_a.T @ (C @ u)
    B = X_b @ K_a
    return top_eig(B.T @ B, v)


def _truncate(rows2, rtol):
    """The rank kept: drop the longest tail of rows of K with ‖K[j:]‖_F ≤ rtol·‖K‖₂ (= rtol here);
    ``rows2``: the squared norms of K's rows."""
    tail = np.sqrt(np.maximum(np.cumsum(rows2[::-1])[::-1], 0.0))
    big = np.nonzero(tail > rtol)[0]
    return int(big[-1]) + 1 if big.size else 1
