"""Median and interquartile band of many curves (one per seed or per input sequence)."""

import numpy as np

from ._style import BAND_ALPHA, series

QUARTILES = (0.25, 0.5, 0.75)


def quartiles(curves):
    """(q25, median, q75) over axis 0 of ``curves`` (runs × points). ln 0 = −inf (an exactly
    vanished product) is a legitimate value and sorts below everything, so order statistics keep it."""
    curves = np.asarray(curves, dtype=float)
    with np.errstate(invalid="ignore"):  # −inf − (−inf) between two vanished runs
        return tuple(np.quantile(curves, q, axis=0, method="inverted_cdf") for q in QUARTILES)


def band(axes, x, curves, i, label, markers=8, **line):
    """Draw the median of ``curves`` as series ``i`` with its interquartile band; markers at about
    ``markers`` places, staggered per series so that markers of different series do not pile up."""
    low, median, high = quartiles(curves)
    style = {**series(i), **line}
    step = max(len(x) // markers, 1)
    axes.fill_between(x, low, high, color=style["color"], alpha=BAND_ALPHA, linewidth=0)
    axes.plot(x, median, label=label, markevery=(i * step // 4 % step, step), **style)
