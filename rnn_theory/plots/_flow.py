"""The gradient-norm-versus-lag curves, drawn: ``draw`` (shared with ``rt.analyze``'s report figure)
and ``flow_figure``, the figure of a ``GradientFlow`` (its ``plot()``).

ln‖∂s_T/∂s_{T−τ}‖₂ against τ (natural log), the blocks where the state has parts (h, c and the
carousel ∏ ∂c'/∂c for the LSTM family), in the print style of the publication figures.

>>> import numpy as np
>>> from rnn_theory.flow import GradientFlow
>>> flow = GradientFlow("exact", np.array([1, 2, 3]), np.array([-0.1, -0.3, -np.inf]))
>>> flow_figure(flow).axes[0].get_title()
'gradient flow, method exact, T = 3'
"""

import numpy as np

from . import _style


def draw(axes, lags, series, bands=None, lyapunov=None):
    """Draw (label, values, band key) series against the lags, bands[key] = {q25, q50, q75} shaded,
    and τ·λ_1 when ``lyapunov`` (λ_1) is given. Returns the number of lags where ln = −∞."""
    nan = float("nan")
    for i, (label, values, key) in enumerate(series):
        style = _style.series(i)
        del style["marker"]  # a curve has a point at every lag
        axes.plot(lags, [nan if v is None else v for v in values], **style, label=label)
        if bands and key in bands:
            low, high = ([nan if v is None else v for v in bands[key][q]] for q in ("q25", "q75"))
            axes.fill_between(lags, low, high, color=style["color"], alpha=_style.BAND_ALPHA, linewidth=0)
    if lyapunov is not None:
        axes.plot(
            lags,
            [lyapunov * t for t in lags],
            color=_style.GREY,
            **_style.REFERENCE,
            label=rf"$\tau\,\lambda_1$, $\lambda_1 = {lyapunov:.3g}$ per step",
        )
    axes.axhline(0.0, color=_style.BLACK, linewidth=0.5)
    _style.lag_axis(axes, max(lags) + 1)
    axes.set_ylabel("natural log of the spectral norm")
    axes.legend()
    return sum(v is None for v in series[0][1])


def flow_figure(flow, title=None):
    """The figure of a ``GradientFlow``: its curve, and its blocks where the state has parts."""
    series = [(r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$", flow.log_norm, None)]
    if flow.log_norm_c is not None:
        series += [
            (r"$\ln\|\partial h_T/\partial h_{T-\tau}\|_2$", flow.log_norm_h, None),
            (r"$\ln\|\partial c_T/\partial c_{T-\tau}\|_2$", flow.log_norm_c, None),
            (r"carousel $\ln\|\prod\,\partial c'/\partial c\|_2$", flow.log_norm_direct, None),
        ]
    series = [(label, [v if np.isfinite(v) else None for v in values], key) for label, values, key in series]
    with _style.style():
        fig, axes = _style.new_figure(width=_style.DOUBLE / 2 + 0.5, height=2.6)
        draw(axes, list(flow.lags), series)
        axes.set_title(title or f"gradient flow, method {flow.method}, T = {len(flow.lags)}")
        return fig
