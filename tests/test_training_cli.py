"""``rnn-theory train`` and the experiment's entry point: files written, bad input refused."""

import json

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.cli import main


def test_train_writes_a_native_checkpoint_and_its_log(tmp_path, capsys):
    out = tmp_path / "model.npz"
    assert (
        main(["train", "recall", "--cell", "gru", "--lag", "3", "--hidden", "8", "--steps", "300", "--out", str(out)])
        == 0
    )
    cell = rt.load(out)
    log = json.loads((tmp_path / "model.json").read_text())
    assert cell.key == "gru" and cell.hidden_size == 8 and log["lag"] == 3 and log["success"]
    assert np.array(log["readout"]["V"]).shape == (4, 8)
    assert "solved" in capsys.readouterr().out


def test_train_is_reproducible_byte_for_byte(tmp_path):
    args = ["train", "adding", "--cell", "rnn", "--lag", "6", "--hidden", "4", "--steps", "20", "--seed", "3"]
    for name in ("a", "b"):
        assert main(args + ["--out", str(tmp_path / f"{name}.npz")]) == 0
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    assert (tmp_path / "a.json").read_text().replace('"a.npz"', '"b.npz"') == (tmp_path / "b.json").read_text()


def test_train_with_plain_sgd_logs_it(tmp_path):
    out = tmp_path / "model.npz"
    args = [
        "train",
        "temporal_order",
        "--cell",
        "rnn",
        "--init",
        "pascanu",
        "--lag",
        "10",
        "--hidden",
        "4",
        "--steps",
        "5",
    ]
    assert main(args + ["--optimizer", "sgd", "--clip", "0", "--out", str(out)]) == 0
    log = json.loads((tmp_path / "model.json").read_text())
    assert log["optimizer"] == "sgd" and log["clip"] is None and log["steps_run"] == 5


@pytest.mark.parametrize(
    "args,message",
    [
        (["train", "recall", "--cell", "lstm", "--optimizer", "rmsprop"], "invalid choice"),
        (["train", "copy", "--cell", "lstm"], "unknown task 'copy'"),
        (["train", "recall", "--cell", "lru"], "cannot train cell 'lru'"),
        (["train", "recall", "--cell", "lstm", "--lag", "0"], "lag must be"),
        (["train", "adding", "--cell", "gru", "--init", "identity"], "rnn only"),
        (["train", "recall", "--cell", "lstm", "--steps", "0"], "--steps must be >= 1"),
        (["train", "recall", "--cell", "lstm", "--hidden", "x"], "invalid int value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_with_nothing_written(tmp_path, capsys, args, message):
    assert main(args + ["--out", str(tmp_path / "m.npz")]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_bad_output_paths(tmp_path, capsys):
    assert main(["train", "recall", "--cell", "lstm", "--out", str(tmp_path / "m.pt")]) == 2
    assert main(["train", "recall", "--cell", "lstm", "--out", str(tmp_path / "missing" / "m.npz")]) == 2
    assert capsys.readouterr().err.count("\n") == 2
