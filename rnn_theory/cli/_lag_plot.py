"""The gradient-norm-vs-lag figure of ``rnn-theory analyze --plot``, byte-identical on regeneration.

ln‖∂s_T/∂s_{T−τ}‖₂ against τ (natural log, DESIGN.md section 2), the h-block for the LSTM family,
and the line τ·λ_1 of the largest Lyapunov exponent that a long-lag curve follows. No pyplot
(no global state); PNG, PDF or SVG with their time and version stamps removed (REFERENCES.md §4).

>>> report = {"kind": "rnn", "lags": [1, 2, 3], "log_norm": [-0.1, -0.3, None],
...           "log_norm_h": [-0.1, -0.3, None], "lyapunov": [-0.1], "state_size": 2}
>>> figure_bytes(report, "demo", "png")[:4] == b"\\x89PNG"
True
"""

import io

FORMATS = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
}
_BLUE, _ORANGE, _GREY = "#0072B2", "#E69F00", "#555555"  # Okabe–Ito, colour-blind safe


def figure_bytes(report, title, fmt):
    """The figure for an analyze ``report`` (its JSON dict) as bytes of format png, pdf or svg."""
    import matplotlib  # noqa: PLC0415 - imported on use: every command's parser imports this module
    from matplotlib.figure import Figure  # noqa: PLC0415

    lags = report["lags"]
    nan = float("nan")
    log_norm = [nan if v is None else v for v in report["log_norm"]]
    with matplotlib.rc_context({"svg.hashsalt": "rnn-theory", "pdf.fonttype": 42, "svg.fonttype": "none"}):
        figure = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        axes.plot(lags, log_norm, color=_BLUE, lw=1.8, label=r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$")
        if report["state_size"] != report.get("hidden_size", report["state_size"]):
            log_norm_h = [nan if v is None else v for v in report["log_norm_h"]]
            axes.plot(lags, log_norm_h, color=_ORANGE, lw=1.4, ls="--",
                      label=r"$\ln\|\partial h_T/\partial h_{T-\tau}\|_2$ ($c_{T-\tau}$ held fixed)")
        if report["lyapunov"] and report["lyapunov"][0] is not None:
            lam = report["lyapunov"][0]
            axes.plot(lags, [lam * t for t in lags], color=_GREY, lw=1.0, ls=":",
                      label=rf"$\tau\,\lambda_1$, $\lambda_1 = {lam:.3g}$ per step")
        vanished = sum(v is None for v in report["log_norm"])
        if vanished:  # ln 0 = −∞ cannot be drawn: say so rather than leave a silent gap
            axes.text(0.02, 0.04, f"at {vanished} of {len(lags)} lags the product is exactly 0 (ln = −∞), not drawn",
                      transform=axes.transAxes, fontsize=8, color=_GREY)
        axes.axhline(0.0, color="black", lw=0.6)
        axes.set_xlim(0, max(lags) + 1)
        axes.set_xlabel(r"lag $\tau$ (steps)")
        axes.set_ylabel("natural log of the spectral norm")
        axes.set_title(title, fontsize=10)
        axes.legend(fontsize=8, frameon=False)
        axes.grid(alpha=0.3)
        buffer = io.BytesIO()
        figure.savefig(buffer, format=fmt, metadata=FORMATS[fmt])
    return buffer.getvalue()
