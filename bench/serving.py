"""Waiting for a server a benchmark started: its first answer from `/healthz`."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request


def wait_until_up(
    process: subprocess.Popen, port: int, what: str, seconds: float = 60, any_answer: bool = False
) -> subprocess.Popen:
    """`process` once `/healthz` on `port` answers (any HTTP answer with `any_answer`, for an
    app without that route); killed, with an error naming `what`, after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return process
        except urllib.error.HTTPError:
            if any_answer:
                return process
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{what} did not start")
