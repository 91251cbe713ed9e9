"""``rnn-theory figures --style slides``: the print figures, built by the same functions from the same
data, re-laid at 16:9 with text and strokes large enough for a lecture room."""

import struct

import numpy as np
import pytest
from matplotlib.text import Text

from rnn_theory.cli import main
from rnn_theory.plots import _style, generate, hochreiter_bound


def _png_size(path):
    """(width, height) in pixels, from the PNG's IHDR chunk."""
    with open(path, "rb") as file:
        header = file.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR"
    return struct.unpack(">II", header[16:24])


def test_slides_command_writes_a_16_9_png(tmp_path):
    out = tmp_path / "slides"
    assert (
        main(["figures", "--style", "slides", "--only", "grad_norm_vs_lag_rnn", "--out", str(out), "--jobs", "1"]) == 0
    )
    width, height = _png_size(out / "grad_norm_vs_lag_rnn.png")
    assert (width, height) == (1920, 1080) and 9 * width == 16 * height
    assert sorted(p.name for p in out.iterdir()) == [
        "VERSIONS.json",
        *(f"grad_norm_vs_lag_rnn.{ext}" for ext in ("json", "pdf", "png", "svg", "txt")),
    ]


def test_slides_are_the_print_figure_re_laid_with_its_data_unchanged():
    with _style.style():
        figure, _ = hochreiter_bound.build()
        before = {
            "size": tuple(figure.get_size_inches()),
            "data": [line.get_xydata().copy() for axes in figure.axes for line in axes.lines],
            "fonts": {text: text.get_fontsize() for text in figure.findobj(Text)},
            "widths": [line.get_linewidth() for axes in figure.axes for line in axes.lines],
        }
        _style.for_slides(figure)
    assert before["size"] != tuple(figure.get_size_inches()) == pytest.approx(_style.SLIDE)
    after = [line.get_xydata() for axes in figure.axes for line in axes.lines]
    assert len(after) == len(before["data"]) and all(map(np.array_equal, after, before["data"]))
    fonts = [text.get_fontsize() for text in before["fonts"]]  # every text the print figure had
    assert fonts == pytest.approx([size * _style.SLIDE_FONT for size in before["fonts"].values()])
    assert min(fonts) >= 14  # the smallest print text (legends at 6 pt) is 15 pt on the slide
    widths = [line.get_linewidth() for axes in figure.axes for line in axes.lines]
    assert widths == pytest.approx([w * _style.SLIDE_LINE for w in before["widths"]])
    ticks = figure.axes[0].xaxis.get_major_ticks()
    assert ticks[0].label1.get_fontsize() == pytest.approx(_style.RC["xtick.labelsize"] * _style.SLIDE_FONT)


def test_an_unknown_style_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="slides"):
        generate(str(tmp_path), ["grad_norm_vs_lag_rnn"], look="poster")
    assert main(["figures", "--style", "poster", "--out", str(tmp_path)]) == 2
    assert "--style" in capsys.readouterr().err and not any(tmp_path.iterdir())
