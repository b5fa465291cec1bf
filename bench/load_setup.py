"""What the load test (`bench/load.py`) runs against: a PostgreSQL schema of its own with
one self-paced cohort of the flagship course and N trainees, gunicorn and one queue
worker on loopback, and the samplers of memory (RSS from /proc) and database connections.

Trainees are inserted in bulk with one precomputed Argon2 hash for all of them (a second,
cheap one for the trainees whose sign-in is not meant to measure Argon2). Each has Day 2
and the post-test recorded already (as if done on an earlier visit, summaries rebuilt
from those rows), so finishing Day 1 completes the course and issues the certificate.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import create_engine, insert, text

from bench.load_journey import Trainee

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COURSE = "online-safety-basics"
APP_NAME = "lms-bench-load"  # application_name of the server's connections, counted
PASSWORD = "amber-tiger-mango-river"  # noqa: S105 - throwaway benchmark accounts
LANGUAGES = ("ur", "id", "en")
WARM_UP = 4  # trainees who walk to their certificates before the window (one PDF each)
ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(D)s"  # method, path, status, microseconds


def server_url(base: str, schema: str) -> str:
    """The PostgreSQL URL with every table in `schema` and connections named APP_NAME."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}&application_name={APP_NAME}"


def reset_schema(base: str, schema: str, drop_only: bool = False) -> None:
    engine = create_engine(base)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        if not drop_only:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def address(number: int, class_size: int) -> str:
    """A classroom's address behind its NAT: trainees 1..40 share one, 41..80 the next."""
    room = (number - 1) // class_size
    return f"10.{20 + room // 250}.{room % 250}.1"


def prepare(app, users: int, real_signins: int, class_size: int) -> tuple[int, list[Trainee]]:
    """Migrate, then one self-paced cohort with `users` trainees and WARM_UP more who warm
    the server up; (cohort id, trainees, the warm-up ones last). The first `real_signins`
    get the default Argon2 hash, the others a cheap one."""
    from flask_migrate import upgrade

    from lms.auth.models import User
    from lms.auth.passwords import hash_password
    from lms.cohorts import services as cohorts
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db
    from lms.permissions import SYSTEM
    from lms.reports.summaries import rebuild

    with app.app_context():
        with contextlib.redirect_stderr(io.StringIO()):  # alembic's INFO lines
            upgrade()
        course = get_catalogue().get(COURSE)
        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(
                name="Load test cohort",
                course_slug=COURSE,
                start_date=date.today(),
                timezone="Asia/Karachi",
                pacing="self",
                organisation=None,
            ),
        )
        db.session.flush()
        cohort_id = cohort.id
        real = hash_password(PASSWORD)
        cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
        now = datetime.now()
        rows = [
            {
                "email": f"t{n}@load.example",
                "name": f"Trainee {n}",
                "role": "trainee",
                "language": LANGUAGES[n % 3],
                "password_hash": real if n <= real_signins else cheap,
                "active": True,
                "session_version": 1,
                "created_at": now,
            }
            for n in range(1, users + WARM_UP + 1)
        ]
        user_ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True), rows
        ).all()
        enrolment_ids = db.session.scalars(
            insert(Enrolment).returning(Enrolment.id, sort_by_parameter_order=True),
            [
                {"cohort_id": cohort_id, "user_id": uid, "status": "active", "joined_at": now}
                for uid in user_ids
            ],
        ).all()
        _seed_day_two(db, course, enrolment_ids, now)
        rebuild(cohort_id, course)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        trainees = [
            Trainee(n, row["email"], PASSWORD, address(n, class_size), row["language"], eid)
            for n, (row, eid) in enumerate(zip(rows, enrolment_ids, strict=True), start=1)
        ]
        db.session.remove()
        db.engine.dispose()
    return cohort_id, trainees


def _seed_day_two(db, course, enrolment_ids: list[int], moment: datetime) -> None:
    """Day 2's lessons done, its quiz passed and the post-test taken, for everyone."""
    from lms.progress.models import LessonCompletion
    from lms.quizzes.models import AttemptAnswer, QuizAttempt

    day = course.days[-1]
    db.session.execute(
        insert(LessonCompletion),
        [
            {"enrolment_id": e, "lesson_slug": lesson.slug, "completed_at": moment}
            for e in enrolment_ids
            for lesson in day.lessons
        ],
    )
    for quiz in (day.quiz, course.post_test):
        results = {q.id: 1 for q in quiz.questions}
        attempts = [
            {
                "enrolment_id": e,
                "quiz_key": quiz.key,
                "number": 1,
                "token": f"seed-{quiz.key}-{e}",
                "language": "en",
                "content_hash": course.content_hash,
                "questions": [],
                "answers": {},
                "results": results,
                "points": len(results),
                "max_points": len(results),
                "score": 100,
                "pass_mark": quiz.pass_mark,
                "passed": True,
                "submitted_at": moment,
            }
            for e in enrolment_ids
        ]
        ids = db.session.scalars(
            insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True), attempts
        ).all()
        db.session.execute(
            insert(AttemptAnswer),
            [
                {
                    "attempt_id": a,
                    "enrolment_id": e,
                    "quiz_key": quiz.key,
                    "question_id": q,
                    "first_attempt": True,
                    "points": 1,
                }
                for a, e in zip(ids, enrolment_ids, strict=True)
                for q in results
            ],
        )


@dataclass
class Servers:
    gunicorn: subprocess.Popen
    worker: subprocess.Popen
    base: str
    access_log: Path
    logs: list = field(default_factory=list)

    def stop(self) -> None:
        for process in (self.gunicorn, self.worker):
            process.terminate()
        for process in (self.gunicorn, self.worker):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        for log in self.logs:
            log.close()


CONFIG = "deploy/gunicorn.conf.py"  # the production settings docs/deploy.md documents


def server_env(database_url: str, redis_url: str, instance: str, base: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(
        PYTHONPATH=str(ROOT),
        LMS_DATABASE_URL=database_url,
        LMS_REDIS_URL=redis_url,
        LMS_PROXIES="1",
        LMS_SECRET_KEY="bench-load-" + os.urandom(8).hex(),
        LMS_INSTANCE_PATH=instance,
        LMS_PUBLIC_URL=base,
    )
    return env


def gunicorn_settings(extra: list[str]) -> dict[str, str]:
    """worker_class, threads, workers as gunicorn will run them (`CONFIG`, -w 2)."""
    out = subprocess.run(
        [
            BIN / "gunicorn",
            "--print-config",
            "-c",
            CONFIG,
            "-w",
            "2",
            *extra,
            "wsgi:app",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout
    pairs = (line.split("=", 1) for line in out.splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def start(env: dict[str, str], port: int, instance: str, extra: list[str]) -> Servers:
    """gunicorn as deployed (`CONFIG`: gthread workers, 4 threads each; -w 2, one per core
    here) and `lms worker`."""
    access_log = Path(instance) / "access.log"
    logs = [open(Path(instance) / name, "w") for name in ("gunicorn.log", "worker.log")]  # noqa: SIM115
    gunicorn = subprocess.Popen(
        [BIN / "gunicorn", "-c", CONFIG, "-w", "2", "-b", f"127.0.0.1:{port}",
         "--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT,
         *extra, "wsgi:app"],  # fmt: skip
        cwd=ROOT, env=env, stdout=logs[0], stderr=subprocess.STDOUT,
    )  # fmt: skip
    worker = subprocess.Popen(
        [BIN / "lms", "worker"], cwd=ROOT, env=env, stdout=logs[1], stderr=subprocess.STDOUT
    )
    servers = Servers(gunicorn, worker, f"http://127.0.0.1:{port}", access_log, logs)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if gunicorn.poll() is not None or worker.poll() is not None:
            servers.stop()
            raise RuntimeError(f"server or worker exited: see the logs in {instance}")
        try:
            urllib.request.urlopen(servers.base + "/healthz", timeout=2)  # noqa: S310 - loopback
            return servers
        except OSError:
            time.sleep(0.3)
    servers.stop()
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and of its waited-for children, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class Sampler(threading.Thread):
    """Every `every` seconds: RSS of each gunicorn worker, of their PDF renderers and of the
    queue worker; the server's database connections (pg_stat_activity by application_name)."""

    def __init__(self, servers: Servers, pg_dsn: str | None, every: float = 2.0) -> None:
        super().__init__(daemon=True)
        self.servers, self.pg_dsn, self.every = servers, pg_dsn, every
        self.workers: dict[int, float] = {}  # pid -> peak MB
        self.renderers = 0.0  # peak MB of all PDF renderer processes together
        self.queue_worker = 0.0
        self.connections = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        import psycopg

        connection = psycopg.connect(self.pg_dsn, autocommit=True) if self.pg_dsn else None
        try:
            while not self.stopped.wait(self.every):
                self.sample(connection)
        finally:
            if connection is not None:
                connection.close()

    def sample(self, connection) -> None:
        renderers = 0.0
        for pid in children(self.servers.gunicorn.pid):
            self.workers[pid] = max(self.workers.get(pid, 0.0), rss_mb(pid))
            renderers += sum(rss_mb(child) for child in children(pid))
        self.renderers = max(self.renderers, renderers)
        queue = self.servers.worker.pid
        self.queue_worker = max(
            self.queue_worker, rss_mb(queue) + sum(rss_mb(c) for c in children(queue))
        )
        if connection is not None:
            count = connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", (APP_NAME,)
            ).fetchone()[0]
            self.connections = max(self.connections, count)

    def cpu(self) -> tuple[float, float]:
        """(gunicorn master + workers + renderers, queue worker) CPU seconds so far."""
        web = [self.servers.gunicorn.pid]
        for pid in children(self.servers.gunicorn.pid):
            web += [pid, *children(pid)]
        return sum(cpu_seconds(p) for p in web), cpu_seconds(self.servers.worker.pid)
