"""The report's numbers, from the report counters (`reports.counters`) and small tables.

Enrolled, started, completed, certificates, the funnel, quiz standings and distributions,
knowledge gain and its concepts, profile groups and months are counter totals kept by the
database in the write's own statement (`reports.counting`); per-question rates come from
`question_stats`; the median days to complete is one narrow indexed query. Withdrawn
enrolments are left out everywhere except per-question counts (a first attempt stays a
first attempt).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from lms.attendance.models import Attendance, ClassSession
from lms.clock import utcnow_naive
from lms.cohorts.models import Enrolment, EnrolmentStatus
from lms.extensions import db
from lms.reports import counting, stats
from lms.reports.counters import Counters
from lms.reports.models import CompletionDays, QuestionStat

ACTIVE = Enrolment.status != EnrolmentStatus.WITHDRAWN
BUCKETS = [(0, 20), (20, 40), (40, 60), (60, 80), (80, 101)]  # as `counting.BUCKET_EDGES`


def _in(cohort_ids: list[int]):
    return Enrolment.cohort_id.in_(cohort_ids) & ACTIVE


def counts(counters: Counters) -> dict[str, int]:
    return {
        name: counters.get(name)
        for name in ("enrolled", "withdrawn", "started", "completed", "certificates")
    }


def median_days_to_complete(cohort_ids: list[int], counters: Counters) -> float | None:
    """The exact median, so it needs per-person data: one narrow indexed query over the
    completers' days (`completion_days`, kept by the counter triggers), reading the middle
    one or two rows of the index after skipping to them."""
    count = counters.get("completed")
    if not count:
        return None
    middle = list(
        db.session.scalars(
            select(CompletionDays.days)
            .where(CompletionDays.cohort_id.in_(cohort_ids))
            .order_by(CompletionDays.days)
            .offset((count - 1) // 2)
            .limit(2 - count % 2)
        )
    )
    return round(float(sum(Decimal(str(v)) for v in middle) / len(middle)), 2)


def funnel(days: list[int], counters: Counters) -> list[dict]:
    """Per day: reached (did a lesson or tried its quiz) and finished (required lessons done
    and, when the day has one, its quiz passed)."""
    return [
        {
            "day": d,
            "reached": counters.get("reached", str(d)),
            "finished": counters.get("finished", str(d)),
        }
        for d in days
    ]


def quiz_stats(quiz_keys: list[str], counters: Counters) -> dict[str, dict]:
    """Per quiz: takers, passed, mean best score, distribution of best scores."""
    stats = {}
    for key in quiz_keys:
        takers = counters.get("takers", key)
        total = counters.exact("best", key)
        stats[key] = {
            "takers": takers,
            "passed": counters.get("passed", key),
            "distribution": [counters.get("bucket", f"{key}:{i}") for i in range(len(BUCKETS))],
            "mean_best": round(float(total / takers), 1) if takers else None,
        }
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


def _r(value, places: int = 2):
    return round(float(value), places) if value is not None else None


def _gain_entry(counters: Counters) -> dict:
    n = counters.get("gain.n")
    paired = stats.paired_mean(
        n,
        float(counters.exact("gain.diff")),
        float(counters.exact("gain.diff2", scale=10000)),
    )
    mean_pre = _r(counters.exact("gain.pre") / n) if n else None
    mean_post = _r(counters.exact("gain.post") / n) if n else None
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


def knowledge_gain(counters: Counters) -> dict:
    """Mean of per-trainee post minus pre with its paired-t 95% interval, the normalised
    gain (mean post - mean pre) / (100 - mean pre), and per concept the share correct, all
    over trainees with both tests (first attempts): from the counters' sums (n, sums of
    pre, post, post - pre and its square; per question answers and points)."""
    gain = _gain_entry(counters)
    per_concept: dict[str, dict] = {}
    for test in ("pre", "post"):
        for question, answers in counters.labels(f"{test}.n"):
            average = counters.exact(f"{test}.points", question, scale=10000) / answers
            per_concept.setdefault(question, {})[test] = round(float(average) * 100, 1)
    gain["concepts"] = dict(sorted(per_concept.items()))
    return gain


def knowledge_gain_by_cohort(by_cohort: dict[int, Counters]) -> dict[int, dict]:
    """The same figures as `knowledge_gain`, one entry per cohort that has trainees with both."""
    return {
        cohort_id: _gain_entry(counters)
        for cohort_id, counters in by_cohort.items()
        if counters.get("gain.n")
    }


DIMENSIONS = counting.DIMENSIONS


def breakdown(dimension: str, counters: Counters) -> list[tuple[str, int, int]]:
    """(group, enrolled, completed) for trainees who agreed to share their profile (language
    needs no consent), in the database's order of the groups."""
    if dimension not in DIMENSIONS:
        raise KeyError(dimension)
    return [
        (label, enrolled, counters.get(f"{dimension}.done", label))
        for label, enrolled in counters.labels(dimension)
        if enrolled > 0
    ]


def attendance(cohort_ids: list[int], by_cohort: dict[int, Counters]) -> dict | None:
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
    active = {cohort_id: by_cohort[cohort_id].get("enrolled") for cohort_id in held}
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
