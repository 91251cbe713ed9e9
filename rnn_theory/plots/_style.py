"""The one print style of every figure: sizes, fonts, the colour-blind-safe palette, line styles.

Widths follow two-column journals: ``SINGLE`` = 3.3 in (one column), ``DOUBLE`` = 7.0 in (both).
Colours are Okabe & Ito's (2008) palette, safe for the common colour-vision deficiencies; every
series also gets its own line style and marker (``series``), so a greyscale print stays readable.
Fonts: DejaVu Sans (shipped with matplotlib, so every machine draws the same glyphs), math in the
same face, embedded in PDF as TrueType (``pdf.fonttype`` 42, as journals require) and drawn as paths
in SVG (the file looks the same without the font installed).
"""

import contextlib

import numpy as np

SINGLE, DOUBLE = 3.3, 7.0  # figure widths in inches

# Okabe–Ito, in the order series take them (yellow last: faint on white paper).
BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#E69F00",
    "#CC79A7",
    "#56B4E9",
    "#000000",
    "#F0E442",
)
PALETTE = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)
# Dotted styles come last: a fine dotted line (``REFERENCE``) marks bounds and predictions.
LINESTYLES = ("-", "--", "-.", (0, (5, 1, 1, 1, 1, 1)), (0, (3, 1)), (0, (8, 2)), (0, (8, 2, 1, 2)), ":")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
GREY = "#666666"  # reference lines (bounds, chance levels)
REFERENCE = {"linewidth": 0.8, "linestyle": (0, (1, 1.5))}  # bounds and predictions, in a series' colour or GREY
BAND_ALPHA = 0.2  # interquartile bands
MEASURED = {"ls": "none", "ms": 3, "elinewidth": 0.7, "capsize": 1.5}  # a measured value and its range (errorbar)

RC = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "legend.fontsize": 7,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.alpha": 0.35,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "lines.linewidth": 1.2,
    "lines.markersize": 3.5,
    "legend.frameon": False,
    "legend.handlelength": 2.4,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "rnn-theory",  # SVG element ids from a fixed salt, not a random one
    "axes.unicode_minus": True,
    "image.cmap": "cividis",
}


def series(i):
    """Colour, line style and marker of the i-th series of a figure (distinct in greyscale too).

    Past the eighth series the colours come round again, each with another line style and marker
    (shifted by 1 and 3 per round), so that up to 64 series stay distinct.

    >>> series(8) == series(0), series(8)["color"] == series(0)["color"]
    (False, True)
    """
    colour, round_ = i % len(PALETTE), i // len(PALETTE)
    return {
        "color": PALETTE[colour],
        "linestyle": LINESTYLES[(colour + round_) % len(LINESTYLES)],
        "marker": MARKERS[(colour + 3 * round_) % len(MARKERS)],
    }


def measured_points(axes, x, centre, low, high, i, label):
    """Measured values of the i-th series: markers at ``centre`` with bars from ``low`` to ``high``."""
    style = series(i)
    centre, low, high = (np.asarray(v, dtype=float) for v in (centre, low, high))
    return axes.errorbar(
        x,
        centre,
        yerr=[centre - low, high - centre],
        color=style["color"],
        marker=style["marker"],
        **MEASURED,
        label=label,
    )


@contextlib.contextmanager
def style():
    """The rcParams above, for building and saving a figure (SVG ids are salted at save time)."""
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a figure is made

    with matplotlib.rc_context(RC):
        yield


def new_figure(width=SINGLE, height=2.4, nrows=1, ncols=1, **subplots):
    """A Figure (no pyplot, no global state) with constrained layout and its axes."""
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(nrows, ncols, squeeze=False, **subplots)
    return figure, axes if (nrows, ncols) != (1, 1) else axes[0, 0]


def lag_axis(axes, last, first=0):
    """The x-axis of a lag curve: τ from ``first`` to ``last``, integer ticks (a lag is a whole number of steps)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    axes.set_xlim(first, last)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    axes.set_xlabel(r"lag $\tau$ (steps)")


def label_vertical(axes, x, text, top=0.98):
    """``text`` beside the vertical reference line at ``x``, at height ``top`` (a fraction of the
    axes), in the references' grey."""
    axes.annotate(
        text,
        (x, top),
        xycoords=("data", "axes fraction"),
        xytext=(3, 0),
        textcoords="offset points",
        ha="left",
        va="top",
        color=GREY,
        fontsize=7,
    )
