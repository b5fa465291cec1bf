"""Start-up: from spawning `gunicorn wsgi:app` to its first 200 from `/healthz`.

Budget (DESIGN.md "Budgets"): within 1 s. The app is served as documented (`gunicorn
wsgi:app` from the project folder, so `gunicorn.conf.py` applies) on a fresh instance
folder holding a migrated SQLite database and the secret key, with the project's courses
(the flagship course among them). Cold: no parsed-course cache in the instance folder
(the first start after a course changed); warm: the cache the previous start wrote. The
baseline is gunicorn serving a bare Flask app's `/healthz` (`bench/bare_health.py`), same
command and config. Rounds interleave baseline, cold and warm; medians.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.table import figure

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUNDS = int(os.environ.get("BENCH_STARTUP_ROUNDS", "5"))
BUDGET_SECONDS = 1.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _prepare(instance: Path) -> None:
    """A migrated database and a secret key, as `lms init` leaves them."""
    code = (
        "from flask_migrate import upgrade\n"
        "from lms import create_app\n"
        "with create_app().app_context():\n"
        "    upgrade()\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(instance), check=True, capture_output=True
    )


def _env(instance: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        PYTHONPATH=str(ROOT),
        LMS_INSTANCE_PATH=str(instance),
        LMS_DATABASE_URL=f"sqlite:///{instance}/lms.sqlite3",
    )
    return env


def time_to_health(target: str, instance: Path, timeout: float = 120) -> float:
    """Seconds from spawning gunicorn serving `target` to the first 200 from /healthz."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    started = time.perf_counter()
    process = subprocess.Popen(
        [BIN / "gunicorn", "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT,
        env=_env(instance),
    )
    try:
        while time.perf_counter() - started < timeout:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        return time.perf_counter() - started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn {target} exited with {process.returncode}")
            time.sleep(0.01)
        raise RuntimeError(f"gunicorn {target} did not answer /healthz in {timeout} s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "template"
        template.mkdir()
        _prepare(template)
        shutil.rmtree(template / "courses-parsed", ignore_errors=True)
        warm = Path(tmp) / "warm"
        shutil.copytree(template, warm)
        time_to_health("wsgi:app", warm)  # writes the parsed-course cache the warm starts read
        assert any((warm / "courses-parsed").glob("*.json")), "no parsed-course cache written"
        rounds = []
        for number in range(ROUNDS):
            cold = Path(tmp) / f"cold-{number}"
            shutil.copytree(template, cold)
            rounds.append(
                (
                    time_to_health("bench.bare_health:app", cold),
                    time_to_health("wsgi:app", cold),
                    time_to_health("wsgi:app", warm),
                )
            )
    baseline, cold_s, warm_s = (statistics.median(r[i] for r in rounds) for i in range(3))
    print(
        f"start-up to the first /healthz 200 (gunicorn wsgi:app, {ROUNDS} rounds, medians): "
        f"warm cache {warm_s:.2f} s (budget <= {BUDGET_SECONDS:g} s), cold cache {cold_s:.2f} s; "
        f"bare Flask app's /healthz under the same gunicorn {baseline:.2f} s"
    )
    print(
        "rounds (bare, cold, warm):",
        ", ".join(f"({b:.2f}, {c:.2f}, {w:.2f})" for b, c, w in rounds),
    )
    return [
        figure("start-up to /healthz, warm cache s", warm_s, baseline, BUDGET_SECONDS, "max"),
        figure("start-up to /healthz, cold cache s", cold_s, baseline, float("inf"), "max"),
    ]
