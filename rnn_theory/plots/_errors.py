"""The one error of the figures layer that is the caller's fault."""


class UnknownFigure(LookupError):
    """A figure name that does not exist now (a typo, or a claim that is not refuted)."""
