"""The sponsor report over 100,000 enrolments, on SQLite and PostgreSQL.

Generates one cohort of the flagship course with realistic drop-off (each trainee stops
after a random number of lessons, skewed towards the start), quiz attempts with a mix of
passes and fails, pre/post-tests for about half, and certificates for completers; then
times `cohort_report` (every figure: counts, median, funnel, quiz distributions, hardest
questions, knowledge gain, breakdowns). Budget: under 1 s each. BENCH_ENROLMENTS changes
the size; BENCH_POSTGRES_URL the PostgreSQL database.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.table import figure

ROOT = Path(__file__).resolve().parent.parent
SIZE = int(os.environ.get("BENCH_ENROLMENTS", "100000"))
PG_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
CHUNK = 20000
REPORT_BUDGET_S = 0.2
COURSE = "money-smart-creators"


def _chunks(rows):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def generate(app) -> int:
    from flask_migrate import upgrade

    from lms.auth.models import User
    from lms.certificates.models import Certificate
    from lms.cohorts.models import Cohort, Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db
    from lms.progress.models import LessonCompletion
    from lms.quizzes.models import AttemptAnswer, QuizAttempt

    rng = random.Random(7)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        course = get_catalogue().get(COURSE)
        lessons = [lesson.slug for lesson in course.lessons]
        quiz_after = {day.lessons[-1].slug: day.quiz for day in course.days}
        cohort = Cohort(
            course_slug=COURSE,
            name="Bench",
            start_date=date(2026, 1, 1),
            timezone="Asia/Karachi",
            pacing="self",
            join_code="BENCH1",
            country="PK",
        )
        db.session.add(cohort)
        db.session.commit()
        start = datetime(2026, 1, 1, 8)
        users, enrolments, completions, attempts, answers, certificates = [], [], [], [], [], []
        attempt_id = 0
        for n in range(1, SIZE + 1):
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
        from lms.reports.summaries import rebuild

        started = time.perf_counter()
        rebuild(cohort.id, course)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"  summaries rebuilt from the raw rows in {time.perf_counter() - started:.1f} s")
        print(
            f"  generated {len(enrolments)} enrolments, {len(completions)} lesson completions, "
            f"{len(attempts)} attempts, {len(answers)} answers, {len(certificates)} certificates"
        )
        return cohort.id


def time_report(app, cohort_id: int) -> tuple[float, float]:
    from lms.extensions import db
    from lms.permissions import SYSTEM
    from lms.reports.services import cohort_report

    with app.app_context():
        cohort_report(SYSTEM, cohort_id)  # warm caches
        db.session.rollback()
        times = []
        for _ in range(3):
            start = time.perf_counter()
            report = cohort_report(SYSTEM, cohort_id)
            times.append(time.perf_counter() - start)
            db.session.rollback()
        baseline_start = time.perf_counter()
        db.session.execute(
            text("SELECT count(*) FROM enrolments WHERE cohort_id = :c"), {"c": cohort_id}
        ).scalar()
        baseline = time.perf_counter() - baseline_start
    print(
        f"  cohort report: best {min(times):.3f} s, worst {max(times):.3f} s (budget < 0.2 s); "
        f"baseline count(*) of enrolments {baseline * 1000:.1f} ms; completion rate {report.completion_rate}%, "
        f"funnel {[(s['reached'], s['finished']) for s in report.funnel]}"
    )
    return min(times), baseline


def run(name: str, url: str, instance: str) -> dict:
    from lms import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": instance,
            "COURSES_DIR": str(ROOT / "courses"),
        }
    )
    print(f"{name}:")
    started = time.perf_counter()
    cohort_id = generate(app)
    print(f"  generation took {time.perf_counter() - started:.0f} s")
    best, count_time = time_report(app, cohort_id)
    with app.app_context():
        from lms.extensions import db

        db.engine.dispose()
    return figure(f"cohort report s, {name}", best, count_time, REPORT_BUDGET_S, "max")


def main() -> list[dict]:
    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        figures = [run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", tmp)]
        try:
            create_engine(PG_URL).connect().close()
        except Exception as exc:  # noqa: BLE001
            print(f"PostgreSQL: skipped ({type(exc).__name__})")
            return figures
        figures.append(run("PostgreSQL", PG_URL, tmp))
        return figures
