"""``figures/VERSIONS.json``: the matplotlib and FreeType versions recorded beside the figures, and
``figures --check`` naming them as the cause when stale files were made with other versions."""

import json
import shutil
from pathlib import Path

from rnn_theory.cli import main
from rnn_theory.plots import _versions
from rnn_theory.plots._save import output_files

FIGURES = Path(__file__).resolve().parent.parent / "figures"
CHEAP = "lag_task_success"  # seconds to build; from the shipped experiment


def test_committed_record_covers_every_figure_with_this_environment_s_versions():
    record = json.loads((FIGURES / _versions.FILE).read_text(encoding="utf-8"))
    names = {p.stem for p in FIGURES.glob("*.txt")}
    assert set(record) == names
    assert all(set(versions) == {"matplotlib", "freetype"} for versions in record.values())


def test_writing_records_the_running_versions_and_keeps_the_others(tmp_path):
    old = {"matplotlib": "1.0", "freetype": "2.0"}
    (tmp_path / "other.txt").write_text("a figure made earlier")
    (tmp_path / _versions.FILE).write_text(json.dumps({"other": old, "gone": old}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1"]) == 0
    record = json.loads((tmp_path / _versions.FILE).read_text(encoding="utf-8"))
    # A figure still in the folder keeps its record; one whose files are gone leaves it.
    assert record == {"other": old, CHEAP: _versions.current()}


def test_check_names_another_matplotlib_as_the_cause(tmp_path, capsys):
    for file in output_files(CHEAP):
        shutil.copy(FIGURES / file, tmp_path / file)
    stale = tmp_path / f"{CHEAP}.png"
    stale.write_bytes(stale.read_bytes()[:-1] + b"\x00")
    made = {"matplotlib": "0.99.1", "freetype": _versions.current()["freetype"]}
    (tmp_path / _versions.FILE).write_text(json.dumps({CHEAP: made}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1", "--check"]) == 1
    err = capsys.readouterr().err
    assert f"{CHEAP} was made with matplotlib 0.99.1" in err
    assert f"this is matplotlib {_versions.current()['matplotlib']}" in err and "FreeType" in err
    # Same versions: a stale file is only reported as stale, with no cause invented.
    (tmp_path / _versions.FILE).write_text(json.dumps({CHEAP: _versions.current()}))
    assert main(["figures", "--out", str(tmp_path), "--only", CHEAP, "--jobs", "1", "--check"]) == 1
    assert "was made with" not in capsys.readouterr().err
