"""Issue 17 item 9: the PDF worker (and multiprocessing's resource tracker) end with the
server that started them, however it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SERVER = """
import os, sys
from lms.pdf import worker
from lms.config import ROOT
pdf = worker.render("<p>ok</p>", ROOT / "static", {}, timeout=60, memory_mb=1024)
assert pdf.startswith(b"%PDF")
print(os.getpid(), flush=True)
sys.stdin.read()  # serve until stopped
"""


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL, signal.SIGINT])
def test_worker_and_tracker_end_with_the_server(stop):
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # fmt: skip
    try:
        assert int(server.stdout.readline()) == server.pid
        helpers = children_of(server.pid)
        assert len(helpers) >= 2  # the worker and the resource tracker
        os.kill(server.pid, stop)
        server.wait(timeout=20)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in helpers):
            time.sleep(0.2)
        assert not [pid for pid in helpers if alive(pid)], "orphans left running"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        server.stdin.close()
        server.stdout.close()


def test_the_worker_renders_on_one_thread():
    """The watch on the server is a timer signal, not a thread: with a second thread the C
    allocator takes its locking path for good, about 8% of every render
    (docs/benchmarks.md "certificates")."""
    from lms.config import ROOT
    from lms.pdf import worker

    pdf = worker.render("<p>ok</p>", ROOT / "static", {}, timeout=60, memory_mb=1024)
    assert pdf.startswith(b"%PDF")
    (process,) = worker._pool._processes.values()
    status = Path(f"/proc/{process.pid}/status").read_text()
    assert "\nThreads:\t1\n" in status, status
