"""``rnn-theory figures``: every figure committed with its caption, byte-identical regeneration,
``--check`` catching stale files, the print style, and image comparison against the committed PNGs.

The default tests regenerate a cheap subset (``--only``); the full regeneration check is ``slow``.
"""

import json
import shutil
from pathlib import Path

import pytest
from conftest import figures_from
from matplotlib.testing.compare import compare_images

from rnn_theory.claims import CLAIMS
from rnn_theory.cli import figures as command
from rnn_theory.cli import main
from rnn_theory.plots import FIXED, output_files
from rnn_theory.plots._style import DOUBLE, SINGLE
from rnn_theory.plots.claim_lag import figure_name

FIGURES = Path(__file__).resolve().parent.parent / "figures"
# RMS pixel difference (0–255 scale) allowed against the committed PNGs: byte identity is the
# contract on one machine; 1.0 absorbs the anti-aliasing of another FreeType build, not a changed curve.
TOLERANCE = 1.0
# The recorded verdicts say which claims are refuted (the claim tests check them against a fresh run).
CLAIM_FIGURES = [figure_name(claim_id) for claim_id, claim in CLAIMS.items() if claim.recorded == "refuted"]
# A cheap subset for the default tests: a figure without training data and the first claim figure.
CHEAP = ["lag_task_success", CLAIM_FIGURES[0]]


def generate(out, names, capsys, check=False):
    code = main(["figures", "--out", str(out), "--only", *names, "--jobs", "2", *(["--check"] if check else [])])
    return code, capsys.readouterr()


def test_every_figure_is_committed_with_its_caption():
    names = list(FIXED) + CLAIM_FIGURES
    expected = {file for name in names for file in output_files(name)}
    assert {f"{name}.json" for name in names} <= expected  # the plotted numbers beside every figure
    assert {p.name for p in FIGURES.iterdir() if p.is_file() and p.name != "VERSIONS.json"} == expected
    for name in names:
        caption = (FIGURES / f"{name}.txt").read_text(encoding="utf-8")
        assert "seed" in caption.lower() or "no randomness" in caption.lower(), name
        assert len(caption) > 400, name


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The cheap subset generated twice, into two folders, with 2 and with 1 worker process."""
    folders = [tmp_path_factory.mktemp(f"run{k}") for k in range(2)]
    for folder, jobs in zip(folders, ("2", "1")):
        assert main(["figures", "--out", str(folder), "--only", *CHEAP, "--jobs", jobs]) == 0
    return folders


def test_regeneration_is_byte_identical(fresh):
    first, second = fresh
    for name in CHEAP:
        for file in output_files(name):
            assert (first / file).read_bytes() == (second / file).read_bytes(), file


@pytest.fixture
def from_fresh(fresh, monkeypatch):
    """``figures --check`` compares what ``fresh`` generated instead of generating the figures again."""
    monkeypatch.setattr(command, "_generate", figures_from(fresh[0]))


def test_committed_figures_are_what_the_command_produces(from_fresh, capsys):
    """Under the reproducibility policy: the images byte for byte in the environment recorded in
    VERSIONS.json, on any other machine through NAME.json and the caption (the figures as the
    command generated them in ``fresh``)."""
    code, (out, err) = generate(FIGURES, CHEAP, capsys, check=True)
    assert code == 0, err
    assert "up to date" in out and ("byte for byte" in out or "through their numbers" in out)


def test_plotted_numbers_are_read_back_from_the_figure(fresh):
    """NAME.json holds what is drawn: lag_task_success draws one marker series per model from the
    shipped experiment's success fractions, each within [0, 1]."""
    data = json.loads((fresh[0] / "lag_task_success.json").read_text(encoding="utf-8"))
    lines = [line for axes in data["axes"] for line in axes["lines"]]
    assert lines and all(0 <= y <= 1 for line in lines for y in line["y"] if isinstance(y, float))
    assert any("rnn" in (label or "") for axes in data["axes"] for label in axes["containers"])
    assert data["size_inches"][0] in (SINGLE, DOUBLE)


@pytest.mark.parametrize("name", CHEAP)
def test_png_matches_committed_image(fresh, name):
    result = compare_images(str(FIGURES / f"{name}.png"), str(fresh[0] / f"{name}.png"), tol=TOLERANCE)
    assert result is None, result


def test_files_carry_no_stamps_and_embed_truetype(fresh):
    for name in CHEAP:
        pdf = (fresh[0] / f"{name}.pdf").read_bytes()
        svg = (fresh[0] / f"{name}.svg").read_text(encoding="utf-8")
        png = (fresh[0] / f"{name}.png").read_bytes()
        assert b"/CreationDate" not in pdf and b"/Producer" not in pdf and b"/Creator" not in pdf
        assert b"/Type3" not in pdf and b"/FontFile2" in pdf  # pdf.fonttype 42: embedded TrueType
        assert "<dc:date>" not in svg and "<dc:creator>" not in svg
        assert b"Software" not in png and b"matplotlib" not in png.lower()
        assert _png_dpi(png) == 300


def _png_dpi(png):
    """Dots per inch from the pHYs chunk (pixels per metre)."""
    at = png.index(b"pHYs") + 4
    return round(int.from_bytes(png[at : at + 4], "big") * 0.0254)


def test_check_names_stale_and_missing_files(fresh, from_fresh, tmp_path, capsys):
    """In the recorded environment a changed image is stale; in any environment a plotted number
    moved beyond the policy's tolerance, or a missing caption, is."""
    for name in CHEAP:
        for file in output_files(name):
            shutil.copy(fresh[0] / file, tmp_path / file)
    shutil.copy(fresh[0] / "VERSIONS.json", tmp_path / "VERSIONS.json")  # this environment's fingerprint
    code, (out, err) = generate(tmp_path, CHEAP, capsys, check=True)
    assert code == 0 and "up to date" in out and "compared byte for byte" in out, err
    stale = tmp_path / f"{CHEAP[0]}.png"
    stale.write_bytes(stale.read_bytes()[:-1] + b"\x00")
    (tmp_path / f"{CHEAP[1]}.txt").unlink()
    data = tmp_path / f"{CHEAP[0]}.json"
    drawn = json.loads(data.read_text(encoding="utf-8"))
    line = next(line for axes in drawn["axes"] for line in axes["lines"] if line["y"])
    line["y"][0] = line["y"][0] * (1 + 1e-5) + 1e-5  # past RTOL = 1e-6 and ATOL = 1e-9
    data.write_text(json.dumps(drawn), encoding="utf-8")
    code, (out, err) = generate(tmp_path, CHEAP, capsys, check=True)
    assert code == 1
    assert f"{CHEAP[0]}.png: differs" in err and f"{CHEAP[1]}.txt: missing" in err
    assert f"{CHEAP[0]}.json: /axes[" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["figures", "--only", "no_such_figure"], "no figure named 'no_such_figure'"),
        (["figures", "--jobs", "0"], "--jobs must be >= 1"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(argv, message, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path / "out")]) == 2
    out, err = capsys.readouterr()
    assert message in err and err.count("\n") == 1 and not out
    assert not (tmp_path / "out").exists()


def test_claim_that_holds_has_no_figure(capsys, tmp_path):
    holding = next(claim_id for claim_id, claim in CLAIMS.items() if claim.recorded == "holds")
    assert main(["figures", "--only", figure_name(holding), "--out", str(tmp_path)]) == 2
    assert "is not refuted now" in capsys.readouterr().err


@pytest.mark.slow
def test_all_committed_figures_are_current(capsys):
    code = main(["figures", "--out", str(FIGURES), "--check"])
    out, err = capsys.readouterr()
    assert code == 0, err


def test_missing_experiment_is_reported_with_the_command_to_run(monkeypatch, tmp_path):
    from rnn_theory.plots import _trained
    from rnn_theory.plots._errors import MissingData

    monkeypatch.setattr(_trained.data, "FOLDER", str(tmp_path))
    with pytest.raises(MissingData, match="run python -m rnn_theory.training.experiment"):
        _trained.results()
