"""`make run`'s steps on a real server process: init, demo, serve; then fetch pages over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path, courses_dir):
    """`lms init`, `lms demo`, `lms run` with the default embedded SQLite in a fresh instance/."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(tmp_path / "instance"), LMS_COURSES_DIR=str(courses_dir))
    for step in (["init"], ["demo"]):
        done = subprocess.run(
            [BIN / "lms", *step], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    process = subprocess.Popen(
        [BIN / "lms", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 - loopback only
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(process.stderr.read().decode())
            time.sleep(0.2)
    yield base
    process.terminate()
    process.wait(timeout=10)
    process.stderr.close()


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        return response.status, response.read().decode()


def test_real_server_serves_catalogue_lesson_and_health(server):
    status, body = fetch(server + "/healthz")
    assert status == 200 and '"database":"ok"' in body.replace(" ", "")
    status, body = fetch(server + "/")
    assert status == 200 and "Online Safety Basics" in body
    status, body = fetch(server + "/courses/online-safety-basics/lessons/passwords")
    assert status == 200 and "<h1>Strong passwords</h1>" in body
