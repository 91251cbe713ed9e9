"""The errors of the figures layer that are not bugs: reported as one line, exit code 2."""


class UnknownFigure(LookupError):
    """A figure name that does not exist now (a typo, or a claim that is not refuted)."""


class MissingData(FileNotFoundError):
    """The shipped training experiment, which some figures plot, is not there."""
