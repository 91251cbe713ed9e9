"""Tensor files in and out: ``.safetensors`` and ``.npz``; pickles refused; writes atomic.

``read_tensors(path) -> (tensors, metadata)``: tensors a mapping name -> np.ndarray, each read from
the file only when looked up; metadata a dict str -> str (safetensors ``__metadata__``; in ``.npz``
the 0-d unicode arrays named ``__key__``). The file's structure decides, not its first bytes alone:
a safetensors file starts with its header length, whose low byte can be anything (0x80, a
pickle's first byte, when the header is 384 + 256·k bytes long), so a header length that fits the
file followed by a JSON object is recognised first. Pickle and PyTorch zip files are refused under
any extension, with the command that exports safetensors instead; ``np.load`` is never given a
pickle. Only regular files are opened (a FIFO would block), and every .npz member is checked
before it is inflated: a .npy member, not encrypted, a supported compression, its declared size
within the memory budget (``_limits``) and its .npy header's shape within that declared size.
``write_tensors`` is deterministic (sorted names, fixed zip timestamps) and atomic (``_write``).
"""

import io
import math
import mmap
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping

import numpy as np

from . import _safetensors
from ._limits import check_allocation
from ._write import write_atomic

EXTENSIONS = (".safetensors", ".npz")
_EXPORT_HINT = (
    "export the weights instead: from safetensors.torch import save_file; "
    "save_file(model.state_dict(), 'model.safetensors')"
)
_KERAS_HINT = "export the layer instead: np.savez('weights.npz', *layer.get_weights())"
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
_MAX_METADATA = 2**20  # bytes of one metadata entry of an .npz
_MAX_NPY_HEADER = 10_000 + 12  # numpy's own limit on a .npy header, plus magic and length


def read_tensors(path):
    """(mapping name -> np.ndarray, metadata dict) from a .safetensors or .npz file; ValueError if refused."""
    path = os.fspath(path)
    return tensors_from_bytes(path, map_file(path))


def tensors_from_bytes(path, blob):
    """``read_tensors`` of the file named ``path`` whose bytes (or memory map) are ``blob``."""
    if path.endswith(".safetensors") and _safetensors.has_header(blob):
        return _safetensors.decode(blob)
    _refuse_unsafe(path, blob)
    if path.endswith(".npz"):
        return _read_npz(blob)
    if path.endswith(".safetensors"):
        return _safetensors.decode(blob)  # refuses it, naming what is wrong
    raise ValueError(f"unsupported file type {os.path.splitext(path)[1] or '(none)'!r}: expected .safetensors or .npz")


def map_file(path):
    """A read-only memory map of the regular file ``path`` (b"" if empty): only what is looked up is
    ever read. A FIFO, device or directory is refused without opening it for reading, so it cannot block."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ValueError(
                f"not a regular file (a FIFO, device or directory); expected a {' or '.join(EXTENSIONS)} file"
            )
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in meanwhile does not block
        try:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise ValueError("not a regular file")
            return _Map(handle, 0, access=mmap.ACCESS_READ) if os.fstat(handle).st_size else b""
        finally:
            os.close(handle)
    except OSError as error:
        raise ValueError(f"cannot read the file: {error.strerror}") from None


class _Map(mmap.mmap):
    """A memory map that zipfile can read from as from a file."""

    def seekable(self):
        return True


def _refuse_unsafe(path, blob):
    if blob[:1] == b"\x80" or path.endswith((".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")):
        raise ValueError(
            f"a pickle file (torch.save or pickle) is never loaded, since unpickling can run code; {_EXPORT_HINT}"
        )
    if blob[:4] == b"\x89HDF" or path.endswith((".h5", ".keras", ".hdf5")):
        raise ValueError(f"Keras .h5/.keras files are not read (no h5py); {_KERAS_HINT}")
    if blob[:2] == b"PK" and any(info.filename.endswith(".pkl") for info in _archive(blob).infolist()):
        raise ValueError(f"a PyTorch (torch.save) zip file holding pickles is never loaded; {_EXPORT_HINT}")


def _archive(blob):
    try:
        return zipfile.ZipFile(io.BytesIO(blob) if isinstance(blob, bytes) else blob)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise ValueError("a damaged or truncated zip (.npz) file") from None


def _read_npz(blob):
    if blob[:2] != b"PK":
        raise ValueError("not an .npz (zip) archive; save one with np.savez")
    archive = _archive(blob)
    members = {}
    for info in archive.infolist():
        _check_member(info)
        _read_member(archive, info, info.filename[:-4], header_only=True)  # a few hundred bytes inflated
        members[info.filename[:-4]] = info
    tensors = _NpzTensors(archive, {name: info for name, info in members.items() if not _is_metadata(name)})
    metadata = {}
    for name in filter(_is_metadata, members):
        if members[name].file_size > _MAX_METADATA:
            raise ValueError(f"metadata entry {name!r} is {members[name].file_size} bytes; expected a short string")
        value = _read_member(archive, members[name], name)
        if value.dtype.kind == "U" and value.ndim == 0:
            metadata[name[2:-2]] = str(value)
        else:
            tensors.add(name, members[name])
    return tensors, metadata


def _is_metadata(name):
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def _check_member(info):
    """Refuse a member before inflating it: what np.savez writes, and no more than the budget."""
    if not info.filename.endswith(".npy"):
        raise ValueError(f"member {info.filename!r} of the .npz is not a .npy array; save the file with np.savez")
    if info.flag_bits & 0x1:
        raise ValueError(f"member {info.filename!r} is encrypted; save the file with np.savez")
    if info.compress_type not in _COMPRESSIONS:
        raise ValueError(
            f"member {info.filename!r} uses zip compression method {info.compress_type}; "
            "expected stored or deflated (np.savez, np.savez_compressed)"
        )
    check_allocation(info.file_size, f"member {info.filename!r} of the .npz")


def _read_member(archive, info, name, header_only=False):
    """One .npy member as an array: its header's shape checked against the member's declared size
    before the data are inflated, then exactly that many bytes read (none if ``header_only``)."""
    try:
        with archive.open(info) as member:
            shape, order, dtype, nbytes = _npy_header(member, info.file_size, f"tensor {name!r}")
            if header_only:
                return None
            data = member.read(nbytes)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        NotImplementedError,
        RuntimeError,
        struct.error,
    ) as error:
        raise ValueError(f"a damaged or truncated .npz member {info.filename!r} ({error})") from None
    if len(data) != nbytes:
        raise ValueError(f"tensor {name!r} is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order=order).copy()


def _npy_header(stream, size, what):
    """(shape, order, dtype, nbytes) from the .npy header at the start of ``stream`` (``size`` bytes
    in all), refused if it needs more bytes than there are, or than the memory budget."""
    try:
        version = np.lib.format.read_magic(stream)
        reader = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}.get(version)
        if reader is None:
            raise ValueError(f".npy format version {version} (expected 1.0 or 2.0, as np.save writes)")
        shape, fortran, dtype = reader(stream)
    except (ValueError, SyntaxError, TypeError) as error:  # np.lib.format's own checks
        raise ValueError(f"{what}: a damaged .npy header ({str(error).splitlines()[0]})") from None
    if dtype.hasobject:
        raise ValueError("a pickled (object) array, which is never loaded; save plain float arrays")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes != size - stream.tell():
        raise ValueError(
            f"{what}: its .npy header claims shape {shape} of {dtype} ({nbytes} bytes), "
            f"but {size - stream.tell()} bytes follow it (truncated or damaged?)"
        )
    check_allocation(nbytes, what)
    return shape, "F" if fortran else "C", dtype, nbytes


class _NpzTensors(Mapping):
    """Name -> np.ndarray, each member inflated when looked up (unused members never are)."""

    def __init__(self, archive, members):
        self._archive, self._members = archive, members

    def add(self, name, info):
        self._members[name] = info

    def __getitem__(self, name):
        return _read_member(self._archive, self._members[name], name)

    def __iter__(self):
        return iter(self._members)

    def __len__(self):
        return len(self._members)


def encode_npz(tensors, metadata=None):
    """The bytes of an .npz holding float64 ``tensors`` and ``metadata`` as 0-d unicode arrays."""
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in tensors.items()}
    arrays.update({f"__{key}__": np.array(str(value)) for key, value in (metadata or {}).items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[name], allow_pickle=False)
            # A fixed timestamp: np.savez stamps the current time, which breaks byte identity.
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0)), member.getvalue())
    return buffer.getvalue()


def encode_tensors(path, tensors, metadata=None):
    """The bytes of a .safetensors or .npz file (told by ``path``'s name) of float64 ``tensors``."""
    path = os.fspath(path)
    if path.endswith(".npz"):
        return encode_npz(tensors, metadata)
    if path.endswith(".safetensors"):
        return _safetensors.encode(tensors, metadata)
    raise ValueError(f"cannot write {path}: the file name must end in .safetensors or .npz")


def write_tensors(path, tensors, metadata=None):
    """Write ``tensors`` (float64) and ``metadata`` to a .safetensors or .npz file, atomically."""
    write_atomic(path, encode_tensors(path, tensors, metadata))


def read_npy(path):
    """One array from a .npy file, never a pickle; ValueError (one line) if the file is not regular,
    not a .npy, or its header's shape needs more bytes than the file holds or the memory budget."""
    blob = map_file(os.fspath(path))
    if blob[:6] != b"\x93NUMPY":
        raise ValueError(
            "got an .npz archive, not one .npy array"
            if blob[:2] == b"PK"
            else "not a .npy file (save one with np.save)"
        )
    stream = io.BytesIO(blob[:_MAX_NPY_HEADER])  # the header only, not a copy of the file
    shape, order, dtype, nbytes = _npy_header(stream, len(blob), "the array")
    start = stream.tell()
    return np.frombuffer(blob[start : start + nbytes], dtype=dtype).reshape(shape, order=order).copy()
