"""``Analysis``: what ``analyze`` measured, with its text, JSON, figure and notebook forms."""

import html
import json


class Analysis:
    """The result of ``rt.analyze``: ``to_dict()`` (the JSON content), ``to_json()``, ``summary()``
    (the terminal text of ``rnn-theory analyze``), ``plot()`` (a matplotlib figure), a short repr
    and an HTML repr for notebooks."""

    def __init__(self, report):
        self._report = report

    def to_dict(self):
        """The report as plain JSON-ready values (a fresh copy)."""
        return json.loads(json.dumps(self._report))

    def to_json(self):
        """One top-level key per line, each value compact: readable, diffable, deterministic."""
        # allow_nan=False: the report holds no NaN or ±inf (they are null), and strict JSON is checked here.
        items = (
            f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False, allow_nan=False)}"
            for key, value in self._report.items()
        )
        return "{\n" + ",\n".join(items) + "\n}\n"

    def summary(self):
        """The readable text summary (what ``rnn-theory analyze`` prints)."""
        from ._text import summary  # noqa: PLC0415

        return summary(self._report)

    def plot(self, title=None):
        """The lag figure as a matplotlib Figure, in the package's print style."""
        from ._plot import figure  # noqa: PLC0415

        return figure(self._report, title)

    def figure_bytes(self, fmt, title=None):
        """The figure as png, pdf or svg bytes, byte-identical on regeneration."""
        from ._plot import figure_bytes  # noqa: PLC0415

        return figure_bytes(self._report, title, fmt)

    def __repr__(self):
        r = self._report
        last = r["log_norm"][-1]
        lam = r["lyapunov"][0] if r["lyapunov"] else None
        size = f"n = {r['hidden_size']}" + (f", B = {r['batch']}" if "batch" in r else "")
        return (
            f"Analysis({r['kind']}, {size}, T = {r['steps']}: ln‖∂s_T/∂s_0‖₂ = "
            + ("-inf" if last is None else f"{last:.3g}")
            + ", λ_1 = "
            + ("-inf" if lam is None else f"{lam:.3g}")
            + (", reversed time" if r.get("time") == "reversed" else "")
            + ")"
        )

    def _repr_html_(self):
        return "<pre>" + html.escape(self.summary()) + "</pre>"
