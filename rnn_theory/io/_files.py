"""Tensor files in and out: ``.safetensors`` and ``.npz``; pickles refused; writes atomic.

``read_tensors(path) -> (tensors, metadata)``: tensors a dict name -> np.ndarray, metadata a dict
str -> str (safetensors ``__metadata__``; in ``.npz`` the 0-d unicode arrays named ``__key__``).
The file's content decides, not only its name: pickle and PyTorch zip files are refused under any
extension, with the command that exports safetensors instead. ``np.load`` runs with
``allow_pickle=False``. ``write_tensors`` is deterministic (sorted names, fixed zip timestamps) and
atomic: a temporary file in the same folder, renamed over the target only when complete.
"""

import io
import mmap
import os
import tempfile
import zipfile

import numpy as np

from . import _safetensors

EXTENSIONS = (".safetensors", ".npz")
_EXPORT_HINT = (
    "export the weights instead: from safetensors.torch import save_file; "
    "save_file(model.state_dict(), 'model.safetensors')"
)
_KERAS_HINT = "export the layer instead: np.savez('weights.npz', *layer.get_weights())"


def read_tensors(path):
    """(dict name -> np.ndarray, metadata dict) from a .safetensors or .npz file; ValueError if refused."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as file:
            # A read-only memory map: only the tensors that are looked up are ever read.
            blob = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if os.fstat(file.fileno()).st_size else b""
    except OSError as error:
        raise ValueError(f"cannot read the file: {error.strerror}") from None
    _refuse_unsafe(path, blob)
    if path.endswith(".npz"):
        return _read_npz(path, blob)
    if path.endswith(".safetensors"):
        return _safetensors.decode(blob)
    raise ValueError(f"unsupported file type {os.path.splitext(path)[1] or '(none)'!r}: expected .safetensors or .npz")


def _is_safetensors(blob):
    """An 8-byte little-endian header length that fits the file, then the header's '{': a
    safetensors file whose header is 128 (mod 256) bytes long also starts with the byte 0x80."""
    return blob[8:9] == b"{" and 8 + int.from_bytes(blob[:8], "little") <= len(blob)


def _refuse_unsafe(path, blob):
    if (blob[:1] == b"\x80" and not _is_safetensors(blob)) or path.endswith((".pt", ".pth", ".pkl", ".pickle", ".ckpt", ".bin")):
        raise ValueError(f"a pickle file (torch.save or pickle) is never loaded, since unpickling can run code; {_EXPORT_HINT}")
    if blob[:4] == b"\x89HDF" or path.endswith((".h5", ".keras", ".hdf5")):
        raise ValueError(f"Keras .h5/.keras files are not read (no h5py); {_KERAS_HINT}")
    if blob[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            raise ValueError("a damaged or truncated zip (.npz) file") from None
        if any(name.endswith(".pkl") for name in names):
            raise ValueError(f"a PyTorch (torch.save) zip file holding pickles is never loaded; {_EXPORT_HINT}")


def _read_npz(path, blob):
    if blob[:2] != b"PK":
        raise ValueError("not an .npz (zip) archive; save one with np.savez")
    tensors, metadata = {}, {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for name in archive.files:
                array = archive[name]
                if name.startswith("__") and name.endswith("__") and array.dtype.kind == "U" and array.ndim == 0:
                    metadata[name[2:-2]] = str(array)
                else:
                    tensors[name] = array
    except ValueError as error:
        if "pickle" in str(error) or "Object arrays" in str(error):
            raise ValueError("the .npz holds a pickled (object) array, which is never loaded; save plain float arrays") from None
        raise ValueError(f"a damaged .npz array: {error}") from None
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise ValueError(f"a damaged or truncated .npz file ({error})") from None
    return tensors, metadata


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


def write_tensors(path, tensors, metadata=None):
    """Write ``tensors`` (float64) and ``metadata`` to a .safetensors or .npz file, atomically."""
    path = os.fspath(path)
    if path.endswith(".npz"):
        blob = encode_npz(tensors, metadata)
    elif path.endswith(".safetensors"):
        blob = _safetensors.encode(tensors, metadata)
    else:
        raise ValueError(f"cannot write {path}: the file name must end in .safetensors or .npz")
    write_atomic(path, blob)


def write_atomic(path, data):
    """Write bytes (or str, as UTF-8) to ``path`` via a temporary file and a rename: all or nothing."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    handle, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make the result private
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
