"""The gradient-norm-vs-lag figure of ``rnn-theory analyze --plot``, byte-identical on regeneration.

ln‖∂s_T/∂s_{T−τ}‖₂ against τ (natural log, DESIGN.md section 2), the h-block for the LSTM family,
and the line τ·λ_1 of the largest Lyapunov exponent that a long-lag curve follows. Drawn in the
print style of the publication figures and saved without time or version stamps by the same code
(``rnn_theory.plots``), so an analysed model's figure sits beside them unchanged.

>>> report = {"kind": "rnn", "lags": [1, 2, 3], "log_norm": [-0.1, -0.3, None],
...           "log_norm_h": [-0.1, -0.3, None], "lyapunov": [-0.1], "state_size": 2}
>>> figure_bytes(report, "demo", "png")[:4] == b"\\x89PNG"
True
"""

from ..plots import _save, _style

FORMATS = _save.FORMATS


def figure_bytes(report, title, fmt):
    """The figure for an analyze ``report`` (its JSON dict) as bytes of format png, pdf or svg."""
    lags = report["lags"]
    nan = float("nan")
    with _style.style():
        figure, axes = _style.new_figure(width=_style.DOUBLE / 2 + 0.5, height=2.6)
        axes.plot(lags, [nan if v is None else v for v in report["log_norm"]], **_line(0),
                  label=r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")
        if report["state_size"] != report.get("hidden_size", report["state_size"]):
            axes.plot(lags, [nan if v is None else v for v in report["log_norm_h"]], **_line(1),
                      label=r"$\ln\|\partial h_T/\partial h_{T-\tau}\|_2$ ($c_{T-\tau}$ held fixed)")
        if report["lyapunov"] and report["lyapunov"][0] is not None:
            lam = report["lyapunov"][0]
            axes.plot(lags, [lam * t for t in lags], color=_style.GREY, **_style.REFERENCE,
                      label=rf"$\tau\,\lambda_1$, $\lambda_1 = {lam:.3g}$ per step")
        vanished = sum(v is None for v in report["log_norm"])
        if vanished:  # ln 0 = −∞ cannot be drawn: say so rather than leave a silent gap
            axes.text(0.02, 0.04, f"at {vanished} of {len(lags)} lags the product is exactly 0 (ln = −∞), not drawn",
                      transform=axes.transAxes, fontsize=6, color=_style.GREY)
        axes.axhline(0.0, color=_style.BLACK, linewidth=0.5)
        _style.lag_axis(axes, max(lags) + 1)
        axes.set_ylabel("natural log of the spectral norm")
        axes.set_title(title)
        axes.legend()
        return _save.figure_bytes(figure, fmt)


def _line(i):
    """The i-th series' colour and line style; no markers (a curve has a point at every lag)."""
    style = _style.series(i)
    del style["marker"]
    return style
