"""The gradient-norm-versus-lag figure of an analysis, byte-identical on regeneration.

ln‖∂s_T/∂s_{T−τ}‖₂ against τ (natural log), the blocks the report holds (h, and for the LSTM family
c and the carousel ∏ ∂c'/∂c; for a stack, ∂h^(l)_T/∂h^(k)_{T−τ} for every pair of layers), the
interquartile band of a batch, and the line τ·λ_1 of the largest Lyapunov exponent that a long-lag
curve follows. Drawn in the print style of the publication figures (``rnn_theory.plots``).

>>> report = {"kind": "rnn", "lags": [1, 2, 3], "log_norm": [-0.1, -0.3, None], "steps": 3,
...           "log_norm_h": [-0.1, -0.3, None], "lyapunov": [-0.1], "state_size": 2, "hidden_size": 2}
>>> figure_bytes(report, "demo", "png")[:4] == b"\\x89PNG"
True
"""

from ..plots import _save, _style
from ..plots._flow import draw

FORMATS = _save.FORMATS


def curves(report):
    """(label, key of the report's curve, key of its band or None) of every curve to draw."""
    out = [(r"$\ln\|\partial s_T/\partial s_{T-\tau}\|_2$", report["log_norm"], "log_norm")]
    if "pairs" in report:
        for name, values in report["pairs"].items():
            l, k = name.split("<-")
            out.append((rf"$\ln\|\partial h^{{({l})}}_T/\partial h^{{({k})}}_{{T-\tau}}\|_2$", values, f"pair {name}"))
    elif report["state_size"] != report["hidden_size"]:
        out.append(
            (
                r"$\ln\|\partial h_T/\partial h_{T-\tau}\|_2$ ($c_{T-\tau}$ held fixed)",
                report["log_norm_h"],
                "log_norm_h",
            )
        )
        if "log_norm_c" in report:
            out += [
                (
                    r"$\ln\|\partial c_T/\partial c_{T-\tau}\|_2$ ($h_{T-\tau}$ held fixed)",
                    report["log_norm_c"],
                    "log_norm_c",
                ),
                (r"carousel $\ln\|\prod\,\partial c'/\partial c\|_2$", report["log_norm_direct"], None),
            ]
    return out


def _title(report):
    batch = f", median and quartiles of {report['batch']} sequences" if "batch" in report else ""
    reversed_ = ", reversed time" if report.get("time") == "reversed" else ""
    return f"{report['kind']}: T = {report['steps']}{batch}{reversed_}"


def _draw_report(report, title):
    figure, axes = _style.new_figure(width=_style.DOUBLE / 2 + 0.5, height=2.6 + 0.2 * len(report.get("pairs", ())))
    lam = report["lyapunov"][0] if report["lyapunov"] else None
    vanished = draw(axes, report["lags"], curves(report), report.get("bands"), lam)
    if vanished:  # ln 0 = −∞ cannot be drawn: say so rather than leave a silent gap
        axes.text(
            0.02,
            0.04,
            f"at {vanished} of {len(report['lags'])} lags the product is exactly 0 (ln = −∞), not drawn",
            transform=axes.transAxes,
            fontsize=6,
            color=_style.GREY,
        )
    axes.set_title(title or _title(report))
    return figure


def figure(report, title=None):
    """The figure of a report (``Analysis.to_dict()``), a matplotlib Figure."""
    with _style.style():
        return _draw_report(report, title)


def figure_bytes(report, title, fmt):
    """The figure as bytes of format png, pdf or svg."""
    with _style.style():
        return _save.figure_bytes(_draw_report(report, title), fmt)
