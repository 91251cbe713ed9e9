"""Announcing long work before it starts: a memory check, a one-line estimate and a progress bar.

``expected_work(d, T, what)`` refuses (ValueError) an analysis whose estimated memory exceeds
the budget and returns its estimated seconds (``rnn_theory.flow.estimate_seconds``);
``progress(seconds, command)`` is a context manager that, for work over a minute, says so on
stderr and, on a terminal, redraws a bar of the elapsed share of the estimate every second (the
estimate drives it: the flow's inner loops are not interrupted to report).
"""

import sys
import threading
import time
from contextlib import contextmanager

from ..flow import estimate_bytes, estimate_seconds
from ..io import check_allocation

LONG = 60.0  # seconds of expected work from which it is announced


def expected_work(d, T, method="exact"):
    """Estimated seconds of an analysis of state size ``d`` over ``T`` steps; ValueError if its
    memory would exceed the budget."""
    try:
        check_allocation(estimate_bytes(d, T), f"the analysis (state size d = {d}, T = {T} steps)")
    except ValueError as error:
        raise ValueError(f"{error}; use fewer steps or a smaller model") from None
    return estimate_seconds(d, T, method)


@contextmanager
def progress(seconds, command, stream=None):
    """Announce work expected to take ``seconds`` if over a minute, with a bar on a terminal."""
    stream = stream or sys.stderr
    if seconds < LONG:
        yield
        return
    print(f"{command}: this will take about {_duration(seconds)} (estimated); Ctrl-C stops it", file=stream, flush=True)
    if not stream.isatty():
        yield
        return
    done = threading.Event()
    start = time.monotonic()

    def redraw():
        while not done.wait(1.0):
            elapsed = time.monotonic() - start
            share = min(elapsed / seconds, 0.99)
            bar = "#" * int(30 * share) + "-" * (30 - int(30 * share))
            print(
                f"\r\033[K[{bar}] {share:4.0%} {_duration(elapsed)} of ~{_duration(seconds)}",
                end="",
                file=stream,
                flush=True,
            )

    thread = threading.Thread(target=redraw, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        print("\r\033[K", end="", file=stream, flush=True)


def _duration(seconds):
    """'45 s', '12 min', '3.5 h'."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
