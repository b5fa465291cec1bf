"""One writer process of `bench/quiz_submissions.py`: real submissions and the baseline.

Started with multiprocessing's `spawn`, so each writer is a process of its own with its
own app, engine and connection, as gunicorn workers are. It waits for commands on a
queue: ("real", n) submits n fresh quiz pages through the service the quiz page posts to
(every 5th sent twice with the same token); ("baseline", n) writes the same rows as n
submissions in plain SQL; ("stop",) ends it. Each round starts at a barrier shared by
all writers and answers (start, end, attempts written, requests sent, errors), times from
the system-wide monotonic clock.
"""

from __future__ import annotations

import json
import random
import secrets
import time
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import create_engine, event, text
from werkzeug.datastructures import MultiDict

from lms import create_app
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.learning.pages import context_of, signed_in_row
from lms.quizzes import services
from lms.quizzes.snapshot import choice_order, snapshot

QUIZ = "day-2"
DAY = 2
# Alternately a pass (100%) and a fail (50%): a pass asks the completion rule as well.
ANSWERS = (
    MultiDict({"q-budget-savings": "800000", "q-emergency-fund": "1"}),
    MultiDict({"q-budget-savings": "800000", "q-emergency-fund": "0"}),
)


@dataclass(frozen=True)
class Writer:
    """Who one writer process is: its database, cohort and the two trainees it writes as."""

    url: str
    instance: str
    courses: str
    cohort_id: int
    real_user: int  # submits through the service
    base_user: int  # plain-SQL rows for the baseline
    base_enrolment: int


def app_config(url: str, instance: str, courses: str) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "INSTANCE_PATH": instance,
        "COURSES_DIR": courses,
        "SECRET_KEY": "bench-quiz-submissions",
        "RATELIMIT_ENABLED": False,
    }


def run_writer(writer: Writer, commands, results, barrier) -> None:
    """The process body: build the app, then obey commands until ("stop",)."""
    app = create_app(app_config(writer.url, writer.instance, writer.courses))
    real = RealPath(app, writer)
    baseline = PlainSQL(app, writer)
    while True:
        command = commands.get()
        if command[0] == "stop":
            break
        kind, count = command
        work = real.prepare(count) if kind == "real" else baseline.prepare(count)
        barrier.wait()
        start = time.monotonic()
        written, sent, errors = work()
        results.put((kind, start, time.monotonic(), written, sent, errors))
    baseline.engine.dispose()


class RealPath:
    """Submissions as the quiz page makes them: the signed-in user read with the page's
    context in one query (what Flask-Login's loader on the quiz page does), then
    `quizzes.submit` and one commit, each in an app context of its own (a fresh session,
    as a request has). HTTP parsing, CSRF and the redirect are left out on both sides."""

    def __init__(self, app, writer: Writer) -> None:
        self.app, self.writer = app, writer
        with app.app_context():
            user = db.session.get(User, writer.real_user)
            self.user = (user.id, user.session_version)
            db.session.rollback()

    def _context(self):
        return context_of(signed_in_row(*self.user, self.writer.cohort_id))

    def prepare(self, count: int):
        with self.app.app_context():
            context = self._context()
            payloads = [
                services.new_attempt_form(context, QUIZ, "en").payload for _ in range(count)
            ]
            db.session.rollback()

        def work() -> tuple[int, int, list[str]]:
            written = sent = 0
            errors: list[str] = []
            for i, payload in enumerate(payloads):
                for _repeat in range(2 if i % 5 == 0 else 1):
                    with self.app.app_context():
                        try:
                            services.submit(self._context(), QUIZ, payload, ANSWERS[i % 2])
                            db.session.commit()
                            sent += 1
                        except Exception as exc:  # noqa: BLE001 - counted and reported
                            db.session.rollback()
                            errors.append(f"{type(exc).__name__}: {exc}")
                written += 1
            return written, sent, errors

        return work


class PlainSQL:
    """The baseline: one transaction per submission writing the same rows as the service
    (the attempt with its questions as asked, one answer row per question, the enrolment's
    activity, the quiz result, first-attempt question counts and the day's row), in plain
    SQL through one connection, with nothing read first."""

    def __init__(self, app, writer: Writer) -> None:
        self.writer = writer
        self.engine = plain_engine(writer.url)
        self.postgres = writer.url.startswith("postgresql")
        with app.app_context():
            course = get_catalogue().get("online-safety-basics")
            quiz = course.quiz(QUIZ)
            self.questions = json.dumps(snapshot(quiz, choice_order(quiz, random.Random(1))))
            self.content_hash = course.content_hash
            day = course.day(DAY)
            self.required = sum(1 for lesson in day.lessons if lesson.required)
        self.number = 0

    def prepare(self, count: int):
        statements = _statements(self.postgres)

        def work() -> tuple[int, int, list[str]]:
            errors: list[str] = []
            with self.engine.connect() as conn:
                for i in range(count):
                    self.number += 1
                    passed = i % 2 == 0
                    try:
                        with conn.begin():
                            self._one(conn, statements, self.number, passed)
                    except Exception as exc:  # noqa: BLE001 - counted and reported
                        errors.append(f"{type(exc).__name__}: {exc}")
            return count, count, errors

        return work

    def _one(self, conn, statements: dict, number: int, passed: bool) -> None:
        w = self.writer
        now = utcnow_naive()
        number_type = Decimal if self.postgres else float  # pysqlite takes no Decimal
        points = [number_type(1), number_type(1 if passed else 0)]
        score = number_type(100 if passed else 50)
        attempt_id = conn.execute(
            statements["attempt"],
            {
                "e": w.base_enrolment,
                "q": QUIZ,
                "n": number,
                "t": secrets.token_urlsafe(24),
                "l": "en",
                "h": self.content_hash,
                "qs": self.questions,
                "a": json.dumps({"budget-savings": "800000", "emergency-fund": int(passed)}),
                "r": json.dumps({"budget-savings": "1", "emergency-fund": str(points[1])}),
                "p": sum(points),
                "m": 2,
                "s": score,
                "pm": 60,
                "ok": passed,
                "st": now,
                "at": now,
            },
        ).scalar_one()
        first = number == 1
        conn.execute(
            statements["answers"],
            {
                "a": attempt_id,
                "e": w.base_enrolment,
                "q": QUIZ,
                "q1": "budget-savings",
                "q2": "emergency-fund",
                "f": first,
                "p1": points[0],
                "p2": points[1],
            },
        )
        conn.execute(statements["touch"], {"e": w.base_enrolment, "at": now})
        conn.execute(
            statements["result"],
            {"e": w.base_enrolment, "c": w.cohort_id, "q": QUIZ, "s": score, "ok": passed},
        )
        if first:
            conn.execute(
                statements["questions"],
                {"c": w.cohort_id, "q": QUIZ, "p1": points[0], "p2": points[1]},
            )
        conn.execute(
            statements["day_passed" if passed else "day"],
            {"e": w.base_enrolment, "c": w.cohort_id, "d": DAY, "req": self.required, "q": QUIZ},
        )


def _statements(postgres: bool) -> dict:
    json_value = "CAST({} AS JSON)" if postgres else "{}"
    true = "true" if postgres else "1"
    passed_now = "(SELECT passed FROM quiz_results WHERE enrolment_id = :e AND quiz_key = :q)" + (
        " IS true" if postgres else " IS 1"
    )
    day = (
        "INSERT INTO day_progress (enrolment_id, cohort_id, day, lessons_done, finished) "
        "VALUES (:e, :c, :d, 0, 0 >= :req AND {ok}) ON CONFLICT (enrolment_id, day) "
        "DO UPDATE SET lessons_done = day_progress.lessons_done + 0, "
        "finished = day_progress.lessons_done + 0 >= :req AND {ok}"
    )
    return {
        "attempt": text(
            "INSERT INTO quiz_attempts (enrolment_id, quiz_key, number, token, language, "
            "content_hash, questions, answers, results, points, max_points, score, pass_mark, "
            "passed, started_at, submitted_at) VALUES (:e, :q, :n, :t, :l, :h, "
            f"{json_value.format(':qs')}, {json_value.format(':a')}, "
            f"{json_value.format(':r')}, :p, :m, :s, :pm, :ok, :st, :at) RETURNING id"
        ),
        "answers": text(
            "INSERT INTO attempt_answers (attempt_id, enrolment_id, quiz_key, question_id, "
            "first_attempt, points) VALUES (:a, :e, :q, :q1, :f, :p1), (:a, :e, :q, :q2, :f, :p2)"
        ),
        "touch": text("UPDATE enrolments SET last_active_at = :at WHERE id = :e"),
        "result": text(
            "INSERT INTO quiz_results (enrolment_id, cohort_id, quiz_key, attempts, best, "
            "first_score, passed) VALUES (:e, :c, :q, 1, :s, :s, :ok) "
            "ON CONFLICT (enrolment_id, quiz_key) DO UPDATE SET "
            "attempts = quiz_results.attempts + 1, "
            "best = CASE WHEN quiz_results.best < :s THEN :s ELSE quiz_results.best END, "
            "passed = quiz_results.passed OR :ok"
        ),
        "questions": text(
            "INSERT INTO question_stats (cohort_id, quiz_key, question_id, answers, points) "
            "VALUES (:c, :q, 'budget-savings', 1, :p1), (:c, :q, 'emergency-fund', 1, :p2) "
            "ON CONFLICT (cohort_id, quiz_key, question_id) DO UPDATE SET "
            "answers = question_stats.answers + excluded.answers, "
            "points = question_stats.points + excluded.points"
        ),
        "day": text(day.format(ok=passed_now)),
        "day_passed": text(day.format(ok=true)),
    }


def plain_engine(url: str):
    """An engine as a careful plain-SQL writer would set it up: on SQLite WAL,
    synchronous=NORMAL, a busy timeout and BEGIN IMMEDIATE (as lms/db.py does)."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=1)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi, _record) -> None:
        dbapi.isolation_level = None
        dbapi.execute("PRAGMA journal_mode=WAL")
        dbapi.execute("PRAGMA foreign_keys=ON")
        dbapi.execute("PRAGMA synchronous=NORMAL")
        dbapi.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
