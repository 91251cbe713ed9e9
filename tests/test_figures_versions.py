"""``figures/VERSIONS.json``: the environment's fingerprint recorded beside the figures, and
``figures --check`` comparing images byte for byte only in that environment, naming what differs."""

import json
import shutil
from pathlib import Path

from conftest import figures_from

from rnn_theory.cli import figures as command
from rnn_theory.cli import main
from rnn_theory.plots import _versions, output_files

FIGURES = Path(__file__).resolve().parent.parent / "figures"
CHEAP = "lag_task_success"  # seconds to build; from the shipped experiment


def test_committed_record_covers_every_figure_with_a_whole_fingerprint():
    record = json.loads((FIGURES / _versions.FILE).read_text(encoding="utf-8"))
    names = {p.stem for p in FIGURES.glob("*.txt")}
    assert set(record) == names
    assert all(set(made) == set(_versions.current()) for made in record.values())


def test_writing_records_the_running_fingerprint_and_keeps_the_others(tmp_path):
    old = {"matplotlib": "1.0", "freetype": "2.0"}
    (tmp_path / "other.txt").write_text("a figure made earlier")
    (tmp_path / _versions.FILE).write_text(json.dumps({"other": old, "gone": old}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1"]) == 0
    record = json.loads((tmp_path / _versions.FILE).read_text(encoding="utf-8"))
    # A figure still in the folder keeps its record; one whose files are gone leaves it.
    assert record == {"other": old, CHEAP: _versions.current()}


def test_check_compares_images_only_in_the_recorded_environment(tmp_path, monkeypatch, capsys):
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1"]) == 0
    # --check below compares what this command generated (copied from a folder of its own), instead of
    # generating the figure twice more: what is tested is what the check does with it.
    generated = tmp_path / "generated"
    generated.mkdir()
    for file in output_files(CHEAP):
        shutil.copy(tmp_path / file, generated / file)
    monkeypatch.setattr(command, "_generate", figures_from(generated))
    stale = tmp_path / f"{CHEAP}.png"
    stale.write_bytes(stale.read_bytes()[:-1] + b"\x00")
    # Made with another matplotlib: the PNG's bytes say nothing about its content; the numbers it
    # plots and the caption are compared, and the check says so and why.
    made = _versions.current() | {"matplotlib": "0.99.1"}
    (tmp_path / _versions.FILE).write_text(json.dumps({CHEAP: made}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1", "--check"]) == 0
    out = capsys.readouterr().out
    assert "1 figures compared through their numbers" in out
    assert f"{CHEAP}: made with matplotlib 0.99.1, this is matplotlib {_versions.current()['matplotlib']}" in out
    # The environment it was made in: byte for byte, and the changed PNG is stale.
    (tmp_path / _versions.FILE).write_text(json.dumps({CHEAP: _versions.current()}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1", "--check"]) == 1
    captured = capsys.readouterr()
    assert "compared byte for byte" in captured.out and f"{CHEAP}.png: differs" in captured.err
