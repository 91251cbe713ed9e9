"""Writing outputs so that nothing is lost: paths checked before the work, files replaced
atomically with their permissions kept, several files committed as a set.

- ``check_outputs(paths, inputs)``: before any work, refuse (ValueError, one line) an output that
  is one of the command's inputs, a directory, a FIFO, a device or a socket, that is named twice, or
  whose folder is missing. A symbolic link is followed: the file it points to is replaced, the
  link stays.
- ``write_atomic(path, data)``: a temporary file in the target's folder, flushed to disk, given the
  target's permissions (a new file: 0666 less the umask) and renamed over it: a reader sees the old
  file or the new one, never half of one; a full disk leaves the old file.
- ``write_set({path: data})``: every file is first written to its temporary; only when all are
  complete are they renamed into place (SIGINT/SIGTERM held back meanwhile), so a failure (full
  disk, interrupt) leaves all old files.

>>> import os, tempfile
>>> folder = tempfile.mkdtemp()
>>> a, b = os.path.join(folder, "a.json"), os.path.join(folder, "b.txt")
>>> write_set({a: "{}", b: b"bytes"})
>>> check_outputs([a], inputs=[a])  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: cannot write .../a.json: it is also an input of this command
"""

import os
import signal
import stat
import tempfile

_SIGNALS = {signal.SIGINT, signal.SIGTERM}


def check_outputs(paths, inputs=()):
    """ValueError naming the first output path that cannot be written safely (see the module)."""
    seen = {}
    for path in paths:
        path = os.fspath(path)
        target = os.path.realpath(path)
        problem = _problem(target, inputs)
        if problem is None and target in seen:
            problem = f"it is named twice (also as {seen[target]})"
        if problem:
            raise ValueError(f"cannot write {path}: {problem}")
        seen[target] = path


def _problem(target, inputs):
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        return f"no folder {folder}"
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return None if os.access(folder, os.W_OK) else f"the folder {folder} is not writable"
    except OSError as error:
        return error.strerror
    if stat.S_ISDIR(mode):
        return "it is a directory; expected a file name"
    if not stat.S_ISREG(mode):
        return "it is not a regular file (a FIFO, device or socket); expected a file name"
    for source in inputs:
        if source is not None and os.path.exists(source) and os.path.samefile(source, target):
            return "it is also an input of this command"
    if not os.access(target, os.W_OK) or not os.access(folder, os.W_OK):
        return "permission denied"
    return None


def write_atomic(path, data):
    """Write bytes (or str, as UTF-8) to ``path`` via a temporary file and a rename: all or nothing."""
    write_set({path: data})


def write_set(files):
    """Write {path: bytes or str} all or nothing: every temporary complete before any rename."""
    staged = []
    try:
        for path, data in files.items():
            staged.append(_stage(os.fspath(path), data))
        _rename_all(staged)
    except BaseException:
        for temporary, _ in staged:
            if os.path.exists(temporary):
                os.unlink(temporary)
        raise


def commit_files(moves):
    """Move complete files {source: destination} into place together (same filesystem), each
    given the permissions of the file it replaces; the sources are left where they are on failure."""
    for source, destination in moves.items():
        os.chmod(source, _mode(os.path.realpath(destination), stat.S_IMODE(os.stat(source).st_mode)))
    _rename_all([(source, os.path.realpath(destination)) for source, destination in moves.items()])


def _rename_all(pairs):
    """os.replace each (source, target); renames are quick and cannot fill a disk, so an interrupt
    (SIGINT, SIGTERM) is held back until they are all done."""
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        for source, target in pairs:
            os.replace(source, target)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _stage(path, data):
    """(temporary, target): ``data`` written and flushed to a temporary beside the real target."""
    target = os.path.realpath(path)
    problem = _problem(target, ())
    if problem:  # what check_outputs refuses is never replaced, whoever calls
        raise ValueError(f"cannot write {path}: {problem}")
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-", suffix=os.path.basename(target))
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data.encode("utf-8") if isinstance(data, str) else data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, _mode(target))  # mkstemp's 0600 would make a new file private
    except OSError as error:  # e.g. a full disk: name the file, whose old version is kept
        os.unlink(temporary)
        raise OSError(error.errno, error.strerror, path) from None
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary, target


def _mode(target, new=None):
    """The permissions of the file ``target`` replaces: its own, or for a new file ``new`` (default
    0666 less the umask)."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        if new is not None:
            return new
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask
