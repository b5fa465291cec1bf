"""Quiz submissions per second under concurrency, with zero lost or duplicated attempts.

8 writer threads, each a trainee submitting the unlimited day-2 quiz of the sample course
through the same service the pages use (grading, one-time token, attempt numbering,
completion check), every 5th submission sent twice with the same token. Afterwards it
checks that each distinct token produced exactly one attempt and that attempt numbers
are 1..n per trainee. Runs on SQLite (a file) and on PostgreSQL when reachable
(BENCH_POSTGRES_URL, default the local `test` database). The baseline is the same threads
inserting one row per transaction into a bare table, in the same run.

Budget (DESIGN.md): at least 500 submissions/s with 8 concurrent writers on SQLite.
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, text
from werkzeug.datastructures import MultiDict

from bench.table import figure
from lms import create_app

WRITERS = 8
PER_WRITER = 150
ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
ANSWERS = MultiDict({"q-budget-savings": "800000", "q-emergency-fund": "0"})


def _prepare(url: str, instance: str):
    from flask_migrate import upgrade

    from lms.auth import services as accounts
    from lms.cohorts import services as cohorts
    from lms.extensions import db
    from lms.permissions import SYSTEM

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "COURSES_DIR": str(ROOT / "courses"),
        }
    )
    with app.app_context():
        if url.startswith("postgresql"):
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        cohort = cohorts.create_cohort(
            SYSTEM,
            cohorts.CohortData(
                name="Bench",
                course_slug="online-safety-basics",
                start_date=date(2026, 1, 1),
                pacing="self",
            ),
        )
        users = []
        for n in range(WRITERS):
            user = accounts.create_user(
                name=f"Writer {n}", login=f"w{n}@bench.example", password=None, actor=SYSTEM
            )
            cohorts.enrol(cohort, user, actor=SYSTEM)
            users.append(user.id)
        db.session.commit()
        return app, cohort.id, users


def _payloads(app, cohort_id: int, user_id: int, count: int) -> list[str]:
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.extensions import db
    from lms.quizzes.services import new_attempt_form

    with app.app_context():
        context = learning_context(db.session.get(User, user_id), cohort_id)
        forms = [new_attempt_form(context, "day-2", "en").payload for _ in range(count)]
        db.session.rollback()
        return forms


def run_submissions(app, cohort_id: int, users: list[int]) -> dict:
    from lms.auth.models import User
    from lms.cohorts.access import learning_context
    from lms.errors import ServiceError
    from lms.extensions import db
    from lms.quizzes import services

    payloads = {u: _payloads(app, cohort_id, u, PER_WRITER) for u in users}
    errors: list[str] = []
    sent = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def writer(user_id: int) -> None:
        with app.app_context():
            barrier.wait()
            for i, payload in enumerate(payloads[user_id]):
                for _repeat in range(2 if i % 5 == 0 else 1):
                    try:
                        context = learning_context(db.session.get(User, user_id), cohort_id)
                        services.submit(context, "day-2", payload, ANSWERS)
                        db.session.commit()
                        with lock:
                            sent[0] += 1
                    except (ServiceError, Exception) as exc:  # noqa: BLE001 - counted, reported
                        db.session.rollback()
                        errors.append(f"{type(exc).__name__}: {exc}")
            db.session.remove()

    threads = [threading.Thread(target=writer, args=(u,)) for u in users]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    with app.app_context():
        rows = db.session.execute(
            text(
                "SELECT e.user_id, count(*), count(DISTINCT a.token), min(a.number), max(a.number) "
                "FROM quiz_attempts a JOIN enrolments e ON e.id = a.enrolment_id GROUP BY e.user_id"
            )
        ).all()
        db.session.remove()
    attempts = sum(r[1] for r in rows)
    duplicates = sum(r[1] - r[2] for r in rows)
    gaps = sum(1 for r in rows if (r[3], r[4]) != (1, r[1]))
    return {
        "requests": sent[0],
        "elapsed": elapsed,
        "attempts": attempts,
        "expected": WRITERS * PER_WRITER,
        "duplicates": duplicates,
        "gaps": gaps,
        "errors": errors,
    }


def baseline(url: str) -> float:
    """Same threads, one bare INSERT per transaction (BEGIN IMMEDIATE on SQLite)."""
    engine = create_engine(url, connect_args={"timeout": 30} if url.startswith("sqlite") else {})
    if url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _connect(dbapi, _record):
            dbapi.isolation_level = None
            dbapi.execute("PRAGMA journal_mode=WAL")
            dbapi.execute("PRAGMA synchronous=NORMAL")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_rows"))
        conn.execute(
            text("CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, writer INTEGER, n INTEGER)")
        )
    barrier = threading.Barrier(WRITERS)
    ids = iter(range(1, 10**9))
    lock = threading.Lock()

    def writer(w: int) -> None:
        barrier.wait()
        for n in range(PER_WRITER):
            with lock:
                row_id = next(ids)
            with engine.begin() as conn:
                conn.execute(
                    text("INSERT INTO bench_rows VALUES (:i, :w, :n)"),
                    {"i": row_id, "w": w, "n": n},
                )

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_rows"))
    engine.dispose()
    return WRITERS * PER_WRITER / elapsed


def report(name: str, url: str, instance: str) -> dict:
    app, cohort_id, users = _prepare(url, instance)
    figures = run_submissions(app, cohort_id, users)
    with app.app_context():
        from lms.extensions import db

        db.engine.dispose()
    rate = figures["requests"] / figures["elapsed"]
    print(
        f"{name}: {figures['requests']} submissions ({figures['expected']} distinct tokens, every 5th sent twice) "
        f"by {WRITERS} writers in {figures['elapsed']:.2f} s = {rate:.0f} submissions/s"
    )
    print(
        f"{name}: attempts stored {figures['attempts']} (expected {figures['expected']}), duplicates "
        f"{figures['duplicates']}, numbering gaps {figures['gaps']}, errors {len(figures['errors'])}"
        + (f" e.g. {figures['errors'][0]}" if figures["errors"] else "")
    )
    bare = baseline(url)
    print(f"{name}: baseline bare INSERT per transaction, same writers: {bare:.0f} rows/s")
    lost = figures["attempts"] != figures["expected"] or figures["duplicates"] or figures["gaps"]
    row = figure(f"quiz submissions/s {name} ({WRITERS} writers)", rate, bare, 0.6, "ratio")
    row["ok"] = row["ok"] and not lost
    return row


def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        figures = [report("SQLite", f"sqlite:///{tmp}/bench.sqlite3", tmp)]
        try:
            create_engine(PG_URL).connect().close()
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL: skipped ({type(exc).__name__}); set BENCH_POSTGRES_URL")
            return figures
        figures.append(report("PostgreSQL", PG_URL, tmp))
        return figures
