"""Lesson page: bytes transferred, requests, and throughput against a bare Flask route.

Budget (DESIGN.md): at most 30 KB transferred (compressed, images excluded), at most 3
requests, and served at no less than half the throughput of a bare Flask route rendering
the same template (`bench/bare_app.py`), both measured in this run on this machine:
- over HTTP: gunicorn with 2 workers for each app, load from `wrk` (8 connections), sending
  the session cookie of a first visit as a returning reader's browser does;
- in process: Flask's test client in a loop, which leaves out the HTTP server and so
  shows our own per-request overhead at its largest.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from lms import create_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
COURSE = "online-safety-basics"
LESSON = "passwords"
BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 3


def page_weight(client, path: str) -> tuple[int, int]:
    """(compressed bytes, requests) a browser fetches for `path`, images excluded."""
    headers = {"Accept-Encoding": "gzip"}
    response = client.get(path, headers=headers)
    compressed = response.headers.get("Content-Encoding") == "gzip"
    html = (
        gzip.decompress(response.data).decode() if compressed else response.get_data(as_text=True)
    )
    total = len(response.data)
    resources = re.findall(r'<link[^>]+rel="(?:stylesheet|manifest|icon)"[^>]*href="([^"]+)"', html)
    resources += re.findall(r'<script[^>]+src="([^"]+)"', html)
    for url in resources:
        with client.get(url, headers=headers) as sub:
            total += len(sub.get_data())
    return total, 1 + len(resources)


def in_process_rps(client, path: str, seconds: float = 2.0) -> float:
    headers = {"Accept-Encoding": "gzip"}
    for _ in range(50):
        client.get(path, headers=headers)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        assert client.get(path, headers=headers).status_code == 200
        count += 1
    return count / (time.perf_counter() - start)


def _serve(target: str, port: int, env: dict) -> subprocess.Popen:
    # Two workers must share their limits (gunicorn.conf.py refuses otherwise).
    env = {**env, "LMS_REDIS_URL": env.get("LMS_REDIS_URL") or REDIS_URL}
    process = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return process
        except urllib.error.HTTPError:
            return process  # the bare app has no /healthz: any HTTP answer means it is up
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{target} did not start")


def session_cookie(url: str) -> str:
    """The cookie a browser keeps after its first visit (a trainee reads lesson after lesson)."""
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback only
        cookies = response.headers.get_all("Set-Cookie") or []
    return "; ".join(cookie.split(";", 1)[0] for cookie in cookies)


def wrk_rps(url: str, seconds: int = 5) -> float:
    cookie = session_cookie(url)
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", "Accept-Encoding: gzip", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed responses from {url}")
    return float(match.group(1))


def http_rps(instance: str) -> tuple[float, float] | None:
    if not shutil.which("wrk"):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=instance, LMS_DATABASE_URL=f"sqlite:///{instance}/bench.sqlite3")
    ours = _serve("wsgi:app", 5801, env)
    bare = _serve("bench.bare_app:app", 5802, env)
    try:
        ours_rps = wrk_rps(f"http://127.0.0.1:5801/courses/{COURSE}/lessons/{LESSON}")
        bare_rps = wrk_rps("http://127.0.0.1:5802/bare-page")
    finally:
        for process in (ours, bare):
            process.terminate()
            process.wait(timeout=10)
    return ours_rps, bare_rps


def main() -> None:
    from bench.bare_app import app as bare

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"}
        )
        with app.app_context():
            from lms.extensions import db

            db.create_all()
        client = app.test_client()
        path = f"/courses/{COURSE}/lessons/{LESSON}"
        size, requests = page_weight(client, path)
        print(
            f"lesson page transferred: {size} bytes (budget {BUDGET_BYTES}), "
            f"{requests} requests (budget {BUDGET_REQUESTS})"
        )
        ours = in_process_rps(client, path)
        baseline = in_process_rps(bare.test_client(), "/bare-page")
        print(
            f"in process: lesson page {ours:.0f} req/s; bare Flask route, same template "
            f"{baseline:.0f} req/s; ratio {ours / baseline:.2f}"
        )
        http = http_rps(tmp)
        if http is None:
            print("over HTTP: skipped (install wrk: apt-get install wrk)")
        else:
            ours, baseline = http
            print(
                f"over HTTP (gunicorn -w 2, wrk -c8): lesson page {ours:.0f} req/s; "
                "bare Flask route "
                f"{baseline:.0f} req/s; ratio {ours / baseline:.2f} (budget >= 0.50)"
            )
