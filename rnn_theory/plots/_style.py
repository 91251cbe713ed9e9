"""The one print style of every figure: sizes, fonts, the colour-blind-safe palette, line styles.

Widths follow two-column journals: ``SINGLE`` = 3.3 in (one column), ``DOUBLE`` = 7.0 in (both).
Colours are Okabe & Ito's (2008) palette, safe for the common colour-vision deficiencies; every
series also gets its own line style and marker (``series``), so a greyscale print stays readable.
Fonts: DejaVu Sans (shipped with matplotlib, so every machine draws the same glyphs), math in the
same face, embedded in PDF as TrueType (``pdf.fonttype`` 42, as journals require) and drawn as paths
in SVG (the file looks the same without the font installed).

The slides look (``STYLES``: "print", "slides") takes the very figure the print look builds and
re-lays it at 16:9, ``SLIDE`` = 13.33 × 7.5 in (the size of a widescreen slide), with every text
``SLIDE_FONT`` times larger (8 pt → 20 pt, readable from the back of a lecture room) and every line
and marker ``SLIDE_LINE`` times thicker; its PNG is 1920 × 1080 pixels (``SLIDE_DPI``).
"""

import contextlib

import numpy as np

SINGLE, DOUBLE = 3.3, 7.0  # figure widths in inches
STYLES = ("print", "slides")
SLIDE, SLIDE_DPI = (40 / 3, 7.5), 144  # 16:9 inches; 144 dpi gives 1920 × 1080 pixels
SLIDE_FONT, SLIDE_LINE = 2.5, 2.0  # factors on the print sizes of text, and of strokes and markers

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
def style(look="print"):
    """The rcParams above, for building and saving a figure (SVG ids are salted at save time); for
    ``look="slides"``, saved at ``SLIDE_DPI``."""
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a figure is made

    with matplotlib.rc_context(RC | ({"savefig.dpi": SLIDE_DPI} if look == "slides" else {})):
        yield


def for_slides(figure):
    """Re-lay a built print figure for a slide, in place: 16:9, text ``SLIDE_FONT`` and strokes and
    markers ``SLIDE_LINE`` times their print size (the data and every artist stay as built)."""
    from matplotlib.collections import Collection  # noqa: PLC0415
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.text import Text  # noqa: PLC0415

    ticks = {axes: _tick_sizes(axes) for axes in figure.axes}  # before the tick labels grow below
    for text in figure.findobj(Text):
        text.set_fontsize(text.get_fontsize() * SLIDE_FONT)
    legends = [*figure.legends, *(axes.get_legend() for axes in figure.axes if axes.get_legend())]
    drawn = [artist for axes in figure.axes for artist in (*axes.lines, *axes.collections, *axes.spines.values())]
    drawn += [artist for legend in legends for artist in legend.findobj(lambda a: isinstance(a, (Line2D, Collection)))]
    for artist in dict.fromkeys(drawn):  # each once: a legend may list an axes' own artist
        artist.set_linewidth(np.asarray(artist.get_linewidth()) * SLIDE_LINE)
        if isinstance(artist, Line2D):
            artist.set_markersize(artist.get_markersize() * SLIDE_LINE)
            artist.set_markeredgewidth(artist.get_markeredgewidth() * SLIDE_LINE)
        elif hasattr(artist, "get_sizes") and len(artist.get_sizes()):  # scatter: sizes are areas
            artist.set_sizes(artist.get_sizes() * SLIDE_LINE**2)
    for axes, sizes in ticks.items():
        for (axis, which), (labelsize, width, length) in sizes.items():
            axes.tick_params(
                axis=axis,
                which=which,
                labelsize=labelsize * SLIDE_FONT,
                width=width * SLIDE_LINE,
                length=length * SLIDE_LINE,
                grid_linewidth=RC["grid.linewidth"] * SLIDE_LINE,
            )
    figure.set_size_inches(*SLIDE)
    _wrap_titles(figure)


def _wrap_titles(figure):
    """Break each panel title wider than its panel into lines that fit (three panels of a row share
    13.33 in, where a print title at 2.5 times its size would run into its neighbour's)."""
    import textwrap  # noqa: PLC0415

    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415

    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw_without_rendering()  # the layout at the slide's size
    for axes in figure.axes:
        room = axes.get_window_extent(renderer).width
        for title in (axes.title, axes._left_title, axes._right_title):
            text, width = title.get_text(), title.get_window_extent(renderer).width
            if text and "\n" not in text and width > room:
                title.set_text(textwrap.fill(text, max(12, int(len(text) * room / width))))


def _tick_sizes(axes):
    """{(axis, which): (label font size, tick width, tick length)} of the ticks an axes has now."""
    sizes = {}
    for name, axis in (("x", axes.xaxis), ("y", axes.yaxis)):
        for which, found in (("major", axis.get_major_ticks()), ("minor", axis.get_minor_ticks())):
            if found:
                tick = found[0]
                sizes[name, which] = (
                    tick.label1.get_fontsize(),
                    tick.tick1line.get_markeredgewidth(),
                    tick.tick1line.get_markersize(),
                )
    return sizes


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
