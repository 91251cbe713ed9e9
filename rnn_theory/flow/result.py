"""The gradient-norm curve over lags: a small frozen record with a JSON form, and the carousel curve
∏ diag(∂c'/∂c) that every engine reports beside it (computed here, once)."""

from dataclasses import dataclass, field, fields

import numpy as np

# The blocks a state's curves are reported for: (h, h) and (c, c) of a multi-part state. Other
# parts (the sLSTM's n, m, the mLSTM's C) only complete the partition of the product.
REPORTED_PARTS = ("h", "c")


@dataclass(frozen=True)
class GradientFlow:
    """ln ‖∂s_T/∂s_{T−τ}‖₂ for τ = 1..T, and its blocks, as computed by ``gradient_norms``.

    Arrays have shape (T,) and are read-only; entry τ−1 belongs to lag τ (the state s_{T−τ}).

    - ``log_norm``: ln ‖P_{T,τ}‖₂ with P_{T,τ} = J_T ··· J_{T−τ+1} (natural log; −inf for P = 0).
    - ``blocks``: the named block curves, a dict name -> (T,): for the LSTM family
      "h" (ln ‖∂h_T/∂h_{T−τ}‖₂ with c_{T−τ} held fixed) and "c" (ln ‖∂c_T/∂c_{T−τ}‖₂ with h_{T−τ}
      held fixed); empty for a one-part state. ``log_norm_h`` and ``log_norm_c`` read it.
    - ``log_norm_direct``: ln ‖∏ ∂c'/∂c‖₂ over the τ steps, the direct carousel path alone:
      ∏ diag(f) for lstm and cifg, I for lstm_nofg, the peephole-corrected diagonal for peephole
      (LSTM family, else None).
    - ``error_bound``: per lag, a bound on the error of ``log_norm`` (see ``method``):
      "exact": |error| ≤ bound with probability ≥ 1 − 10^(−checks) (truncation check);
      "probe": log_norm ≤ truth ≤ log_norm + bound with probability ≥ 1 − 10^(−k).
      "exact" on another namespace (device=, ``dense_stream``): the certified width of ln ‖Z_τ‖₂.
    - ``block_error_bounds``: per block curve (name -> (T,)), as ``error_bound`` is for
      ``log_norm`` (else None):
      "exact": |error| ≤ bound, from the same truncation check (with the same probability): its
      Gaussian columns, split by state part, bound each block's error E[a, b] (``flow.exact``). A
      block far below ‖P‖₂ can fall under the truncation level (~d·2⁻⁵²·‖P‖₂), as a stack's upper
      layer that forgets faster than the one below does: then its bound is inf and its curve an
      upper bound, ln(‖P̃[a, b]‖₂ + ‖E[a, b]‖₂), never −inf. (An LSTM's c block stays resolved far
      below h: measured 44 nats below with forget gates ~e⁻⁴⁵, its error is scaled by f as the
      block is.) With ``rtol=0`` nothing is truncated and the graded product keeps such blocks to
      their own accuracy (tested on an LSTM under a GRU, 60 nats below ‖P‖₂: 1e-9 of autograd and
      of a dense product), the bound saying where the check certifies it.
      "probe": blocks[name] ≤ truth ≤ blocks[name] + bound, the upper side with probability
      ≥ 1 − 10^(−k) for each.
    - ``rank``: "exact" only, the rank kept in the factored product at each lag.
    - ``proofs``: the dense stream (another namespace, device=) only, how many λ_max each route of
      its certificate decided (gershgorin, kato_temple, cholesky, eigensolver, small); else None.

    >>> import numpy as np
    >>> flow = GradientFlow("exact", np.array([1, 2]), np.array([-0.5, -1.0]), {"h": np.array([-0.6, -1.1])})
    >>> flow.log_norm_h.tolist(), flow.log_norm_c, sorted(flow.blocks)
    ([-0.6, -1.1], None, ['h'])
    """

    method: str
    lags: np.ndarray
    log_norm: np.ndarray
    blocks: dict = field(default_factory=dict)
    log_norm_direct: np.ndarray = None
    error_bound: np.ndarray = None
    rank: np.ndarray = None
    proofs: dict = None
    block_error_bounds: dict = None

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                object.__setattr__(self, f.name, _frozen(value))
        # a dict (picklable: results come back from worker processes) of read-only arrays
        for name in ("blocks", "block_error_bounds"):
            curves = getattr(self, name)
            if curves is not None:
                object.__setattr__(self, name, {key: _frozen(np.asarray(curve)) for key, curve in curves.items()})

    @property
    def log_norm_h(self):
        """ln ‖∂h_T/∂h_{T−τ}‖₂ with c_{T−τ} held fixed: ``blocks["h"]``, ``log_norm`` when s = h (no
        blocks); None for a system whose blocks are others (a stack's, ``flow.stack``)."""
        return self.blocks.get("h", None if self.blocks else self.log_norm)

    @property
    def log_norm_c(self):
        """ln ‖∂c_T/∂c_{T−τ}‖₂ with h_{T−τ} held fixed: ``blocks["c"]`` (LSTM family, else None)."""
        return self.blocks.get("c")

    def __repr__(self):
        """Short: the method, T and the curve's ends (the arrays are in the fields).

        >>> import numpy as np
        >>> GradientFlow("exact", np.array([1, 2]), np.array([-0.5, -np.inf]))
        GradientFlow(exact, T = 2: ln‖∂s_T/∂s_(T−1)‖₂ = -0.5, ln‖∂s_T/∂s_0‖₂ = -inf)
        """
        first, last = (f"{v:.3g}" for v in (self.log_norm[0], self.log_norm[-1]))
        return (
            f"GradientFlow({self.method}, T = {len(self.lags)}: ln‖∂s_T/∂s_(T−1)‖₂ = {first}, ln‖∂s_T/∂s_0‖₂ = {last})"
        )

    def plot(self, title=None):
        """The curve against the lag (and the h, c and carousel blocks where the state has them), as a
        matplotlib Figure in the package's style (the figure of ``rt.analyze``'s ``plot``): drawn by
        ``rnn_theory.plots.flow_figure``, imported only when plotting (matplotlib)."""
        from ..plots._flow import flow_figure  # noqa: PLC0415 (matplotlib only when plotting)

        return flow_figure(self, title)

    def to_dict(self):
        """Plain lists for JSON; non-finite values (ln 0 = −inf) become None. The h and c blocks are
        ``log_norm_h`` and ``log_norm_c``; any other block curves go under ``blocks``; ``proofs``
        and ``block_error_bounds`` (name -> list; "exact": None where a curve is an upper bound
        only) where there are some.

        >>> import numpy as np
        >>> flow = GradientFlow("exact", np.array([1, 2]), np.array([-0.5, -np.inf]))
        >>> flow.to_dict()["log_norm"], flow.to_dict()["log_norm_h"], flow.to_dict()["log_norm_c"]
        ([-0.5, None], [-0.5, None], None)
        """
        out = {"method": self.method, "lags": _jsonable(self.lags), "log_norm": _jsonable(self.log_norm)}
        out |= {f"log_norm_{part}": _jsonable(getattr(self, f"log_norm_{part}")) for part in REPORTED_PARTS}
        out |= {name: _jsonable(getattr(self, name)) for name in ("log_norm_direct", "error_bound", "rank")}
        others = {name: _jsonable(curve) for name, curve in self.blocks.items() if name not in REPORTED_PARTS}
        out |= {"blocks": others} if others else {}
        if self.block_error_bounds is not None:
            out["block_error_bounds"] = {name: _jsonable(bound) for name, bound in self.block_error_bounds.items()}
        return out | ({} if self.proofs is None else {"proofs": self.proofs})


class CarouselPath:
    """ln ‖∏ diag(∂c'/∂c)‖₂ over the lags: the direct carousel path, ``GradientFlow.log_norm_direct``.

    ``add(diagonals)`` takes the diagonals of ∂c'/∂c of the next steps in lag order (J_T's first),
    (steps, n); the running sums of ln |∂c'/∂c| are added in that order, one lag at a time, so the
    curve does not depend on how the steps are grouped.

    >>> path = CarouselPath(3, 2)
    >>> path.add(np.array([[0.5, 1.0]])); path.add(np.array([[0.5, 0.5], [2.0, 0.5]]))
    >>> np.round(np.exp(path.curve), 12).tolist()
    [1.0, 0.5, 0.5]
    """

    def __init__(self, T, n):
        self.curve, self._sums, self._done = np.full(T, -np.inf), np.zeros(n), 0

    def add(self, diagonals):
        with np.errstate(divide="ignore"):
            sums = np.cumsum(np.vstack([self._sums, np.log(np.abs(diagonals))]), axis=0)[1:]
        self.curve[self._done : self._done + len(sums)] = sums.max(axis=1)
        self._sums, self._done = sums[-1], self._done + len(sums)


def _frozen(value):
    value = value.copy()
    value.setflags(write=False)
    return value


def _jsonable(value):
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.kind in "iu":
        return [int(v) for v in value]
    return [float(v) if np.isfinite(v) else None for v in value]
