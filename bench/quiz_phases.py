"""Where a quiz submission's time goes, in one process: `python -m bench.quiz_phases [pg]`.

Not a budget (that is `bench/quiz_submissions.py`, 8 processes): the explanation of its
ratio. One writer submits the day-2 quiz as `bench/quiz_writers.RealPath` does, and each
phase is timed around the real functions (the read of the user with the page's data,
building the context, `quizzes.submit` with its storage and subscribers, the commit),
next to the plain-SQL baseline writing the same rows in the same process. Microseconds
per submission, medians of 5 rounds of 300; the phases inside `submit` are nested in it.
"""

from __future__ import annotations

import functools
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from bench import quiz_writers  # noqa: E402
from bench.quiz_submissions import COURSES, PG_URL, _prepare, _schema_url  # noqa: E402
from lms import create_app  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.learning.pages import context_of, signed_in_row  # noqa: E402
from lms.quizzes import services, storage  # noqa: E402

ROUNDS, PER_ROUND = 5, 300
NESTED = {"storage.store", "touch", "publish", "grading and signature"}


def _timed(totals: Counter, label: str, function):
    @functools.wraps(function)
    def timed(*args, **kwargs):
        began = time.perf_counter_ns()
        try:
            return function(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter_ns() - began

    return timed


def _instrument(app, totals: Counter) -> None:
    storage_store = storage.store
    services.storage.store = _timed(totals, "storage.store", storage_store)
    services.touch = _timed(totals, "touch", services.touch)
    services.publish = _timed(totals, "publish", services.publish)
    for name in ("grade_question", "_serializer", "snapshot", "_read_answers"):
        setattr(services, name, _timed(totals, "grading and signature", getattr(services, name)))
    dispatcher = app.extensions["lms.events"]
    for handlers in dispatcher._handlers.values():
        for index, handler in enumerate(handlers):
            label = f"  subscriber {handler.__module__.removeprefix('lms.')}"
            handlers[index] = _timed(totals, label, handler)


def _round(app, real: quiz_writers.RealPath, totals: Counter) -> float:
    with app.app_context():
        context = real._context()
        payloads = [
            services.new_attempt_form(context, quiz_writers.QUIZ, "en").payload
            for _ in range(PER_ROUND)
        ]
        db.session.rollback()
    began = time.perf_counter_ns()
    for i, payload in enumerate(payloads):
        moments = [time.perf_counter_ns()]
        with app.app_context():
            row = signed_in_row(*real.user, real.writer.cohort_id)
            moments.append(time.perf_counter_ns())
            context = context_of(row)
            moments.append(time.perf_counter_ns())
            services.submit(context, quiz_writers.QUIZ, payload, quiz_writers.ANSWERS[i % 2])
            moments.append(time.perf_counter_ns())
            db.session.commit()
            moments.append(time.perf_counter_ns())
        moments.append(time.perf_counter_ns())
        for label, start, end in zip(
            ("read user and page data", "context", "submit", "commit", "app context"),
            moments,
            moments[1:],
            strict=False,
        ):
            totals[label] += end - start
    return (time.perf_counter_ns() - began) / PER_ROUND / 1000


def main(postgres: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, schema = f"sqlite:///{tmp}/phases.sqlite3", None
        if postgres:
            schema = f"bench_phases_{os.getpid()}"
            with create_engine(PG_URL).begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            url = _schema_url(PG_URL, schema)
        try:
            writer = _prepare(url, tmp)[0]
            app = create_app(quiz_writers.app_config(url, tmp, COURSES))
            real = quiz_writers.RealPath(app, writer)
            baseline = quiz_writers.PlainSQL(app, writer)
            totals: Counter = Counter()
            _round(app, real, Counter())  # warm: caches, prepared statements
            _instrument(app, totals)
            reals, bases = [], []
            for _ in range(ROUNDS):
                reals.append(_round(app, real, totals))
                work = baseline.prepare(PER_ROUND)
                began = time.perf_counter_ns()
                work()
                bases.append((time.perf_counter_ns() - began) / PER_ROUND / 1000)
            baseline.engine.dispose()
        finally:
            if schema:
                with create_engine(PG_URL).begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    name = "PostgreSQL" if postgres else "SQLite"
    count = ROUNDS * PER_ROUND
    print(f"{name}, one process: real path {statistics.median(reals):.0f} us a submission, "
          f"plain SQL {statistics.median(bases):.0f} us (medians of {ROUNDS} rounds of "
          f"{PER_ROUND}); phases, us a submission (indented: inside the line above):")  # fmt: skip
    for label in ("read user and page data", "context", "submit", "commit", "app context"):
        print(f"  {label:40s} {totals[label] / count / 1000:7.1f}")
        if label != "submit":
            continue
        for inner in sorted(NESTED, key=lambda k: -totals[k]):
            print(f"    {inner:38s} {totals[inner] / count / 1000:7.1f}")
            if inner == "publish":
                for sub in sorted(
                    (k for k in totals if k.startswith("  ")), key=lambda k: -totals[k]
                ):
                    print(f"    {sub:38s} {totals[sub] / count / 1000:7.1f}")


if __name__ == "__main__":
    main("pg" in sys.argv[1:])
