"""The numbers a figure plots, read back from the finished Figure: NAME.json beside the images.

A PNG's bytes depend on FreeType, Pillow and zlib, a PDF's on fontTools' font subsets, and all of
them on every last bit of the plotted floats; the figure's content does not. ``figure_data`` keeps
that content, axis by axis (labels, limits, scales, each line's x and y, each collection's vertices,
offsets and values, each text), so that ``rnn-theory figures --check`` can compare a figure made in
another environment through its numbers (``rnn_theory.reproducible.compare_json``), and so that a
reader can replot or tabulate a published figure without rerunning it.

>>> from rnn_theory.plots._style import new_figure, style
>>> with style():
...     figure, axes = new_figure()
...     _ = axes.plot([1, 2], [0.5, float("nan")], label="a")
>>> figure_data(figure)["axes"][0]["lines"]
[{'label': 'a', 'x': [1.0, 2.0], 'y': [0.5, 'nan']}]
"""

import json
import math

import numpy as np

from ..reproducible import ATOL, SIGMAS, compare_json

DIGITS = 10  # significant digits kept: past the policy's RTOL (1e-6) and small enough to diff
# A median (or quartile, or extreme) of k runs has a standard error of at most about 1.5·s/√k for
# well-behaved samples (the median's is √(π/2)·s/√k ≈ 1.25·s/√k).
_ORDER_STATISTIC = 1.5


def declare_statistics(figure, samples, why):
    """Declare that ``figure`` plots order statistics (medians, quartiles, extremes) of chaotic runs,
    ``samples`` a list of per-point sample lists (the runs behind each plotted point): its numbers are
    then compared within SIGMAS·√2 times the largest standard error among them, not the policy's
    RTOL, since no two machines follow a chaotic run alike. Recorded in NAME.json as ``tolerance``."""
    errors = [_ORDER_STATISTIC * np.std(s, ddof=1) / math.sqrt(len(s)) for s in samples if len(s) > 1]
    atol = SIGMAS * math.sqrt(2) * max(errors, default=0.0)
    figure.rnn_theory_tolerance = {"atol": float(f"{atol:.2g}"), "why": why}


def compare_figure_data(old, new):
    """``compare_json`` of two NAME.json documents (parsed), within the larger ``tolerance`` either
    declares (``declare_statistics``) or the policy's. Returns the differences, one line each."""
    declared = [d.get("tolerance") for d in (old, new) if isinstance(d, dict)]
    atol = max([ATOL] + [d["atol"] for d in declared if d])
    return compare_json(_without_tolerance(old), _without_tolerance(new), atol=atol)


def compare_figure_text(old, new):
    """``compare_figure_data`` of two NAME.json texts; a text that does not parse differs."""
    try:
        return compare_figure_data(json.loads(old), json.loads(new))
    except ValueError as error:
        return [f"not JSON: {error}"]


def _without_tolerance(document):
    return {k: v for k, v in document.items() if k != "tolerance"} if isinstance(document, dict) else document


def figure_data(figure):
    """{"size_inches", "axes": [...]} of a matplotlib Figure, plain JSON values."""
    data = {
        "size_inches": _numbers(figure.get_size_inches()),
        "axes": [_axes(axes) for axes in figure.axes],
    }
    tolerance = getattr(figure, "rnn_theory_tolerance", None)
    return data | ({"tolerance": tolerance} if tolerance else {})


def data_text(figure):
    """``figure_data`` as the text of NAME.json: objects indented, each array of numbers on one line
    (a line's x or y, a collection's vertices), so that a diff points at the series that moved."""
    return _dump(figure_data(figure), 0) + "\n"


def _dump(value, depth):
    if isinstance(value, dict):
        inner = " " * (depth + 1)
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}" if items else "{}"
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        inner = " " * (depth + 1)
        return "[\n" + ",\n".join(inner + _dump(v, depth + 1) for v in value) + "\n" + " " * depth + "]"
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def _axes(axes):
    legend = axes.get_legend()
    return {
        "title": axes.get_title(),
        "xlabel": axes.get_xlabel(),
        "ylabel": axes.get_ylabel(),
        "xscale": axes.get_xscale(),
        "yscale": axes.get_yscale(),
        "xlim": _numbers(axes.get_xlim()),
        "ylim": _numbers(axes.get_ylim()),
        "lines": [_line(line) for line in axes.get_lines()],
        "collections": [_collection(c) for c in axes.collections],
        "images": [_numbers(image.get_array()) for image in axes.images],
        "texts": [{"text": t.get_text(), "at": _numbers(t.get_position())} for t in axes.texts],
        "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        "containers": [_label(c) for c in axes.containers],  # errorbar and bar series, by label
    }


def _line(line):
    x, y = line.get_data(orig=True)
    return {"label": _label(line), "x": _numbers(x), "y": _numbers(y)}


def _collection(collection):
    entry = {"kind": type(collection).__name__, "label": _label(collection)}
    if hasattr(collection, "get_coordinates"):  # a QuadMesh: its grid and values, not one path per cell
        return entry | _mesh(collection.get_coordinates(), collection.get_array())
    offsets = collection.get_offsets()
    if len(offsets) and collection.get_offset_transform() is not None:
        entry["offsets"] = _numbers(offsets)
    entry["paths"] = [_numbers(path.vertices) for path in collection.get_paths()]
    values = collection.get_array()
    if values is not None:
        entry["values"] = _numbers(values)
    return entry


def _mesh(coordinates, values, most=64):
    """A mesh's corner coordinates and values on a regular subgrid of at most ``most`` × ``most``
    points (every ``every``-th row and column, the last included): a 401 × 401 loss surface would
    otherwise fill megabytes with what its generating code states in a line."""
    values = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
    grid = values.reshape(coordinates.shape[0] - 1, coordinates.shape[1] - 1) if values.ndim == 1 else values
    every = max(1, -(-max(grid.shape) // most))
    rows, cols = (np.unique(np.r_[np.arange(0, size, every), size - 1]) for size in grid.shape)
    corners = coordinates[[0, 0, -1, -1], [0, -1, 0, -1]]
    return {
        "shape": list(grid.shape),
        "corners": _numbers(corners),
        "every": every,
        "values": _numbers(grid[np.ix_(rows, cols)]),
    }


def _label(artist):
    label = artist.get_label()
    return None if label.startswith("_") else label  # matplotlib's "_child3" names are not content


def _numbers(values):
    """Nested lists of floats rounded to DIGITS significant digits; non-finite values as strings."""
    array = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
    return _plain(array.tolist())


def _plain(value):
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if not math.isfinite(value):
        return str(value)
    return float(f"{value:.{DIGITS}g}")
