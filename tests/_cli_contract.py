"""Shared by the fuzz tests of the command line: run ``rnn-theory`` in a subprocess and check the
contract for bad input (exit 2, exactly one line on stderr, no traceback)."""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def environment():
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    env.pop("COLUMNS", None)
    return env


def file_size_limit(limit):
    """A preexec_fn: files larger than ``limit`` bytes cannot be written (EFBIG), as on a full disk."""

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def cli(*args, cwd=None, timeout=120, limit=None):
    """(returncode, stdout, stderr) of ``python -m rnn_theory *args``."""
    done = subprocess.run(
        [sys.executable, "-m", "rnn_theory", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(),
        timeout=timeout,
        preexec_fn=file_size_limit(limit) if limit else None,
    )
    return done.returncode, done.stdout, done.stderr


def assert_one_line(returncode, stderr, code=2):
    lines = stderr.strip("\n").split("\n")
    assert returncode == code and len(lines) == 1 and "Traceback" not in stderr, (returncode, stderr[-2000:])
