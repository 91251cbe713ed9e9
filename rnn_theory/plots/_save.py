"""Deterministic output: the same figure gives the same bytes, on every run and every day.

Each figure is written as NAME.pdf (vector), NAME.svg (vector) and NAME.png (300 dpi), with every
time and version stamp removed (docs/design.md#reproducible-figures): PNG without the ``Software`` text chunk,
PDF without ``Creator``/``Producer``/``CreationDate``, SVG without ``Creator``/``Date`` and with
element ids from the fixed ``svg.hashsalt`` of the style. Beside them NAME.json, the numbers the
figure plots (``_data``), and NAME.txt, the caption.
``generate`` writes them atomically (all or nothing).
"""

import io
import logging
import textwrap

METADATA = {
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None},
    "svg": {"Creator": None, "Date": None},
    "png": {"Software": None},
}
FORMATS = tuple(METADATA)


def figure_bytes(figure, fmt):
    """The figure as bytes of ``fmt`` (pdf, svg or png); call inside ``_style.style()``."""
    buffer = io.BytesIO()
    # fontTools, subsetting DejaVu for the PDF, warns on stderr that the font's own dates are "very low".
    fonttools, level = logging.getLogger("fontTools"), logging.getLogger("fontTools").level
    fonttools.setLevel(logging.ERROR)
    try:
        figure.savefig(buffer, format=fmt, metadata=METADATA[fmt])
    finally:
        fonttools.setLevel(level)
    return buffer.getvalue()


def caption_text(caption):
    """A caption's paragraphs (separated by blank lines) wrapped at 100 columns, final newline."""
    paragraphs = [" ".join(p.split()) for p in caption.strip().split("\n\n")]
    return "\n\n".join(textwrap.fill(p, 100, break_on_hyphens=False) for p in paragraphs) + "\n"


def output_files(name):
    """The file names one figure produces: the images, the numbers they plot (NAME.json, see
    ``_data``), the caption last."""
    return [f"{name}.{fmt}" for fmt in FORMATS] + [f"{name}.json", f"{name}.txt"]
