"""Quiz submissions per second with 8 writer processes, against plain SQL writing the same
rows, with zero lost or duplicated attempts.

8 writers, each a separate process (multiprocessing `spawn`: its own app, engine and
connection, as gunicorn workers have), each a trainee submitting the unlimited day-2 quiz
of the sample course through the service the quiz page posts to (the user loaded as
Flask-Login does, the page's context, `quizzes.submit`: grading, one-time token, attempt
numbering, report summaries, completion check, outbox subscribers; one commit), every
5th submission sent twice with the same token. The baseline, in the same processes and
the same run, is one plain-SQL transaction per submission writing the same rows (attempt,
answers, the enrolment's activity, the three summary upserts) with nothing read first.
Rounds alternate real and baseline (ABBA), the figure is the median of the rounds.
Afterwards every trainee's attempts are checked: one per distinct token, numbered 1..n,
their quiz summary counting exactly n, no error.

SQLite on a file; PostgreSQL (BENCH_POSTGRES_URL, default the local `test` database) in a
schema of this run's own, created and dropped here, so parallel runs never collide.

Budget (DESIGN.md "Budgets"): at least 0.6x (goal 0.8x) the baseline on both databases,
zero lost, zero duplicated.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import tempfile
from datetime import date
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from bench.quiz_writers import QUIZ, Writer, app_config, run_writer
from bench.table import figure
from lms import create_app
from lms.auth import services as accounts
from lms.cohorts import services as cohorts
from lms.extensions import db
from lms.permissions import SYSTEM

WRITERS = 8
ROUNDS = int(os.environ.get("BENCH_QUIZ_ROUNDS", "6"))  # per kind, interleaved
PER_ROUND = int(os.environ.get("BENCH_QUIZ_PER_ROUND", "40"))  # distinct tokens per writer
BUDGET = 0.6
ROOT = Path(__file__).resolve().parent.parent
COURSES = str(ROOT / "courses")
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")


def _schema_url(url: str, schema: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def _prepare(url: str, instance: str) -> list[Writer]:
    """Migrate, then one cohort and two trainees per writer (real and baseline)."""
    app = create_app(app_config(url, instance, COURSES))
    with app.app_context():
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
        writers = []
        for n in range(WRITERS):
            ids = []
            for kind in ("real", "base"):
                user = accounts.create_user(
                    name=f"Writer {n} {kind}",
                    login=f"{kind}{n}@bench.example",
                    password=None,
                    actor=SYSTEM,
                )
                ids.append((user.id, cohorts.enrol(cohort, user, actor=SYSTEM)))
            db.session.flush()
            (real, _), (base, enrolment) = ids
            writers.append(Writer(url, instance, COURSES, cohort.id, real, base, enrolment.id))
        db.session.commit()
        db.engine.dispose()
    return writers


def _rounds(writers: list[Writer]) -> tuple[dict[str, list[float]], list[str], int]:
    """Run the interleaved rounds; (rates per kind, errors, requests sent by the real path)."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(writers))
    results = spawn.Queue()
    queues = [spawn.Queue() for _ in writers]
    processes = [
        spawn.Process(target=run_writer, args=(w, q, results, barrier), daemon=True)
        for w, q in zip(writers, queues, strict=True)
    ]
    for process in processes:
        process.start()
    rates: dict[str, list[float]] = {"real": [], "baseline": []}
    errors: list[str] = []
    sent = 0
    order = ["real", "baseline", "baseline", "real"]  # ABBA
    try:
        for n in range(ROUNDS * 2):
            kind = order[n % 4]
            for queue in queues:
                queue.put((kind, PER_ROUND))
            answers = [results.get(timeout=600) for _ in writers]
            start = min(a[1] for a in answers)
            end = max(a[2] for a in answers)
            rates[kind].append(sum(a[3] for a in answers) / (end - start))
            errors += [e for a in answers for e in a[5]]
            if kind == "real":
                sent += sum(a[4] for a in answers)
    finally:
        for queue in queues:
            queue.put(("stop",))
        for process in processes:
            process.join(timeout=60)
    return rates, errors, sent


def _check(url: str, writers: list[Writer]) -> dict:
    """Every trainee's attempts: count, distinct tokens, numbering, summary row."""
    expected = ROUNDS * PER_ROUND
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT e.user_id, count(a.id), count(DISTINCT a.token), min(a.number), "
                "max(a.number), (SELECT r.attempts FROM quiz_results r WHERE "
                "r.enrolment_id = e.id AND r.quiz_key = :q) "
                "FROM enrolments e LEFT JOIN quiz_attempts a ON a.enrolment_id = e.id "
                "AND a.quiz_key = :q GROUP BY e.id, e.user_id"
            ),
            {"q": QUIZ},
        ).all()
    engine.dispose()
    by_user = {r[0]: r for r in rows}
    real = [by_user[w.real_user] for w in writers]
    base = [by_user[w.base_user] for w in writers]
    return {
        "expected": expected * len(writers),
        "stored": sum(r[1] for r in real),
        "lost": sum(max(0, expected - r[2]) for r in real),
        "duplicated": sum(r[1] - r[2] for r in real) + sum(max(0, r[2] - expected) for r in real),
        "misnumbered": sum(1 for r in real if (r[3], r[4]) != (1, r[1])),
        "summary_off": sum(1 for r in real + base if (r[5] or 0) != r[1]),
        "baseline_stored": sum(r[1] for r in base),
    }


def report(name: str, url: str, instance: str) -> list[dict]:
    writers = _prepare(url, instance)
    rates, errors, sent = _rounds(writers)
    checked = _check(url, writers)
    real = statistics.median(rates["real"])
    bare = statistics.median(rates["baseline"])
    print(
        f"{name}: {WRITERS} writer processes, {ROUNDS} rounds of each kind interleaved (ABBA), "
        f"{PER_ROUND} distinct quiz pages per writer per round, every 5th sent twice"
    )
    print(
        f"{name}: real path (quizzes.submit) attempts/s per round: "
        + ", ".join(f"{r:.0f}" for r in rates["real"])
        + f"; median {real:.0f}"
    )
    print(
        f"{name}: baseline (plain SQL, same rows) attempts/s per round: "
        + ", ".join(f"{r:.0f}" for r in rates["baseline"])
        + f"; median {bare:.0f}; ratio {real / bare:.2f} (budget >= {BUDGET}, goal 0.8)"
    )
    print(
        f"{name}: {sent} requests sent for {checked['expected']} distinct tokens; attempts "
        f"stored {checked['stored']}, lost {checked['lost']}, duplicated "
        f"{checked['duplicated']}, misnumbered trainees {checked['misnumbered']}, summary "
        f"rows off {checked['summary_off']}, baseline rows {checked['baseline_stored']}, "
        f"errors {len(errors)}" + (f" e.g. {errors[0]}" if errors else "")
    )
    wrong = (
        checked["lost"]
        + checked["duplicated"]
        + checked["misnumbered"]
        + checked["summary_off"]
        + len(errors)
    )
    return [
        figure(f"quiz submissions/s {name} ({WRITERS} processes)", real, bare, BUDGET, "ratio"),
        figure(f"quiz attempts lost/duplicated/wrong {name}", wrong, None, 0, "max"),
    ]


def _postgres(tmp: str) -> list[dict]:
    schema = f"bench_quiz_{os.getpid()}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # noqa: BLE001 - no server: say so, skip
        print(f"PostgreSQL: skipped ({type(exc).__name__}); set BENCH_POSTGRES_URL")
        admin.dispose()
        return []
    try:
        return report("PostgreSQL", _schema_url(PG_URL, schema), tmp)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        figures = report("SQLite", f"sqlite:///{tmp}/bench.sqlite3", tmp)
        return figures + _postgres(tmp)
