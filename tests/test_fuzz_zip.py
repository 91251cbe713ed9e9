"""Fuzz: zip tricks in .npz weight files (issue: nothing hung, one clear line).

Each case is either read or refused with one ValueError line; no member is inflated beyond its
declared size or the memory budget, and members the cell does not use are never inflated.
"""

import io
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rnn_theory as rt
from rnn_theory.io import read_tensors

PARAMS = rt.CELLS["rnn"].random(hidden_size=2, input_size=1, rng=0).params


def _npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.asarray(array), allow_pickle=False)
    return buffer.getvalue()


def _zip(members, method=zipfile.ZIP_DEFLATED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _native_members():
    return {f"{k}.npy": _npy(v) for k, v in PARAMS.items()}


def _patch(blob, local_offset, central_offset, fmt, value):
    """Set a field of every local header (PK\\3\\4) and central-directory entry (PK\\1\\2)."""
    blob = bytearray(blob)
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        start = 0
        while (start := blob.find(signature, start)) >= 0:
            struct.pack_into(fmt, blob, start + offset, value)
            start += 4
    return bytes(blob)


def _corrupt_deflate():
    blob = bytearray(_zip(_native_members()))
    start = blob.find(b"PK\x03\x04")
    name_len, extra_len = struct.unpack_from("<HH", blob, start + 26)
    data = start + 30 + name_len + extra_len
    blob[data : data + 6] = b"\xff" * 6
    return bytes(blob)


def _huge_rows_header():
    """A .npy member whose header claims 2⁴⁰ rows of float64 but holds 16 bytes."""
    header = {"descr": "<f8", "fortran_order": False, "shape": (2**40, 1)}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\x00" * 16


ZIPS = {
    "not-npy-member": lambda: _zip({**_native_members(), "readme.txt": b"hello"}),
    "only-text": lambda: _zip({"W": b"hello"}),
    "encrypted": lambda: _patch(_zip(_native_members()), 6, 8, "<H", 0x1),
    "method-98": lambda: _patch(_zip(_native_members(), zipfile.ZIP_STORED), 8, 10, "<H", 98),
    "method-99": lambda: _patch(_zip(_native_members(), zipfile.ZIP_STORED), 8, 10, "<H", 99),
    "corrupt-deflate": _corrupt_deflate,
    "npy-2**40-rows": lambda: _zip({**_native_members(), "W.npy": _huge_rows_header()}),
    "declared-size-lies": lambda: _patch(_zip(_native_members()), 22, 24, "<I", 0xFFFF0000),
    "empty-zip": lambda: _zip({}),
    "complex-member": lambda: _zip({**_native_members(), "W.npy": _npy(np.eye(2) * 1j)}),
    "bad-npy-magic": lambda: _zip({**_native_members(), "W.npy": b"\x93NUMPY\x09\x00" + b"x" * 40}),
}


@pytest.mark.parametrize("case", sorted(ZIPS))
def test_zip_trick_gives_one_value_error(tmp_path, case):
    path = tmp_path / "w.npz"
    path.write_bytes(ZIPS[case]())
    with pytest.raises(ValueError) as error:
        rt.load(path)
    assert "\n" not in str(error.value)


def test_unused_member_is_never_inflated(tmp_path):
    """A 256 MB member that no cell parameter names (deflated to ~256 kB) costs nothing."""
    path = tmp_path / "w.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _native_members().items():
            archive.writestr(name, data)
        with archive.open("unused_W.npy", "w", force_zip64=True) as member:
            buffer = io.BytesIO()
            np.lib.format.write_array_header_1_0(buffer, {"descr": "<f8", "fortran_order": False, "shape": (2**25,)})
            member.write(buffer.getvalue())
            chunk = bytes(2**22)
            for _ in range(2**25 * 8 // len(chunk)):
                member.write(chunk)
    tracemalloc.start()
    try:
        cell = rt.load(path, kind="rnn")
        peak = tracemalloc.get_traced_memory()[1]
    except ValueError:  # refusing the unknown member is fine too, if it is not inflated
        peak = tracemalloc.get_traced_memory()[1]
        cell = None
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, f"peak {peak / 2**20:.0f} MiB while reading"
    if cell is not None:
        assert np.array_equal(cell.params["W"], PARAMS["W"])


def test_member_beyond_the_memory_budget_is_refused_before_inflating(tmp_path, monkeypatch):
    from rnn_theory.io import _limits

    monkeypatch.setattr(_limits, "memory_budget", lambda: 2**20)
    path = tmp_path / "w.npz"
    path.write_bytes(_zip({**_native_members(), "W.npy": _npy(np.zeros((2**18, 2)))}))  # 4 MiB
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="memory"):
            rt.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(0, 10_000), value=st.integers(0, 255), length=st.integers(1, 8))
def test_flipped_bytes_are_read_or_refused_in_one_line(tmp_path, position, value, length):
    blob = bytearray(_zip(_native_members()))
    position %= len(blob)
    blob[position : position + length] = bytes([value]) * len(blob[position : position + length])
    path = tmp_path / "w.npz"
    path.write_bytes(bytes(blob))
    try:
        tensors, _ = read_tensors(path)
        for name in list(tensors):
            tensors[name]
    except ValueError as error:
        assert "\n" not in str(error)
