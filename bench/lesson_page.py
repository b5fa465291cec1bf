"""Lesson page: bytes transferred, requests, and throughput against a bare Flask route.

Budget (DESIGN.md "Budgets"): at most 30 KB transferred (compressed, images excluded),
and the SIGNED-IN TRAINEE's lesson page served at no less than 0.6x the throughput of a
bare Flask route rendering the same template (`bench/bare_app.py`, no session, database
or compression), both measured in this run on this machine: gunicorn -w 2 with the
documented worker class (`WORKER`: gthread, 4 threads, as deploy/gunicorn.conf.py) for
each app, `wrk` at 16 and 64 connections, three interleaved
rounds, medians. The trainee signs in through the real form first, as a browser would,
and wrk sends that session cookie.
"""

from __future__ import annotations

import gzip
import http.cookiejar
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

from bench.serving import wait_until_up
from bench.table import figure
from lms import create_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
COURSE = "online-safety-basics"
LESSON = "passwords"
BUDGET_BYTES = 30 * 1024
BUDGET_REQUESTS = 3
BUDGET_RATIO = 0.6
WORKER = ("-k", "gthread", "--threads", "4")  # as deployed (deploy/gunicorn.conf.py)
TRAINEE = "reader@example.org"
PASSWORD = "amber-tiger-mango-river"  # noqa: S105 - a throwaway benchmark account


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


def _serve(target: str, port: int, env: dict) -> subprocess.Popen:
    # Two workers must share their limits (gunicorn.conf.py refuses otherwise).
    env = {**env, "LMS_REDIS_URL": env.get("LMS_REDIS_URL") or REDIS_URL}
    process = subprocess.Popen(
        [
            BIN / "gunicorn",
            "-w",
            "2",
            *WORKER,
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    # A busy machine: start-up is measured elsewhere. The bare app has no /healthz: any
    # HTTP answer means it is up.
    return wait_until_up(process, port, target, seconds=120, any_answer=True)


def _prepare_trainee(instance: str) -> int:
    """A database with one self-paced cohort and its signed-up trainee; the cohort's id."""
    from datetime import date

    from flask_migrate import upgrade

    from lms.auth import services as accounts
    from lms.cohorts import services as cohorts
    from lms.extensions import db
    from lms.permissions import SYSTEM

    app = create_app(
        {
            "INSTANCE_PATH": instance,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance}/bench.sqlite3",
        }
    )
    with app.app_context():
        upgrade()
        trainee = accounts.create_user(
            name="Bench Trainee", login=TRAINEE, password=PASSWORD, role="trainee", actor=SYSTEM
        )
        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(
                name="Bench cohort",
                course_slug=COURSE,
                start_date=date(2026, 1, 5),
                timezone="Asia/Karachi",
                pacing="self",
                organisation=None,
            ),
        )
        cohorts.enrol(cohort, trainee, actor=None)
        db.session.commit()
        return cohort.id


def signed_in_cookie(base: str) -> str:
    """Sign the trainee in through the real form, as a browser does; the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"login": TRAINEE, "password": PASSWORD, "csrf_token": token})
    opener.open(f"{base}/login", data=form.encode(), timeout=30).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    assert "session=" in cookie, "sign-in failed"
    return cookie


def fresh_cookie(page: str, cookie: str) -> str:
    """The cookie a browser would hold now: the session's idle timer moves once a minute
    and a browser keeps the cookie that carries it (wrk replays what it was given)."""
    request = urllib.request.Request(page, headers={"Cookie": cookie})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        sent = response.headers.get("Set-Cookie", "")
        assert "Bench Trainee" in response.read().decode(), "not signed in"
    match = re.match(r"(session=[^;]+)", sent)
    return match.group(1) if match else cookie


def wrk_rps(url: str, connections: int, cookie: str = "", seconds: int = 5) -> float:
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{errors.group(1)} failed responses from {url}")
    return float(match.group(1))


def http_rps(instance: str, cohort_id: int) -> list[tuple[int, float, float]] | None:
    """(connections, ours, bare) for c16 and c64: the signed-in trainee's lesson page
    against the bare route rendering the same template, interleaved in rounds."""
    if not shutil.which("wrk"):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=instance, LMS_DATABASE_URL=f"sqlite:///{instance}/bench.sqlite3")
    ours = _serve("wsgi:app", 5801, env)
    try:
        bare = _serve("bench.bare_app:app", 5802, env)
    except RuntimeError:
        ours.terminate()
        ours.wait(timeout=10)
        raise
    try:
        cookie = signed_in_cookie("http://127.0.0.1:5801")
        page = f"http://127.0.0.1:5801/cohorts/{cohort_id}/lessons/{LESSON}"
        bare_page = "http://127.0.0.1:5802/bare-trainee-page"
        cookie = fresh_cookie(page, cookie)
        wrk_rps(page, 16, cookie, seconds=2)  # warm-up: every worker up and its caches full
        wrk_rps(bare_page, 16, seconds=2)
        results = []
        for connections in (16, 64):
            rounds = []
            for _ in range(3):
                cookie = fresh_cookie(page, cookie)
                rounds.append(
                    (
                        wrk_rps(page, connections, cookie, seconds=3),
                        wrk_rps(bare_page, connections, seconds=3),
                    )
                )
            ours_rps = statistics.median(r[0] for r in rounds)
            bare_rps = statistics.median(r[1] for r in rounds)
            results.append((connections, ours_rps, bare_rps))
        return results
    finally:
        for process in (ours, bare):
            process.terminate()
            process.wait(timeout=10)


def main() -> list[dict]:

    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        cohort_id = _prepare_trainee(tmp)
        app = create_app(
            {"INSTANCE_PATH": tmp, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"}
        )
        client = app.test_client()
        path = f"/courses/{COURSE}/lessons/{LESSON}"
        size, requests = page_weight(client, path)
        print(
            f"lesson page transferred: {size} bytes (budget {BUDGET_BYTES}), "
            f"{requests} requests (budget {BUDGET_REQUESTS})"
        )
        figures.append(figure("lesson page bytes", size, None, BUDGET_BYTES, "max"))
        http = http_rps(tmp, cohort_id)
        if http is None:
            print("over HTTP: skipped (install wrk: apt-get install wrk)")
            return figures
        for connections, ours, baseline in http:
            print(
                f"signed-in trainee's lesson page over HTTP (gunicorn -w 2 gthread, wrk -c"
                f"{connections}): {ours:.0f} req/s; bare Flask route, same template "
                f"{baseline:.0f} req/s; ratio {ours / baseline:.2f} (budget >= {BUDGET_RATIO})"
            )
            figures.append(
                figure(
                    f"signed-in lesson page c{connections} req/s",
                    ours,
                    baseline,
                    BUDGET_RATIO,
                    "ratio",
                )
            )
    return figures
