"""A one-line progress display on stderr, shown only on a terminal (quiet when piped or logged)."""

import sys
import time


class Progress:
    """``update(step, **fields)`` rewrites one status line at most every ``interval`` seconds;
    ``advance(count)`` moves the step on by ``count``."""

    def __init__(self, total, label, stream=None, interval=0.2, enabled=True):
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled and bool(getattr(self.stream, "isatty", lambda: False)())
        self.total, self.label, self.interval = total, label, interval
        self._last, self.step = 0.0, 0

    def update(self, step, **fields):
        now = time.monotonic()
        if not self.enabled or (now - self._last < self.interval and step < self.total):
            return
        self._last = now
        status = " ".join(f"{key} {value:.4g}" for key, value in fields.items())
        self.stream.write(f"\r{self.label}: step {step}/{self.total} {status}\033[K")
        self.stream.flush()

    def advance(self, count=1, **fields):
        self.step += count
        self.update(self.step, **fields)

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
