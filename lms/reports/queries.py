"""The report's numbers, each one SQL aggregate over small tables.

Counts come from enrolments; the funnel, quiz standings and question rates from the
summary rows kept by `reports.summaries`. Withdrawn enrolments are left out everywhere
except per-question counts (a first attempt stays a first attempt).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.sql import ColumnElement

from lms.attendance.models import Attendance, ClassSession
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.clock import utcnow_naive
from lms.cohorts.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.quizzes.models import AttemptAnswer
from lms.reports import stats
from lms.reports.models import DayProgress, QuestionStat, QuizResult

ACTIVE = Enrolment.status != EnrolmentStatus.WITHDRAWN
BUCKETS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]


def _in(cohort_ids: list[int]) -> ColumnElement:
    return and_(Enrolment.cohort_id.in_(cohort_ids), ACTIVE)


def _withdrawn(cohort_ids: list[int]):
    return select(Enrolment.id).where(
        Enrolment.cohort_id.in_(cohort_ids), Enrolment.status == EnrolmentStatus.WITHDRAWN
    )


def counts(cohort_ids: list[int]) -> dict[str, int]:
    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    enrolled, withdrawn, completed, started = db.session.execute(
        select(
            total(ACTIVE),
            total(Enrolment.status == EnrolmentStatus.WITHDRAWN),
            total(Enrolment.status == EnrolmentStatus.COMPLETED),
            total(and_(ACTIVE, Enrolment.started_at.is_not(None))),
        ).where(Enrolment.cohort_id.in_(cohort_ids))
    ).one()
    certificates = db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .join(Enrolment, Enrolment.id == Certificate.enrolment_id)
        .where(Enrolment.cohort_id.in_(cohort_ids), Certificate.status == "valid")
    )
    return {
        "enrolled": int(enrolled),
        "withdrawn": int(withdrawn),
        "started": int(started),
        "completed": int(completed),
        "certificates": int(certificates),
    }


def _days_to_complete() -> ColumnElement:
    if db.engine.dialect.name == "sqlite":
        return func.julianday(Enrolment.completed_at) - func.julianday(Enrolment.joined_at)
    return func.extract("epoch", Enrolment.completed_at - Enrolment.joined_at) / 86400.0


def median_days_to_complete(cohort_ids: list[int]) -> float | None:
    where = and_(Enrolment.cohort_id.in_(cohort_ids), Enrolment.status == EnrolmentStatus.COMPLETED)
    count = db.session.scalar(select(func.count()).select_from(Enrolment).where(where))
    if not count:
        return None
    days = _days_to_complete()
    middle = list(
        db.session.scalars(
            select(days).where(where).order_by(days).offset((count - 1) // 2).limit(2 - count % 2)
        )
    )
    return round(float(sum(Decimal(str(v)) for v in middle) / len(middle)), 2)


def funnel(cohort_ids: list[int], days: list[int]) -> list[dict]:
    """Per day: reached (did a lesson or tried its quiz) and finished (required lessons done
    and, when the day has one, its quiz passed)."""
    rows = db.session.execute(
        select(DayProgress.day, func.count(), func.sum(case((DayProgress.finished, 1), else_=0)))
        .where(
            DayProgress.cohort_id.in_(cohort_ids),
            DayProgress.enrolment_id.not_in(_withdrawn(cohort_ids)),
        )
        .group_by(DayProgress.day)
    ).all()
    by_day = {int(day): (int(reached), int(finished or 0)) for day, reached, finished in rows}
    return [
        {"day": d, "reached": by_day.get(d, (0, 0))[0], "finished": by_day.get(d, (0, 0))[1]}
        for d in days
    ]


def quiz_stats(cohort_ids: list[int], quiz_keys: list[str]) -> dict[str, dict]:
    """Per quiz: takers, passed, mean best score, distribution of best scores."""
    bucket = case(
        *(
            (and_(QuizResult.best >= low, QuizResult.best < high), i)
            for i, (low, high) in enumerate(BUCKETS)
        )
    )
    rows = db.session.execute(
        select(
            QuizResult.quiz_key,
            bucket,
            func.count(),
            func.sum(case((QuizResult.passed, 1), else_=0)),
            func.sum(QuizResult.best),
        )
        .where(
            QuizResult.cohort_id.in_(cohort_ids),
            QuizResult.quiz_key.in_(quiz_keys),
            QuizResult.enrolment_id.not_in(_withdrawn(cohort_ids)),
        )
        .group_by(QuizResult.quiz_key, bucket)
    ).all()
    stats = {
        key: {"takers": 0, "passed": 0, "total": Decimal(0), "distribution": [0] * len(BUCKETS)}
        for key in quiz_keys
    }
    for key, index, count, passed, total in rows:
        entry = stats[key]
        entry["takers"] += int(count)
        entry["passed"] += int(passed or 0)
        entry["total"] += Decimal(str(total or 0))
        entry["distribution"][int(index)] = int(count)
    for entry in stats.values():
        total = entry.pop("total")
        entry["mean_best"] = round(float(total / entry["takers"]), 1) if entry["takers"] else None
    return stats


def question_rates(
    cohort_ids: list[int], quiz_keys: list[str]
) -> dict[tuple[str, str], tuple[int, float]]:
    """(quiz, question) -> (first-attempt answers, share correct)."""
    rows = db.session.execute(
        select(
            QuestionStat.quiz_key,
            QuestionStat.question_id,
            func.sum(QuestionStat.answers),
            func.sum(QuestionStat.points),
        )
        .where(QuestionStat.cohort_id.in_(cohort_ids), QuestionStat.quiz_key.in_(quiz_keys))
        .group_by(QuestionStat.quiz_key, QuestionStat.question_id)
    ).all()
    return {
        (quiz, question): (int(n), round(float(Decimal(str(points)) / n), 4))
        for quiz, question, n, points in rows
        if n
    }


def _pairs(cohort_ids: list[int]):
    """Trainees with both a pre-test and a post-test (first attempts), one row each."""
    pre = QuizResult.__table__.alias("pre")
    post = QuizResult.__table__.alias("post")
    return (
        select(
            pre.c.enrolment_id,
            pre.c.cohort_id,
            pre.c.first_score.label("pre"),
            post.c.first_score.label("post"),
        )
        .join(post, and_(post.c.enrolment_id == pre.c.enrolment_id, post.c.quiz_key == "post-test"))
        .where(
            pre.c.cohort_id.in_(cohort_ids),
            pre.c.quiz_key == "pre-test",
            pre.c.enrolment_id.not_in(_withdrawn(cohort_ids)),
        )
        .subquery()
    )


def _r(value, places: int = 2):
    return round(float(value), places) if value is not None else None


def _gain_entry(n, mean_pre, mean_post, total, squares) -> dict:
    n = int(n or 0)
    paired = stats.paired_mean(n, float(total or 0), float(squares or 0))
    mean_pre, mean_post = _r(mean_pre), _r(mean_post)
    normalised = stats.normalised_gain(mean_pre, mean_post) if n else None
    return {
        "trainees": n,
        "mean_pre": mean_pre,
        "mean_post": mean_post,
        "mean_gain": _r(paired.mean),
        "ci_low": _r(paired.low),
        "ci_high": _r(paired.high),
        "normalised_gain": _r(normalised),
    }


def _gain_columns(pairs):
    difference = pairs.c.post - pairs.c.pre
    return (
        func.count(),
        func.avg(pairs.c.pre),
        func.avg(pairs.c.post),
        func.sum(difference),
        func.sum(difference * difference),
    )


def knowledge_gain(cohort_ids: list[int]) -> dict:
    """Mean of per-trainee post minus pre with its paired-t 95% interval, the normalised
    gain (mean post - mean pre) / (100 - mean pre), and per concept the share correct."""
    pairs = _pairs(cohort_ids)
    gain = _gain_entry(*db.session.execute(select(*_gain_columns(pairs))).one())
    concepts = db.session.execute(
        select(AttemptAnswer.question_id, AttemptAnswer.quiz_key, func.avg(AttemptAnswer.points))
        .where(
            AttemptAnswer.enrolment_id.in_(select(pairs.c.enrolment_id)),
            AttemptAnswer.quiz_key.in_(["pre-test", "post-test"]),
            AttemptAnswer.first_attempt.is_(True),
        )
        .group_by(AttemptAnswer.question_id, AttemptAnswer.quiz_key)
    ).all()
    per_concept: dict[str, dict] = {}
    for question, key, average in concepts:
        per_concept.setdefault(question, {})["pre" if key == "pre-test" else "post"] = round(
            float(average) * 100, 1
        )
    gain["concepts"] = per_concept
    return gain


def knowledge_gain_by_cohort(cohort_ids: list[int]) -> dict[int, dict]:
    """The same figures as `knowledge_gain`, one entry per cohort, in one query."""
    pairs = _pairs(cohort_ids)
    rows = db.session.execute(
        select(pairs.c.cohort_id, *_gain_columns(pairs)).group_by(pairs.c.cohort_id)
    ).all()
    return {int(row[0]): _gain_entry(*row[1:]) for row in rows}


DIMENSIONS = {
    "language": User.language,
    "gender": User.gender,
    "age_band": User.age_band,
    "district": User.district,
}


def breakdown(cohort_ids: list[int], dimension: str) -> list[tuple[str, int, int]]:
    """(group, enrolled, completed) for trainees who agreed to share their profile."""
    column = DIMENSIONS[dimension]
    consent = User.profile_consent.is_(True) if dimension != "language" else True
    rows = db.session.execute(
        select(
            column,
            func.count(),
            func.sum(case((Enrolment.status == EnrolmentStatus.COMPLETED, 1), else_=0)),
        )
        .join(User, User.id == Enrolment.user_id)
        .where(_in(cohort_ids), consent, column.is_not(None))
        .group_by(column)
        .order_by(column)
    ).all()
    return [(str(group), int(n), int(done or 0)) for group, n, done in rows]


def attendance(cohort_ids: list[int]) -> dict | None:
    """Attendance at in-person sessions held so far (started by now): the share of places
    taken, a place being one active trainee at one session of their cohort. None (shown as
    "not recorded") while no session has been held."""
    held_at = utcnow_naive()
    held = dict(
        db.session.execute(
            select(ClassSession.cohort_id, func.count())
            .where(ClassSession.cohort_id.in_(cohort_ids), ClassSession.starts_at <= held_at)
            .group_by(ClassSession.cohort_id)
        ).all()
    )
    if not held:
        return None
    active = dict(
        db.session.execute(
            select(Enrolment.cohort_id, func.count())
            .where(_in(list(held)))
            .group_by(Enrolment.cohort_id)
        ).all()
    )
    attended = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(ClassSession, ClassSession.id == Attendance.session_id)
        .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
        .where(_in(list(held)), ClassSession.starts_at <= held_at)
    )
    places = sum(int(n) * int(active.get(cohort_id, 0)) for cohort_id, n in held.items())
    return {
        "sessions": sum(int(n) for n in held.values()),
        "places": places,
        "attended": int(attended or 0),
        "rate": round(100 * int(attended or 0) / places, 1) if places else None,
    }
