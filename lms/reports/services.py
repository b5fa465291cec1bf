"""Building reports, with the permission rules: one service for page, CSV, JSON, PDF and CLI.

Sponsors see their organisation's cohorts, as aggregates only; instructors see their
own cohorts. Breakdown groups smaller than REPORT_MIN_GROUP (default 5) are hidden.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from flask import current_app
from sqlalchemy import select

from lms.auth.models import Organisation, User
from lms.cohorts.models import Cohort
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.permissions import NotFound, can_view_cohort_reports, ensure, require_role
from lms.reports import queries


@dataclass
class Report:
    title: str
    scope: str  # "cohort" or "organisation"
    cohorts: list[dict]
    enrolled: int
    withdrawn: int
    started: int
    completed: int
    certificates: int
    completion_rate: float | None
    median_days_to_complete: float | None
    funnel: list[dict] = field(default_factory=list)
    quizzes: list[dict] = field(default_factory=list)
    gain: dict = field(default_factory=dict)
    breakdowns: dict[str, list[dict]] = field(default_factory=dict)
    min_group: int = 5
    sponsor_sees_names: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _totals(cohort_ids: list[int]) -> dict:
    numbers = queries.counts(cohort_ids)
    numbers["completion_rate"] = _rate(numbers["completed"], numbers["enrolled"])
    numbers["median_days_to_complete"] = queries.median_days_to_complete(cohort_ids)
    return numbers


def _breakdowns(cohort_ids: list[int], min_group: int) -> dict[str, list[dict]]:
    result = {}
    for dimension in queries.DIMENSIONS:
        groups = []
        for group, enrolled, completed in queries.breakdown(cohort_ids, dimension):
            hidden = enrolled < min_group
            groups.append(
                {
                    "group": group if not hidden else None,
                    "enrolled": None if hidden else enrolled,
                    "completed": None if hidden else completed,
                    "completion_rate": None if hidden else _rate(completed, enrolled),
                    "hidden": hidden,
                }
            )
        hidden_groups = [g for g in groups if g["hidden"]]
        shown = [g for g in groups if not g["hidden"]]
        if hidden_groups:
            shown.append(
                {
                    "group": None,
                    "enrolled": None,
                    "completed": None,
                    "completion_rate": None,
                    "hidden": True,
                    "hidden_groups": len(hidden_groups),
                }
            )
        result[dimension] = shown
    return result


def _quizzes(cohort_ids: list[int], course, language: str) -> list[dict]:
    quizzes = course.quizzes()
    keys = [quiz.key for quiz in quizzes]
    stats = queries.quiz_stats(cohort_ids, keys)
    rates = queries.question_rates(cohort_ids, keys)
    result = []
    for quiz in quizzes:
        shown = quiz.in_language(language)
        questions = [
            {
                "id": q.id,
                "text": q.text,
                "answers": rates[(quiz.key, q.id)][0],
                "correct_rate": round(100 * rates[(quiz.key, q.id)][1], 1),
            }
            for q in shown.questions
            if (quiz.key, q.id) in rates
        ]
        entry = stats[quiz.key]
        result.append(
            {
                "key": quiz.key,
                "title": shown.title,
                "takers": entry["takers"],
                "passed": entry["passed"],
                "pass_rate": _rate(entry["passed"], entry["takers"]),
                "mean_best": entry["mean_best"],
                "distribution": [
                    {"range": f"{low}-{min(high, 100) if high < 101 else 100}", "count": count}
                    for (low, high), count in zip(
                        queries.BUCKETS, entry["distribution"], strict=True
                    )
                ],
                "hardest": sorted(questions, key=lambda q: (q["correct_rate"], q["id"]))[:3],
            }
        )
    return result


def _gain(cohort_ids: list[int], course, language: str) -> dict:
    gain = queries.knowledge_gain(cohort_ids)
    texts = {}
    if course is not None and course.post_test is not None:
        texts = {q.id: q.text for q in course.post_test.in_language(language).questions}
    gain["concepts"] = [
        {
            "id": concept,
            "text": texts.get(concept, concept),
            "pre": rates.get("pre"),
            "post": rates.get("post"),
        }
        for concept, rates in sorted(gain["concepts"].items())
    ]
    return gain


def cohort_report(actor: User, cohort_id: int, language: str = "en") -> Report:
    cohort = get_cohort(cohort_id)
    ensure(can_view_cohort_reports(actor, cohort))
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        raise NotFound()
    ids = [cohort.id]
    min_group = int(current_app.config.get("REPORT_MIN_GROUP", 5))
    titles = {day.number: day.title(language) for day in course.days}
    funnel = [{**step, "title": titles[step["day"]]} for step in queries.funnel(ids, list(titles))]
    return Report(
        title=f"{cohort.name}: {course.title(language)}",
        scope="cohort",
        cohorts=[_cohort_row(cohort)],
        **_totals(ids),
        funnel=funnel,
        quizzes=_quizzes(ids, course, language),
        gain=_gain(ids, course, language),
        breakdowns=_breakdowns(ids, min_group),
        min_group=min_group,
        sponsor_sees_names=cohort.sponsor_sees_names,
    )


def _cohort_row(cohort: Cohort) -> dict:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "course": cohort.course_slug,
        "start": cohort.start_date.isoformat(),
    }


def organisation_report(actor: User, organisation_id: int | None = None) -> Report:
    """Every cohort of the sponsor's organisation (an admin names the organisation)."""
    require_role(actor, "sponsor", "admin")
    if actor.role == "sponsor":
        organisation_id = actor.organisation_id
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise NotFound()
    cohorts = list(
        db.session.scalars(select(Cohort).where(Cohort.organisation_id == organisation.id))
    )
    ids = [c.id for c in cohorts]
    rows = []
    for cohort in cohorts:
        row = _cohort_row(cohort)
        row.update(_totals([cohort.id]))
        rows.append(row)
    min_group = int(current_app.config.get("REPORT_MIN_GROUP", 5))
    return Report(
        title=organisation.name,
        scope="organisation",
        cohorts=rows,
        **_totals(ids),
        gain=_gain(ids, _any_course(cohorts), "en") if cohorts else {},
        breakdowns=_breakdowns(ids, min_group),
        min_group=min_group,
    )


def _any_course(cohorts: list[Cohort]):
    for cohort in cohorts:
        course = get_catalogue().get(cohort.course_slug)
        if course is not None:
            return course
    return None
