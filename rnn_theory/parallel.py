"""Where the package's sweeps run: here, on a pool of local processes, or on a Dask cluster, behind
one interface, ``concurrent.futures.Executor``; the results are the same bytes on each.

Every task runs with its BLAS on one thread, wherever it runs: a multi-threaded GEMM splits its sums
by thread, so a thread count would move the last bits of a result (and threads spinning on small
products only slow a task whose core is taken). Work is submitted and reduced in a fixed order by the
callers, so which worker ran what, and when it finished, does not matter either.

- ``process_pool(workers)``: ``workers`` fresh (spawned) local processes, BLAS on one thread each.
- ``as_executor(executor)``: an Executor as it is; a ``distributed.Client`` adapted to one, each of
  its tasks pinned to one BLAS thread on its worker (``threadpoolctl``). A worker lost mid-run costs
  only its tasks: the scheduler runs them again elsewhere, and the seeded tasks give the same bytes.
- ``executor_for(workers, scheduler)``: what a command runs on, as a context manager: the cluster at
  ``scheduler`` when given (``scheduler_address``: else ``$DASK_SCHEDULER_ADDRESS``), else a local
  pool of ``workers`` processes, else (``workers`` = 0) None: this process.

Sent to a worker: the function (by its module and name: the worker needs the same version of the
package installed) and its arguments (a claim id, a protocol's settings and a run's seeds, a figure
builder); never data files, which the tasks read on the worker from the installed package.

>>> from concurrent.futures import ThreadPoolExecutor
>>> with ThreadPoolExecutor(1) as pool:
...     as_executor(pool) is pool
True
>>> as_executor(None) is None
True
"""

import contextlib
import functools
import multiprocessing
import os
import signal
from concurrent.futures import Executor, ProcessPoolExecutor

from threadpoolctl import threadpool_limits

SCHEDULER_VARIABLE = "DASK_SCHEDULER_ADDRESS"
CLUSTER_EXTRA = "pip install 'rnn-theory[cluster]'"
_BLAS_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def process_pool(workers: int) -> Executor:
    """``workers`` fresh local processes with one BLAS thread each.

    Spawned, not forked: a forked worker inherits whatever thread state its parent had. The workers
    read the BLAS variables when they load NumPy (the pool starts them when work arrives, so they stay
    set here), ignore SIGINT (a terminal's Ctrl-C reaches the whole group; the parent handles it) and
    are terminated at once when the pool is left by an exception."""
    os.environ.update(dict.fromkeys(_BLAS_THREADS, "1"))
    return _Pool(max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker)


def _start_worker():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Pool(ProcessPoolExecutor):
    """A process pool that, left by an exception (an interrupt), terminates its workers at once
    instead of waiting for their tasks, and reaps them."""

    def __exit__(self, kind, value, traceback):
        if kind is None:
            return super().__exit__(kind, value, traceback)
        for process in list((self._processes or {}).values()):
            process.terminate()
        self.shutdown(wait=True, cancel_futures=True)
        return False


def as_executor(executor):
    """``executor`` as a ``concurrent.futures.Executor``: an Executor (or None) as it is, a
    ``distributed.Client`` adapted (``ClusterExecutor``); TypeError for anything else."""
    if executor is None or isinstance(executor, Executor):
        return executor
    if _is_client(executor):
        return ClusterExecutor(executor)
    raise TypeError(
        f"executor must be a concurrent.futures.Executor or a distributed.Client, got {type(executor).__name__}"
    )


def _is_client(value):
    try:
        from distributed import Client
    except ImportError:
        return False
    return isinstance(value, Client)


class ClusterExecutor(Executor):
    """A ``distributed.Client`` as an Executor whose every task runs on one BLAS thread.

    ``submit`` returns a ``concurrent.futures.Future``, so ``as_completed`` and ``map`` work as on a
    local pool. Tasks are impure (never merged with an equal one): each is a run of its own."""

    def __init__(self, client):
        self.client = client
        self._executor = client.get_executor(pure=False)

    def submit(self, fn, /, *args, **kwargs):
        return self._executor.submit(functools.partial(_pinned, fn), *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self._executor.shutdown(wait=wait)


def _pinned(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with the worker's BLAS on one thread."""
    with threadpool_limits(1):
        return fn(*args, **kwargs)


def scheduler_address(address=None):
    """``address``, else ``$DASK_SCHEDULER_ADDRESS``, else None (no cluster)."""
    return address or os.environ.get(SCHEDULER_VARIABLE) or None


class ClusterUnavailable(ValueError):
    """No Dask cluster to be had: dask.distributed is not installed, or no scheduler answers."""


@contextlib.contextmanager
def executor_for(workers=0, scheduler=None):
    """The Executor a command runs on: the Dask cluster at ``scheduler`` when given
    (ClusterUnavailable, saying what to do, when there is none), else ``process_pool(workers)`` for
    ``workers`` >= 1, else None (this process)."""
    if scheduler:
        with connect(scheduler) as client:
            yield ClusterExecutor(client)
    elif workers:
        with process_pool(workers) as pool:
            yield pool
    else:
        yield None


def connect(address, timeout=10):
    """A ``distributed.Client`` of the scheduler at ``address``; ClusterUnavailable if it cannot be had."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnavailable(f"a Dask scheduler needs dask.distributed: {CLUSTER_EXTRA}") from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        raise ClusterUnavailable(f"no Dask scheduler answers at {address!r}: {error}") from None
