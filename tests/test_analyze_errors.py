"""Bad weight files, bad inputs and bad flags: one line on stderr, exit code 2, no output file."""

import os
import subprocess
import sys

import numpy as np
import pytest
from test_io_errors import BAD_FILES

import rnn_theory as rt
from rnn_theory.cli import main


def outputs(folder):
    return [str(folder / "out" / "r.json"), str(folder / "out" / "r.png")]


def assert_refused(argv, folder, capsys, fragment):
    """Exit 2, exactly one stderr line containing ``fragment``, nothing on stdout, no file written."""
    os.makedirs(folder / "out", exist_ok=True)
    code = main(argv + ["--json", outputs(folder)[0], "--plot", outputs(folder)[1]])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == "" and err.count("\n") == 1 and fragment in err, err
    assert os.listdir(folder / "out") == []  # neither the outputs nor a temporary file


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_weight_file(tmp_path, capsys, case):
    build, fragment, options = BAD_FILES[case]
    path = build(tmp_path)
    flags = [f"--{name}={value}" for name, value in options.items()]
    assert_refused(["analyze", str(path), *flags], tmp_path, capsys, fragment)


@pytest.fixture
def weights(tmp_path):
    rt.save(rt.CELLS["lstm"].random(hidden_size=3, input_size=2, rng=0), tmp_path / "lstm.npz")
    return str(tmp_path / "lstm.npz")


def _npy(folder, name, array, **options):
    np.save(folder / name, array, **options)
    return str(folder / name)


def _npz(folder):
    np.savez(folder / "x.npz", xs=np.zeros((5, 2)))
    return str(folder / "x.npz")


BAD_FLAGS = {
    "inputs-shape": (lambda f: ["--inputs", _npy(f, "x.npy", np.zeros((5, 3)))], "expected shape (T, 2)"),
    "inputs-1d": (lambda f: ["--inputs", _npy(f, "x.npy", np.zeros(5))], "expected shape (T, 2)"),
    "inputs-empty": (lambda f: ["--inputs", _npy(f, "x.npy", np.zeros((0, 2)))], "T >= 1"),
    "inputs-nan": (lambda f: ["--inputs", _npy(f, "x.npy", np.array([[0.0, np.nan]]))], "finite real numbers"),
    "inputs-pickle": (
        lambda f: ["--inputs", _npy(f, "x.npy", np.array([None, 1], dtype=object), allow_pickle=True)],
        "cannot read",
    ),
    "inputs-npz": (lambda f: ["--inputs", _npz(f)], "got an .npz archive"),
    "inputs-missing": (lambda f: ["--inputs", str(f / "absent.npy")], "cannot read"),
    "inputs-and-steps": (lambda f: ["--inputs", _npy(f, "x.npy", np.zeros((5, 2))), "--steps", "3"], "not both"),
    "steps-zero": (lambda f: ["--steps", "0"], "--steps must be >= 1"),
    "steps-text": (lambda f: ["--steps", "ten"], "invalid int value"),
    "exponents": (lambda f: ["--exponents", "7"], "--exponents must lie in 1..6"),
    "burn-in": (lambda f: ["--steps", "10", "--burn-in", "10"], "--burn-in must lie in 0..9"),
    "kind-unknown": (lambda f: ["--kind", "transformer"], "unknown kind 'transformer'"),
    "kind-conflict": (lambda f: ["--kind", "gru"], "cell is lstm, not gru"),
    "format": (lambda f: ["--format", "onnx"], "invalid choice"),
    "layer-native": (lambda f: ["--layer", "1"], "no layer 1: the model has layer 0"),
    "unknown-flag": (lambda f: ["--colour"], "unrecognized arguments"),
}


@pytest.mark.parametrize("case", sorted(BAD_FLAGS))
def test_bad_flags_and_inputs(tmp_path, capsys, weights, case):
    make, fragment = BAD_FLAGS[case]
    assert_refused(["analyze", weights, *make(tmp_path)], tmp_path, capsys, fragment)


def test_bad_output_paths(tmp_path, capsys, weights):
    code = main(["analyze", weights, "--plot", str(tmp_path / "r.jpg")])
    assert code == 2 and "expected a .png, .pdf or .svg" in capsys.readouterr().err
    code = main(["analyze", weights, "--json", str(tmp_path / "no" / "such" / "r.json")])
    assert code == 2 and "no folder" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path)) == ["lstm.npz"]


def test_a_real_process_reports_one_line_and_exit_2(tmp_path):
    (tmp_path / "model.pt").write_bytes(b"\x80\x04\x95")
    done = subprocess.run(
        [sys.executable, "-m", "rnn_theory", "analyze", str(tmp_path / "model.pt"), "--json", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "save_file(model.state_dict()" in done.stderr
    assert not (tmp_path / "r.json").exists()
