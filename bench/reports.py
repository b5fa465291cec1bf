"""The sponsor report at 10,000 and 100,000 enrolments, on SQLite and PostgreSQL.

Generates two cohorts of the flagship course in one database (10k and 100k enrolments by
default; BENCH_ENROLMENTS sets the large one, the small one is a tenth of it), each with
realistic drop-off (each trainee stops after a random number of lessons, skewed towards
the start), quiz attempts with a mix of passes and fails, pre/post-tests for about half,
and certificates for completers; bulk inserts, then `summaries.rebuild` computes the
summaries and report counters from those raw rows. Then times `cohort_report` (every
figure: counts, median, funnel, quiz distributions, hardest questions, knowledge gain,
breakdowns, trend) on both cohorts in interleaved rounds and prints the medians.
Budgets: under 0.2 s at 100k, and 100k at most 2x 10k (summaries, not scans).

PostgreSQL runs in its own schema (`bench_reports`, or BENCH_PG_SCHEMA; created and
dropped here), never the shared `public` one; BENCH_POSTGRES_URL names the database.
BENCH_REPORT_DATABASES=sqlite (or postgresql) runs one of the two.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, text

from bench.table import figure
from lms import create_app
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.permissions import SYSTEM
from lms.progress.models import LessonCompletion
from lms.quizzes.models import AttemptAnswer, QuizAttempt
from lms.reports.services import cohort_report
from lms.reports.summaries import rebuild

try:
    from lms.reports import counting
except ImportError:  # a revision from before the counters (measuring "before")
    counting = None

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("BENCH_ENROLMENTS", "100000"))
SMALL = max(1, SIZE // 10)
ROUNDS = int(os.environ.get("BENCH_REPORT_ROUNDS", "7"))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
DATABASES = os.environ.get("BENCH_REPORT_DATABASES", "sqlite,postgresql").split(",")
PG_SCHEMA = os.environ.get("BENCH_PG_SCHEMA", "bench_reports")
CHUNK = 20000
REPORT_BUDGET_S = 0.2
RATIO_BUDGET = 2.0
COURSE = "money-smart-creators"
# Only this benchmark's own tables (a bare ANALYZE on PostgreSQL would visit every schema).
ANALYSED = ("enrolments", "users", "certificates", "lesson_completions", "quiz_attempts",
            "attempt_answers", "day_progress", "quiz_results", "question_stats")  # fmt: skip


def _chunks(rows):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def generate(app, size: int, first: int, code: str) -> int:
    """One cohort of `size` enrolments, people numbered from `first`; its id."""
    rng = random.Random(size)
    with app.app_context():
        course = get_catalogue().get(COURSE)
        lessons = [lesson.slug for lesson in course.lessons]
        quiz_after = {day.lessons[-1].slug: day.quiz for day in course.days}
        cohort = Cohort(
            course_slug=COURSE,
            name=f"Bench {_label(size)}",
            start_date=date(2026, 1, 1),
            timezone="Asia/Karachi",
            pacing="self",
            join_code=code,
            country="PK",
        )
        db.session.add(cohort)
        db.session.commit()
        start = datetime(2026, 1, 1, 8)
        users, enrolments, completions, attempts, answers, certificates = [], [], [], [], [], []
        attempt_id = first * 100
        for n in range(first, first + size):
            users.append(
                {
                    "id": n,
                    "email": f"t{n}@bench.example",
                    "name": f"Trainee {n}",
                    "role": "trainee",
                    "language": rng.choice(["ur", "id", "en"]),
                    "active": True,
                    "session_version": 1,
                    "created_at": start,
                    "profile_consent": n % 3 == 0,
                    "gender": rng.choice(["female", "male"]) if n % 3 == 0 else None,
                    "district": f"District {n % 40}" if n % 3 == 0 else None,
                }
            )
            done = min(len(lessons), int(rng.betavariate(1.2, 0.9) * (len(lessons) + 3)))
            completed = done == len(lessons)
            enrolments.append(
                {
                    "id": n,
                    "cohort_id": cohort.id,
                    "user_id": n,
                    "joined_at": start,
                    "status": "completed"
                    if completed
                    else ("withdrawn" if n % 50 == 0 else "active"),
                    "completed_at": start + timedelta(days=rng.randint(4, 20))
                    if completed
                    else None,
                    "last_active_at": start + timedelta(days=rng.randint(0, 20)),
                }
            )
            for index, slug in enumerate(lessons[:done]):
                completions.append(
                    {
                        "enrolment_id": n,
                        "lesson_slug": slug,
                        "completed_at": start + timedelta(hours=index),
                    }
                )
                quiz = quiz_after.get(slug)
                keys = [quiz] if quiz else []
                if index == 0 and n % 2 == 0 and course.pre_test:
                    keys.insert(0, course.pre_test)
                if completed and index == done - 1 and n % 2 == 0 and course.post_test:
                    keys.append(course.post_test)
                for quiz in keys:
                    tries = 1 if quiz.key.endswith("test") else rng.choice([1, 1, 1, 2, 3])
                    for number in range(1, tries + 1):
                        attempt_id += 1
                        last = number == tries
                        results = {
                            q.id: (1 if (last or rng.random() < 0.4) and rng.random() < 0.85 else 0)
                            for q in quiz.questions
                        }
                        score = round(100 * sum(results.values()) / len(results), 2)
                        attempts.append(
                            {
                                "id": attempt_id,
                                "enrolment_id": n,
                                "quiz_key": quiz.key,
                                "number": number,
                                "token": f"b{attempt_id}",
                                "language": "en",
                                "content_hash": course.content_hash,
                                "questions": [],
                                "answers": {},
                                "results": {},
                                "points": sum(results.values()),
                                "max_points": len(results),
                                "score": score,
                                "pass_mark": quiz.pass_mark,
                                "passed": score >= quiz.pass_mark,
                                "submitted_at": start,
                            }
                        )
                        answers.extend(
                            {
                                "attempt_id": attempt_id,
                                "enrolment_id": n,
                                "quiz_key": quiz.key,
                                "question_id": q,
                                "first_attempt": number == 1,
                                "points": p,
                            }
                            for q, p in results.items()
                        )
            if completed:
                certificates.append(
                    {
                        "code": f"C{n:015d}",
                        "enrolment_id": n,
                        "holder_name": f"Trainee {n}",
                        "course_slug": COURSE,
                        "course_title": "x",
                        "content_hash": "x",
                        "cohort_name": "Bench",
                        "issuer": "x",
                        "title": "x",
                        "signatories": [],
                        "language": "en",
                        "completed_at": start,
                        "issued_at": start,
                        "status": "valid",
                    }
                )
        for model, rows in [
            (User, users),
            (Enrolment, enrolments),
            (LessonCompletion, completions),
            (QuizAttempt, attempts),
            (AttemptAnswer, answers),
            (Certificate, certificates),
        ]:
            for chunk in _chunks(rows):
                db.session.execute(insert(model), chunk)
            db.session.commit()
        started = time.perf_counter()
        rebuild(cohort.id, course)
        db.session.commit()
        print(
            f"  {_label(size)}: summaries and counters rebuilt from the raw rows in "
            f"{time.perf_counter() - started:.1f} s"
        )
        print(
            f"  {_label(size)}: generated {len(enrolments)} enrolments, {len(completions)} lesson completions, "
            f"{len(attempts)} attempts, {len(answers)} answers, {len(certificates)} certificates"
        )
        return cohort.id


def _triggers(app, create: bool) -> None:
    """Bulk loading runs without the counter triggers; the rebuild counts from scratch.
    (On SQLite the rebuild itself drops and creates them again, so creating drops first.)"""
    if counting is None:  # measuring a revision from before the counters
        return
    with app.app_context():
        dialect = db.engine.dialect.name
        statements = counting.drop_triggers(dialect)
        if create:
            statements += counting.create_triggers(dialect)
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()


def _report_once(cohort_id: int) -> float:
    start = time.perf_counter()
    cohort_report(SYSTEM, cohort_id)
    elapsed = time.perf_counter() - start
    db.session.rollback()
    return elapsed


def time_reports(app, cohorts: dict[int, int]) -> dict[int, float]:
    """Median seconds per cohort report, the sizes interleaved round by round."""
    times: dict[int, list[float]] = {size: [] for size in cohorts}
    with app.app_context():
        for cohort_id in cohorts.values():
            _report_once(cohort_id)  # warm caches (course, statements)
        for _round in range(ROUNDS):
            for size, cohort_id in cohorts.items():
                times[size].append(_report_once(cohort_id))
        report = cohort_report(SYSTEM, cohorts[max(cohorts)])
        db.session.rollback()
    medians = {size: statistics.median(values) for size, values in times.items()}
    for size, values in times.items():
        print(
            f"  report at {_label(size)}: median {medians[size] * 1000:.1f} ms "
            f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f}, {ROUNDS} rounds)"
        )
    print(
        f"  at {_label(max(cohorts))}: completion rate {report.completion_rate}%, "
        f"funnel {[(s['reached'], s['finished']) for s in report.funnel]}"
    )
    return medians


def run(name: str, url: str, instance: str) -> list[dict]:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "COURSES_DIR": str(ROOT / "courses"),
        }
    )
    print(f"{name}:")
    started = time.perf_counter()
    with app.app_context():
        upgrade()
    _triggers(app, create=False)
    cohorts = {
        SMALL: generate(app, SMALL, 1, "BENCHS"),
        SIZE: generate(app, SIZE, SMALL + 1, "BENCHL"),
    }
    _triggers(app, create=True)
    with app.app_context(), db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        vacuum = "VACUUM ANALYZE" if db.engine.dialect.name == "postgresql" else "ANALYZE"
        for table in ANALYSED:
            if db.engine.dialect.name == "postgresql" or table == ANALYSED[0]:
                target = table if db.engine.dialect.name == "postgresql" else ""
                connection.execute(text(f"{vacuum} {target}".strip()))
        if counting is not None and db.engine.dialect.name == "postgresql":
            for table in (counting.TABLE, counting.DAYS_TABLE):
                connection.execute(text(f"VACUUM ANALYZE {table}"))
    print(f"  generation took {time.perf_counter() - started:.0f} s")
    medians = time_reports(app, cohorts)
    with app.app_context():
        db.engine.dispose()
    small, large = medians[SMALL], medians[SIZE]
    return [
        figure(f"report s at {_label(SMALL)}, {name}", small, None, REPORT_BUDGET_S, "max"),
        figure(f"report s <0.2 s at {_label(SIZE)}, {name}", large, small, REPORT_BUDGET_S, "max"),
        figure(
            f"report {_label(SIZE)} <= 2x {_label(SMALL)}, {name}",
            large / small,
            None,
            RATIO_BUDGET,
            "max",
        ),
    ]


def _pg_schema(create: bool) -> None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE'))
        if create:
            connection.execute(text(f'CREATE SCHEMA "{PG_SCHEMA}"'))
    engine.dispose()


def main() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        figures = []
        if "sqlite" in DATABASES:
            figures = run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", tmp)
        if "postgresql" not in DATABASES:
            return figures
        try:
            create_engine(PG_URL).connect().close()
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL: skipped ({type(exc).__name__})")
            return figures
        _pg_schema(create=True)
        try:
            separator = "&" if "?" in PG_URL else "?"
            url = f"{PG_URL}{separator}options=-csearch_path%3D{PG_SCHEMA}"
            figures += run("PostgreSQL", url, tmp)
        finally:
            _pg_schema(create=False)
        return figures
