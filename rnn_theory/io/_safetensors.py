"""A reader and writer of the safetensors format, so that no extra package is needed.

The format (huggingface/safetensors README): an 8-byte little-endian u64 N, then N bytes of UTF-8
JSON ``{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}``,
then the raw little-endian tensor bytes, offsets counted from the end of the header.
Reading never executes anything; numpy has no bfloat16, so BF16 is widened exactly to float32.

>>> import numpy as np
>>> blob = encode({"w": np.arange(3.0)}, {"kind": "rnn"})
>>> tensors, metadata = decode(blob)
>>> dict(tensors), metadata
({'w': array([0., 1., 2.])}, {'kind': 'rnn'})
"""

import json
import math
import struct
from collections.abc import Mapping

import numpy as np

from ._limits import check_allocation

_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U64": "<u8",
    "U32": "<u4",
    "U16": "<u2",
    "U8": "u1",
    "BOOL": "?",
}
_MAX_HEADER = 100 * 1024 * 1024  # the reference implementation's limit, against absurd headers


def has_header(blob):
    """Whether ``blob`` has a safetensors file's structure: an 8-byte length N that fits the file,
    then N bytes starting with ``{`` (the format requires a JSON object). Told by structure, not by
    the first byte, which is N's low byte and may be anything; a pickle (0x80 0x02..0x05 …) or a
    zip (PK\\3\\4 …) read as N would claim terabytes.

    >>> has_header(encode({"w": np.zeros(1)})), has_header(b"\\x80\\x04\\x95" + bytes(20)), has_header(b"PK\\x03\\x04")
    (True, False, False)
    """
    if len(blob) < 10:
        return False
    (size,) = struct.unpack("<Q", blob[:8])
    return 2 <= size <= min(_MAX_HEADER, len(blob) - 8) and blob[8:9] == b"{"


def decode(blob):
    """bytes-like -> (mapping name -> np.ndarray, metadata dict str -> str); ValueError if malformed.

    Every entry's offsets and size are checked at once (a truncated file is refused whole); a
    tensor's bytes are converted only when it is looked up, so a large model's other modules cost
    nothing when ``blob`` is a memory map.
    """
    if len(blob) < 8:
        raise ValueError("not a safetensors file: shorter than its 8-byte header length (truncated?)")
    (size,) = struct.unpack("<Q", blob[:8])
    if size > _MAX_HEADER or 8 + size > len(blob):
        raise ValueError(f"not a safetensors file, or truncated: header of {size} bytes in a {len(blob)}-byte file")
    try:
        header = json.loads(bytes(blob[8 : 8 + size]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError("not a safetensors file: its header is not UTF-8 JSON") from None
    except RecursionError:
        raise ValueError("not a safetensors file: its JSON header nests too deeply") from None
    if not isinstance(header, dict):
        raise ValueError("not a safetensors file: its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise ValueError("safetensors __metadata__ must map strings to strings")
    data = memoryview(blob)[8 + size :]
    return _Tensors({name: _entry(name, entry, len(data)) for name, entry in header.items()}, data), metadata


def _entry(name, entry, available):
    """(dtype, shape, begin, end) of a header entry, its types, bounds and size checked."""
    try:
        dtype, shape, (begin, end) = entry["dtype"], entry["shape"], entry["data_offsets"]
    except (TypeError, KeyError, ValueError):
        raise ValueError(f"safetensors entry {name!r} lacks a dtype, shape or data_offsets [begin, end]") from None
    if not isinstance(dtype, str):
        raise ValueError(f'safetensors entry {name!r}: dtype must be a string such as "F32", got {_short(dtype)}')
    if not (isinstance(shape, list) and all(_natural(d) for d in shape)):
        raise ValueError(f"safetensors entry {name!r}: shape must be a list of integers >= 0, got {_short(shape)}")
    if not (_natural(begin) and _natural(end) and begin <= end <= available):
        raise ValueError(f"tensor {name!r} lies beyond the end of the file (truncated?) or has invalid data_offsets")
    shape = tuple(shape)
    itemsize = 2 if dtype == "BF16" else np.dtype(_DTYPES[dtype]).itemsize if dtype in _DTYPES else None
    if itemsize is not None and end - begin != math.prod(shape) * itemsize:
        raise ValueError(f"tensor {name!r}: {end - begin} bytes do not hold shape {shape} of {dtype}")
    return dtype, shape, begin, end


def _natural(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _short(value):
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Tensors(Mapping):
    """Name -> np.ndarray, each converted from the file's bytes when looked up."""

    def __init__(self, entries, data):
        self._entries, self._data = entries, data

    def __getitem__(self, name):
        dtype, shape, begin, end = self._entries[name]
        if dtype not in _DTYPES and dtype != "BF16":
            raise ValueError(f"tensor {name!r} has dtype {dtype}; supported: {', '.join(_DTYPES)}, BF16")
        check_allocation((end - begin) * (2 if dtype == "BF16" else 1), f"tensor {name!r}")
        raw = np.frombuffer(self._data[begin:end], dtype="<u2" if dtype == "BF16" else _DTYPES[dtype])
        if dtype == "BF16":  # bfloat16 is the top half of a float32
            raw = (raw.astype("<u4") << 16).view("<f4")
        return raw.reshape(shape).copy()

    def __iter__(self):
        return iter(self._entries)

    def __len__(self):
        return len(self._entries)


def encode(tensors, metadata=None):
    """(dict name -> float64-convertible array, metadata) -> bytes; F64, names in sorted order."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        array = np.ascontiguousarray(tensors[name], dtype="<f8")
        header[name] = {"dtype": "F64", "shape": list(array.shape), "data_offsets": [offset, offset + array.nbytes]}
        chunks.append(array.tobytes())
        offset += array.nbytes
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so that the data starts 8-byte aligned, as the reference does
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)
