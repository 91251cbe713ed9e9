"""The gradient-norm curve over lags: a small frozen record with a JSON form."""

from dataclasses import dataclass, fields

import numpy as np


@dataclass(frozen=True)
class GradientFlow:
    """ln ‖∂s_T/∂s_{T−τ}‖₂ for τ = 1..T, and its blocks, as computed by ``gradient_norms``.

    Arrays have shape (T,) and are read-only; entry τ−1 belongs to lag τ (the state s_{T−τ}).

    - ``log_norm``: ln ‖P_{T,τ}‖₂ with P_{T,τ} = J_T ··· J_{T−τ+1} (natural log; −inf for P = 0).
    - ``log_norm_h``: ln ‖∂h_T/∂h_{T−τ}‖₂ with c_{T−τ} held fixed (equals ``log_norm`` when s = h).
    - ``log_norm_c``: ln ‖∂c_T/∂c_{T−τ}‖₂ with h_{T−τ} held fixed (LSTM family, else None).
    - ``log_norm_direct``: ln ‖∏ ∂c'/∂c‖₂ over the τ steps, the direct carousel path alone:
      ∏ diag(f) for lstm and cifg, I for lstm_nofg, the peephole-corrected diagonal for peephole
      (LSTM family, else None).
    - ``error_bound``: per lag, a bound on the error of ``log_norm`` (see ``method``):
      "exact": |error| ≤ bound with probability ≥ 1 − 10^(−checks) (truncation check);
      "probe": log_norm ≤ truth ≤ log_norm + bound with probability ≥ 1 − 10^(−k).
      "exact" on another namespace (device=, ``dense_stream``): the certified width of ln ‖Z_τ‖₂.
    - ``rank``: "exact" only, the rank kept in the factored product at each lag.
    """

    method: str
    lags: np.ndarray
    log_norm: np.ndarray
    log_norm_h: np.ndarray
    log_norm_c: np.ndarray = None
    log_norm_direct: np.ndarray = None
    error_bound: np.ndarray = None
    rank: np.ndarray = None

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value = value.copy()
                value.setflags(write=False)
                object.__setattr__(self, f.name, value)

    def __repr__(self):
        """Short: the method, T and the curve's ends (the arrays are in the fields).

        >>> import numpy as np
        >>> GradientFlow("exact", np.array([1, 2]), np.array([-0.5, -np.inf]), np.array([-0.5, -1.0]))
        GradientFlow(exact, T = 2: ln‖∂s_T/∂s_(T−1)‖₂ = -0.5, ln‖∂s_T/∂s_0‖₂ = -inf)
        """
        first, last = (f"{v:.3g}" for v in (self.log_norm[0], self.log_norm[-1]))
        return (
            f"GradientFlow({self.method}, T = {len(self.lags)}: ln‖∂s_T/∂s_(T−1)‖₂ = {first}, ln‖∂s_T/∂s_0‖₂ = {last})"
        )

    def plot(self, title=None):
        """The curve against the lag (and the h, c and carousel blocks where the state has them), as a
        matplotlib Figure in the package's style (the figure of ``rt.analyze``'s ``plot``)."""
        from ..analysis._plot import flow_figure  # noqa: PLC0415 (matplotlib only when plotting)

        return flow_figure(self, title)

    def to_dict(self):
        """Plain lists for JSON; non-finite values (ln 0 = −inf) become None.

        >>> import numpy as np
        >>> flow = GradientFlow("exact", np.array([1, 2]), np.array([-0.5, -np.inf]), np.array([-0.5, -1.0]))
        >>> flow.to_dict()["log_norm"], flow.to_dict()["log_norm_c"]
        ([-0.5, None], None)
        """
        return {f.name: _jsonable(getattr(self, f.name)) for f in fields(self)}


def _jsonable(value):
    if not isinstance(value, np.ndarray):
        return value
    if value.dtype.kind in "iu":
        return [int(v) for v in value]
    return [float(v) if np.isfinite(v) else None for v in value]
