"""Fuzz: output-path hazards and bad arguments on the command line (issue: nothing lost, one line).

Every case ends with exit 2 and one stderr line, and the inputs (and any old outputs) are intact:
an output that is an input, a directory, a FIFO or a device is refused before any work; a file
keeps its permissions; a symlink keeps pointing where it did; a set of outputs is all new or all
old, also when the disk fills up half-way (RLIMIT_FSIZE stands in for a full disk).
"""

import os
import stat
import time

import numpy as np
import pytest
from _cli_contract import assert_one_line, cli

import rnn_theory as rt
from rnn_theory.cli import main


@pytest.fixture
def run_main(monkeypatch, capsys):
    """(returncode, stdout, stderr) of ``rnn-theory *args`` run in this process in ``cwd``: the
    cases that need no fresh process (no file-size limit, no signal), seconds faster each."""

    def run(*args, cwd):
        monkeypatch.chdir(cwd)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def inputs(tmp_path):
    rt.save(rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0), tmp_path / "w.safetensors")
    np.save(tmp_path / "xs.npy", np.random.default_rng(0).normal(size=(20, 1)))
    (tmp_path / "folder.png").mkdir()
    os.mkfifo(tmp_path / "fifo")
    try:  # a private /dev/null, so that code that replaces devices cannot harm the real one
        os.mknod(tmp_path / "null-device", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        (tmp_path / "null-device").symlink_to("fifo")
    return tmp_path


def _snapshot(folder):
    return {
        p.name: (
            p.read_bytes()
            if p.is_file() and not p.is_symlink()
            else os.readlink(p)
            if p.is_symlink()
            else stat.S_IFMT(os.lstat(p).st_mode)
        )
        for p in folder.iterdir()
    }


# name -> analyze arguments after WEIGHTS (paths relative to the fixture's folder)
ANALYZE_HAZARDS = {
    "json-is-weights": ["--json", "w.safetensors"],
    "json-is-inputs": ["--inputs", "xs.npy", "--json", "xs.npy"],
    "plot-is-inputs": ["--inputs", "xs.npy", "--plot", "w.safetensors"],
    "json-is-directory": ["--json", "folder.png"],
    "plot-is-directory": ["--json", "ok.json", "--plot", "folder.png"],
    "json-is-fifo": ["--json", "fifo"],
    "json-is-device": ["--json", "null-device"],
    "json-missing-folder": ["--json", "missing/a.json"],
    "seed-negative": ["--seed", "-1"],
    "steps-huge": ["--steps", str(10**9)],
    "inputs-fifo": ["--inputs", "fifo"],
    "newline-in-path": ["--json", "a\nb/c.json"],
}


@pytest.mark.parametrize("case", sorted(ANALYZE_HAZARDS))
def test_analyze_output_hazard(inputs, run_main, case):
    before = _snapshot(inputs)
    code, _, err = run_main("analyze", "w.safetensors", *ANALYZE_HAZARDS[case], cwd=inputs)
    assert_one_line(code, err)
    assert _snapshot(inputs) == before


def test_fifo_as_weights_is_refused_without_blocking(inputs):
    code, _, err = cli("analyze", "fifo", cwd=inputs, timeout=60)  # a subprocess: a hang is a timeout
    assert_one_line(code, err)


def test_newline_in_weights_path_gives_one_line(inputs, run_main):
    code, _, err = run_main("analyze", "no\nsuch\nfile.safetensors", cwd=inputs)
    assert_one_line(code, err)


def test_output_keeps_permissions_and_symlinks(inputs, run_main):
    private = inputs / "private.json"
    private.write_text("old")
    os.chmod(private, 0o600)
    (inputs / "link.png").symlink_to("target.png")
    (inputs / "target.png").write_bytes(b"old")
    code, _, err = run_main("analyze", "w.safetensors", "--json", "private.json", "--plot", "link.png", cwd=inputs)
    assert code == 0, err
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600 and private.read_text() != "old"
    assert (inputs / "link.png").is_symlink() and (inputs / "target.png").read_bytes()[:4] == b"\x89PNG"


def test_analyze_outputs_are_a_set_on_a_full_disk(inputs):
    """The PNG (~90 kB) cannot be written, the JSON (~6 kB) could: neither is."""
    (inputs / "a.json").write_text("old")
    code, _, err = cli("analyze", "w.safetensors", "--json", "a.json", "--plot", "a.png", cwd=inputs, limit=40_000)
    assert_one_line(code, err)
    assert (inputs / "a.json").read_text() == "old" and not (inputs / "a.png").exists()
    assert not [p for p in inputs.iterdir() if p.name.startswith(".")]  # no temporary left


TRAIN = ["train", "recall", "--cell", "rnn", "--hidden", "3", "--steps", "3", "--lag", "2"]


@pytest.mark.parametrize("limit", [1000, 1500, 2500])
def test_train_checkpoint_and_log_are_a_set_on_a_full_disk(inputs, limit):
    (inputs / "m.npz").write_bytes(b"old npz")
    (inputs / "m.json").write_text("old json")
    code, _, err = cli(*TRAIN, "--out", "m.npz", cwd=inputs, limit=limit)
    if code == 0:  # the limit let both through
        assert (inputs / "m.npz").read_bytes() != b"old npz" and (inputs / "m.json").read_text() != "old json"
    else:
        assert_one_line(code, err)
        assert (inputs / "m.npz").read_bytes() == b"old npz" and (inputs / "m.json").read_text() == "old json"


TRAIN_BAD = {
    "out-is-directory": ["--out", "folder.png"],
    "log-is-directory": ["--out", "folder.npz"],
    "out-is-fifo": ["--out", "fifo.npz"],
    "clip-inf": ["--out", "m.npz", "--clip", "inf"],
    "lr-inf": ["--out", "m.npz", "--lr", "inf"],
    "lr-nan": ["--out", "m.npz", "--lr", "nan"],
    "seed-negative": ["--out", "m.npz", "--seed", "-1"],
    "steps-huge": ["--out", "m.npz", "--steps", str(10**12), "--batch", str(10**9)],
}


@pytest.mark.parametrize("case", sorted(TRAIN_BAD))
def test_train_bad_arguments(inputs, run_main, case):
    (inputs / "folder.json").mkdir()
    os.mkfifo(inputs / "fifo.npz")
    before = _snapshot(inputs)
    code, _, err = run_main(*TRAIN, *TRAIN_BAD[case], cwd=inputs)
    assert_one_line(code, err)
    assert _snapshot(inputs) == before


def test_figures_out_existing_file_refused_before_work(inputs, run_main):
    start = time.perf_counter()
    code, _, err = run_main("figures", "--out", "w.safetensors", "--jobs", "1", cwd=inputs)
    assert_one_line(code, err)
    assert time.perf_counter() - start < 10


def test_verify_json_in_missing_folder_refused_before_work(inputs, run_main):
    start = time.perf_counter()
    code, out, err = run_main("verify", "--workers", "0", "--json", "missing/v.json", cwd=inputs)
    assert_one_line(code, err)
    assert out == "" and time.perf_counter() - start < 10


def test_proofs_out_is_an_input_file(inputs, run_main):
    before = _snapshot(inputs)
    code, _, err = run_main("proofs", "--out", "w.safetensors", "--no-claims", cwd=inputs)
    assert_one_line(code, err)
    assert _snapshot(inputs) == before


def test_long_analysis_is_announced_with_a_progress_bar(inputs, run_main, monkeypatch):
    """Work estimated over a minute: one line saying how long on stderr, then (on a terminal) a bar."""
    import io

    from rnn_theory.analysis import _progress

    monkeypatch.setattr(_progress, "estimate_seconds", lambda d, T, method: 600.0)
    code, _, err = run_main("analyze", "w.safetensors", cwd=inputs)
    assert code == 0 and err.count("\n") == 1 and "about 10 min (estimated)" in err

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    with _progress.progress(120.0, "rnn-theory analyze", terminal):
        time.sleep(1.3)
    assert "about 2 min" in terminal.getvalue() and "[" in terminal.getvalue().split("\n", 1)[1]


def test_analysis_beyond_the_memory_budget_is_refused(inputs, run_main, monkeypatch):
    from rnn_theory.io import _limits

    monkeypatch.setattr(_limits, "memory_budget", lambda: 10_000)
    code, _, err = run_main("analyze", "w.safetensors", "--steps", "1000", cwd=inputs)
    assert_one_line(code, err)
    assert "memory budget" in err
