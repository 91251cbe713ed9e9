"""Bad weight files: each is refused with one ValueError line that names the file and the problem.

``BAD_FILES`` is shared with the command-line tests (tests/test_analyze_errors.py), which check the
same files give one stderr line and exit code 2.
"""

import os
import pickle
import zipfile

import numpy as np
import pytest

import rnn_theory as rt
from rnn_theory.io import write_tensors


def torch_lstm(n=2, m=1, prefix="", suffix="_l0"):
    rng = np.random.default_rng(0)
    return {
        f"{prefix}{p}{suffix}": rng.normal(size=shape)
        for p, shape in (
            ("weight_ih", (4 * n, m)),
            ("weight_hh", (4 * n, n)),
            ("bias_ih", (4 * n,)),
            ("bias_hh", (4 * n,)),
        )
    }


def native_rnn():
    return rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0)


def with_nan(tensors, name):
    tensors[name] = tensors[name].copy()
    tensors[name].flat[0] = np.nan
    return tensors


def _write(name, tensors, metadata=None):
    return lambda folder: write_tensors(folder / name, tensors, metadata) or folder / name


def _raw(name, data):
    def build(folder):
        (folder / name).write_bytes(data)
        return folder / name

    return build


def _truncated(name, tensors):
    def build(folder):
        write_tensors(folder / name, tensors)
        blob = (folder / name).read_bytes()
        (folder / name).write_bytes(blob[: len(blob) - 13])
        return folder / name

    return build


def _fifo(folder):
    os.mkfifo(folder / "fifo.safetensors")  # opened for reading, it would block until a writer came
    return folder / "fifo.safetensors"


def _object_npz(folder):
    np.savez(folder / "obj.npz", W=np.array([{"a": 1}], dtype=object), allow_pickle=True)
    return folder / "obj.npz"


def _torch_zip(folder):
    with zipfile.ZipFile(folder / "model.safetensors", "w") as archive:  # what torch.save writes, misnamed
        archive.writestr("model/data.pkl", pickle.dumps({"weight_ih_l0": [1.0]}))
    return folder / "model.safetensors"


def _zip_text():
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


_PICKLE = pickle.dumps({"weight_ih_l0": [[1.0]]})
_NATIVE = {"format": "rnn-theory-native", "version": "1", "kind": "rnn"}

# name -> (builder(folder) -> path, a fragment the message must contain, load options)
BAD_FILES = {
    "nan": (_write("nan.safetensors", with_nan(torch_lstm(), "weight_hh_l0")), "'weight_hh_l0' contains NaN", {}),
    "inf-native": (
        _write("inf.npz", dict(native_rnn().params) | {"W": np.full((2, 2), np.inf)}, _NATIVE),
        "NaN or inf",
        {},
    ),
    "wrong-shape": (
        _write("shape.npz", torch_lstm() | {"bias_ih_l0": np.zeros(5)}),
        "'bias_ih_l0' has shape (5,), expected (8,)",
        {},
    ),
    "wrong-blocks": (_write("blocks.npz", torch_lstm() | {"weight_hh_l0": np.zeros((5, 2))}), "expected (k·n, n)", {}),
    "native-shape": (
        _write("nshape.npz", dict(native_rnn().params) | {"U": np.zeros((3, 1))}, _NATIVE),
        "parameter U must have shape (2, 1)",
        {},
    ),
    "missing-bias": (
        _write("missing.npz", {k: v for k, v in torch_lstm().items() if k != "bias_hh_l0"}),
        "missing tensor 'bias_hh_l0'",
        {},
    ),
    "missing-kernel": (
        _write("nokernel.npz", {"recurrent_kernel": np.zeros((2, 8)), "bias": np.zeros(8)}),
        "missing tensor 'kernel'",
        {},
    ),
    "missing-native": (
        _write("nomissing.npz", {"W": np.eye(2), "U": np.ones((2, 1))}, _NATIVE),
        "missing tensor 'b'",
        {},
    ),
    "unknown-native": (
        _write("unknown.npz", dict(native_rnn().params) | {"W_x": np.eye(2)}, _NATIVE),
        "unknown tensor names",
        {},
    ),
    "unknown-names": (_write("names.safetensors", {"foo": np.eye(2), "bar": np.ones(2)}), "cannot tell the format", {}),
    "pickle-pt": (_raw("model.pt", _PICKLE), "never loaded", {}),
    "pickle-renamed": (_raw("model.safetensors", _PICKLE), "never loaded", {}),
    "torch-zip": (_torch_zip, "PyTorch (torch.save) zip", {}),
    "object-npz": (_object_npz, "pickled (object) array", {}),
    "truncated-safetensors": (_truncated("cut.safetensors", torch_lstm()), "truncated", {}),
    "truncated-npz": (_truncated("cut.npz", torch_lstm()), "truncated", {}),
    "empty": (_raw("empty.safetensors", b""), "truncated", {}),
    "h5": (_raw("model.h5", b"\x89HDF\r\n\x1a\n"), "get_weights", {}),
    "extension": (_raw("weights.txt", b"1 2 3"), "expected .safetensors or .npz", {}),
    "projection": (_write("proj.npz", torch_lstm() | {"weight_hr_l0": np.ones((1, 2))}), "projections", {}),
    "two-modules": (
        _write("two.npz", torch_lstm(prefix="enc.") | torch_lstm(prefix="dec.")),
        "choose one with prefix",
        {},
    ),
    "two-layers": (_write("layers.npz", torch_lstm() | torch_lstm(m=2, suffix="_l1")), "choose one with layer", {}),
    "bad-prefix": (_write("prefix.npz", torch_lstm(prefix="enc.")), "no recurrent module 'dec'", {"prefix": "dec"}),
    "kind-conflict": (_write("kind.npz", torch_lstm()), "not gru", {"kind": "gru"}),
    "gru-no-bias": (
        _write("k.npz", {"kernel": np.ones((1, 6)), "recurrent_kernel": np.ones((2, 6))}),
        "reset_after",
        {},
    ),
    "relu-for-lstm": (
        _write("act.npz", torch_lstm()),
        "activation applies to the rnn cell only",
        {"activation": "relu"},
    ),
    "bad-format": (_write("fmt.npz", torch_lstm()), "no Keras recurrent weights", {"format": "keras"}),
    "prefix-positional": (
        _write("pos.npz", {"arr_0": np.ones((1, 2)), "arr_1": np.ones((2, 2))}),
        "prefix does not apply",
        {"prefix": "rnn"},
    ),
    "not-a-file": (lambda folder: folder / "absent.safetensors", "cannot read", {}),
    "fifo": (_fifo, "not a regular file", {}),
    "directory": (lambda folder: (folder / "dir.npz").mkdir() or folder / "dir.npz", "not a regular file", {}),
    "npz-not-npy-member": (_raw("text.npz", _zip_text()), "not a .npy array", {}),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gives_one_clear_line(tmp_path, case):
    build, fragment, options = BAD_FILES[case]
    path = build(tmp_path)
    with pytest.raises(ValueError) as error:
        rt.load(path, **options)
    message = str(error.value)
    assert fragment in message
    assert message.startswith(str(path) + ": ") and "\n" not in message
