"""Fuzz: interrupts (issue: nothing left behind, nothing hung, one line).

SIGINT or SIGTERM at a random moment of a run with worker processes: the command ends within
seconds, prints one line (no traceback), leaves no process behind (workers, resource tracker),
and no temporary or half-written file.
"""

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from _cli_contract import environment


def _children(pid):
    """Every descendant process id of ``pid`` (from /proc)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as file:
                    parents[int(entry)] = int(file.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


COMMANDS = {
    "verify": ["verify", "--workers", "2"],
    "proofs": ["proofs", "--out", "{tmp}/proofs", "--workers", "2"],
    "figures": ["figures", "--out", "{tmp}/figures", "--jobs", "2"],
}


# Two cases by default (about 5 s each); the other four with -m slow.
CASES = [
    pytest.param(
        command,
        sig,
        id=f"{command}-{sig.name}",
        marks=() if (command, sig) in (("verify", signal.SIGTERM), ("figures", signal.SIGINT)) else pytest.mark.slow,
    )
    for command in sorted(COMMANDS)
    for sig in (signal.SIGINT, signal.SIGTERM)
]


@pytest.mark.parametrize(("command", "sig"), CASES)
def test_interrupt_leaves_nothing_behind(tmp_path, command, sig):
    args = [a.format(tmp=tmp_path) for a in COMMANDS[command]]
    process = subprocess.Popen(
        [sys.executable, "-m", "rnn_theory", *args],
        cwd=tmp_path,
        env=environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    seen = set()
    try:
        deadline = time.time() + 60
        while time.time() < deadline and len(seen) < 2:  # until the workers exist
            seen |= _children(process.pid)
            time.sleep(0.2)
        assert seen, "no worker process started"
        time.sleep(random.Random(command + str(sig)).uniform(0.5, 2.0))
        seen |= _children(process.pid)
        process.send_signal(sig)
        _, err = process.communicate(timeout=30)
        time.sleep(1.0)
        left = sorted(pid for pid in seen if _alive(pid))
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in seen | _children(process.pid):  # what this test started, so that a failure leaves nothing
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert not left, f"still running after the interrupt: {left}"
    lines = err.strip("\n").split("\n")
    assert process.returncode != 0 and len(lines) == 1 and "Traceback" not in err, err[-3000:]
    leftovers = [os.path.join(root, f) for root, _, files in os.walk(tmp_path) for f in files if f.startswith(".tmp")]
    assert not leftovers
