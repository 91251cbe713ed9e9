"""Fuzz: safetensors headers, by structure and by malice (issue: valid files always load).

A safetensors file starts with its little-endian header length, so its first byte can be anything,
0x80 (a pickle's first byte) and b"PK" (a zip's) included; the format must be told by structure.
Malformed headers, whatever their JSON, end in one ValueError line, never another exception.
"""

import json
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rnn_theory as rt
from rnn_theory.io import read_tensors

CELL = rt.CELLS["rnn"](W=np.array([[0.5, -0.25], [0.125, 1.0]]), U=np.array([[1.0], [2.0]]), b=np.array([0.0, 0.5]))


def _header_size(blob):
    return struct.unpack("<Q", blob[:8])[0]


def _padded_save(path, length):
    """rt.save(CELL, path) with a metadata entry sized so that the header is ``length`` bytes
    rounded up to the format's 8-byte alignment (or the shortest header, if longer); returns the
    header's length and the one expected."""
    rt.save(CELL, path, metadata={"pad": ""})
    blob = path.read_bytes()
    shortest = len(blob[8 : 8 + _header_size(blob)].rstrip(b" "))  # without the alignment padding
    rt.save(CELL, path, metadata={"pad": "x" * max(length - shortest, 0)})
    return _header_size(path.read_bytes()), -(-max(length, shortest) // 8) * 8


def _raw_file(tmp_path, header_bytes, data=b"", name="raw.safetensors"):
    path = tmp_path / name
    path.write_bytes(struct.pack("<Q", len(header_bytes)) + header_bytes + data)
    return path


def _same(cell):
    return cell.key == CELL.key and all(np.array_equal(cell.params[k], v) for k, v in CELL.params.items())


# The header lengths the old byte sniffing refused: first byte 0x80 ("pickle"), b"PK" ("zip"),
# the real PyTorch export of the issue (896 = 0x380) and 19,280 = 0x4B50.
@pytest.mark.parametrize("length", [0x380, 0x480, 0x4B50, 0x10080])
def test_rt_save_header_lengths_that_looked_like_pickle_or_zip(tmp_path, length):
    path = tmp_path / "w.safetensors"
    actual, expected = _padded_save(path, length)
    assert actual == expected == length
    assert _same(rt.load(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(length=st.integers(min_value=8, max_value=70_000))
def test_rt_save_load_round_trips_every_header_length(tmp_path, length):
    path = tmp_path / "w.safetensors"
    actual, expected = _padded_save(path, length)
    assert actual == expected
    assert _same(rt.load(path))


def _read_padded(lengths):
    """The header lengths among ``lengths`` that are refused, for a one-tensor file whose JSON is
    padded with spaces to each length (as the format allows). In memory: the files' bytes, read by
    the same function as a file's memory map."""
    from rnn_theory.io._files import tensors_from_bytes

    body = json.dumps({"w": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}}).encode()
    data = np.array([1.5]).tobytes()
    padded = body + b" " * 70_000
    wrong = []
    for length in lengths:
        if length < len(body):
            continue
        blob = struct.pack("<Q", length) + padded[:length] + data
        try:
            tensors, _ = tensors_from_bytes("t.safetensors", blob)
            assert tensors["w"][0] == 1.5
        except ValueError:
            wrong.append(length)
    return wrong


def test_header_lengths_whose_first_bytes_spell_pickle_or_zip():
    """Every length up to 70,000 whose low byte is 0x80 (a pickle's first byte) or whose low bytes
    spell b"PK" (a zip's): the 274 that byte sniffing refused."""
    lengths = [L for L in range(8, 70_001) if L & 0xFF == 0x80 or L & 0xFFFF == 0x4B50]
    assert len(lengths) == 274 and not _read_padded(lengths)


@settings(max_examples=300, deadline=None)
@given(length=st.integers(min_value=8, max_value=70_000))
def test_any_header_length_is_read_as_safetensors(length):
    assert not _read_padded([length])


@pytest.mark.slow
def test_every_header_length_8_to_70000_is_read_as_safetensors():
    """Exhaustive over the header length (JSON padded with spaces, as the format allows): each is
    taken for a safetensors file, whatever its first bytes spell. In memory (the files' bytes, read
    by the same function as a file's memory map), since 70,000 files take minutes; 17 s."""
    wrong = _read_padded(range(8, 70_001))
    assert not wrong, f"{len(wrong)} header lengths refused, e.g. {wrong[:5]}"


def test_a_pickle_named_safetensors_is_still_refused(tmp_path):
    import pickle

    path = tmp_path / "w.safetensors"
    path.write_bytes(pickle.dumps({"weight_ih_l0": [[1.0]]}))
    with pytest.raises(ValueError, match="never loaded"):
        rt.load(path)


# Malformed headers: each must end in ValueError on read or on first access to the tensor.
_ENTRY = {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}
MALFORMED = {
    "dtype-list": {"w": {**_ENTRY, "dtype": ["F64"]}},
    "dtype-dict": {"w": {**_ENTRY, "dtype": {"F64": 1}}},
    "dtype-null": {"w": {**_ENTRY, "dtype": None}},
    "shape-1e400": {"w": {**_ENTRY, "shape": [1e400]}},
    "shape-float": {"w": {**_ENTRY, "shape": [1.5]}},
    "shape-negative": {"w": {**_ENTRY, "shape": [-1]}},
    "shape-huge": {"w": {**_ENTRY, "shape": [2**62, 2**62]}},
    "shape-str": {"w": {**_ENTRY, "shape": "1"}},
    "shape-bool": {"w": {**_ENTRY, "shape": [True]}},
    "offsets-float": {"w": {**_ENTRY, "data_offsets": [0.0, 8.0]}},
    "offsets-three": {"w": {**_ENTRY, "data_offsets": [0, 8, 9]}},
    "offsets-bool": {"w": {**_ENTRY, "data_offsets": [False, True]}},
    "entry-list": {"w": [1, 2]},
    "metadata-list": {"__metadata__": ["a"]},
    "metadata-int": {"__metadata__": {"a": 1}},
    "unknown-dtype": {"w": {**_ENTRY, "dtype": "C64"}},
}


def _nested(depth):
    return ("[" * depth + "]" * depth).encode()


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_header_gives_one_value_error(tmp_path, case):
    path = _raw_file(tmp_path, json.dumps(MALFORMED[case]).encode(), np.zeros(1).tobytes())
    _assert_refused_or_read(path)


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_header_gives_one_value_error(tmp_path, depth):
    path = _raw_file(tmp_path, b'{"w": ' + _nested(depth) + b"}")
    _assert_refused_or_read(path)


def _assert_refused_or_read(path):
    try:
        tensors, _ = read_tensors(path)
        for name in tensors:
            tensors[name]
    except ValueError as error:
        assert "\n" not in str(error)
    # any other exception type fails the test


_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)
_entries = st.fixed_dictionaries(
    {},
    optional={
        "dtype": st.sampled_from(["F64", "F32", "BF16", "I8", "BOOL"]) | _json,
        "shape": st.lists(st.integers(-3, 2**40), max_size=3) | _json,
        "data_offsets": st.lists(st.integers(-3, 64), max_size=3) | _json,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.dictionaries(st.text(max_size=4), _entries | _json, max_size=3), data=st.binary(max_size=64))
def test_any_json_header_is_read_or_refused_in_one_line(tmp_path, header, data):
    path = _raw_file(tmp_path, json.dumps(header).encode(), data)
    _assert_refused_or_read(path)
