"""Which gunicorn worker class to deploy (docs/deploy.md "Worker class"): sync against
gthread, both with 2 processes (one per core), on PostgreSQL and Redis as deployed.

Two loads from `wrk` at 16 and 64 connections: the signed-in trainee's lesson page, and
a mixed read/write load (three lesson pages to one "mark done" POST, the trainee's own
rhythm). Rounds are interleaved (sync, gthread, sync, ...), 3 of each, medians; p99 from
wrk's latency distribution. Run: `python -m bench.worker_class` (not part of `make bench`:
it is a decision, not a budget). Uses the schema `bench_worker_class` of
`BENCH_POSTGRES_URL` (default: the local `test` database), dropped afterwards.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

from bench.lesson_page import LESSON, PASSWORD, TRAINEE, signed_in_cookie
from bench.serving import wait_until_up
from lms import create_app

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
REDIS_URL = os.environ.get("LMS_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SCHEMA = "bench_worker_class"
CLASSES = {"sync": [], "gthread": ["-k", "gthread", "--threads", "4"]}
SECONDS = 4
MIXED = """
local n = 0
request = function()
  n = n + 1
  if n % 4 == 0 then
    return wrk.format("POST", "{done}", {{["Cookie"] = "{cookie}",
      ["Content-Type"] = "application/x-www-form-urlencoded"}}, "csrf_token={token}")
  end
  return wrk.format("GET", "{page}", {{["Cookie"] = "{cookie}"}})
end
"""


def _schema(statement: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(POSTGRES)
    with engine.begin() as connection:
        connection.execute(text(statement))
    engine.dispose()


def prepare(instance: str, url: str) -> int:
    """The schema, one self-paced cohort and its trainee; the cohort's id."""
    from flask_migrate import upgrade

    from lms.auth import services as accounts
    from lms.cohorts import services as cohorts
    from lms.extensions import db
    from lms.permissions import SYSTEM

    _schema(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')
    _schema(f'CREATE SCHEMA "{SCHEMA}"')
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        trainee = accounts.create_user(
            name="Bench Trainee", login=TRAINEE, password=PASSWORD, role="trainee", actor=SYSTEM
        )
        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(name="Bench", course_slug="online-safety-basics",
                               start_date=date(2026, 1, 5), pacing="self"),
        )  # fmt: skip
        cohorts.enrol(cohort, trainee, actor=None)
        db.session.commit()
        cohort_id = cohort.id
        db.engine.dispose()
    return cohort_id


def serve(kind: str, port: int, env: dict) -> subprocess.Popen:
    process = subprocess.Popen(
        [BIN / "gunicorn", "-w", "2", *CLASSES[kind], "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    return wait_until_up(process, port, f"gunicorn {kind}")


def wrk(url: str, connections: int, script: str | None = None) -> tuple[float, float]:
    """(requests/s, p99 ms)."""
    extra = ["-s", script] if script else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency", *extra, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise RuntimeError(f"failed responses: {out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    return rps, float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def main() -> None:
    url = f"{POSTGRES}?options=-csearch_path%3D{SCHEMA}"
    with tempfile.TemporaryDirectory() as instance:
        cohort_id = prepare(instance, url)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
        env.update(LMS_INSTANCE_PATH=instance, LMS_DATABASE_URL=url, LMS_REDIS_URL=REDIS_URL,
                   LMS_SECRET_KEY="bench-worker-class-secret")  # noqa: S106  # fmt: skip
        ports = {"sync": 5811, "gthread": 5812}
        servers = {kind: serve(kind, port, env) for kind, port in ports.items()}
        try:
            cookie = signed_in_cookie(f"http://127.0.0.1:{ports['sync']}")
            path = f"/cohorts/{cohort_id}/lessons/{LESSON}"
            request = urllib.request.Request(f"http://127.0.0.1:{ports['sync']}{path}",
                                             headers={"Cookie": cookie})  # fmt: skip
            page = urllib.request.urlopen(request, timeout=30).read().decode()  # noqa: S310
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            script = Path(instance) / "mixed.lua"
            script.write_text(MIXED.format(done=f"{path}/done", page=path, cookie=cookie,
                                           token=urllib.parse.quote(token)))  # fmt: skip
            results: dict = {}
            for load in ("lesson page", "mixed 3 reads : 1 write"):
                for connections in (16, 64):
                    for _round in range(3):
                        for kind, port in ports.items():
                            base = f"http://127.0.0.1:{port}{path}"
                            if load == "lesson page":
                                rps, p99 = _page(base, connections, cookie)
                            else:
                                rps, p99 = wrk(base, connections, str(script))
                            results.setdefault((load, connections, kind), []).append((rps, p99))
            for (load, connections, kind), rounds in results.items():
                rps = statistics.median(r for r, _ in rounds)
                p99 = statistics.median(p for _, p in rounds)
                print(f"{load}, c{connections}, {kind}: {rps:.0f} req/s, p99 {p99:.0f} ms "
                      f"(rounds: {', '.join(f'{r:.0f}' for r, _ in rounds)})")  # fmt: skip
        finally:
            for process in servers.values():
                process.terminate()
                process.wait(timeout=20)
            _schema(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE')


def _page(url: str, connections: int, cookie: str) -> tuple[float, float]:
    script = Path(tempfile.gettempdir()) / f"lesson-{os.getpid()}.lua"
    script.write_text(f'wrk.headers["Cookie"] = "{cookie}"\n')
    return wrk(url, connections, str(script))


if __name__ == "__main__":
    main()
