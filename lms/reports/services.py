"""Building reports, with the permission rules: one service for page, CSV, XLSX, JSON, PDF, CLI.

Sponsors see their organisation's cohorts, as aggregates only; instructors see their
own cohorts. Breakdown and survey groups smaller than REPORT_MIN_GROUP (default 5) are
hidden, and figures resting on fewer people than that are flagged `too_few` (shown as
"too few"). A report opens with the one-page summary (`Report.summary`), then the detail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from lms.auth.models import Organisation, User
from lms.clock import now
from lms.cohorts.models import Cohort
from lms.cohorts.services import get_cohort
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.permissions import NotFound, can_view_cohort_reports, ensure_visible, require_role
from lms.reports import counters, programme, queries
from lms.reports.counters import Counters
from lms.surveys import services as surveys


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
    sponsor: str | None = None
    organisation_id: int | None = None
    period: dict = field(default_factory=dict)  # {"from": ISO date, "to": ISO date}
    generated: str = ""  # the date the report was made, ISO
    filters: dict = field(default_factory=dict)
    attendance: dict | None = None  # None: no attendance recorded
    satisfaction: dict | None = None
    survey: dict | None = None
    trend: list[dict] = field(default_factory=list)
    choices: dict = field(default_factory=dict)  # the filter's options (countries, courses)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("choices")
        return data

    @property
    def completion_too_few(self) -> bool:
        return self.enrolled < self.min_group


@dataclass(frozen=True)
class Filters:
    """What an organisation report covers: cohorts starting in the period, of a country
    and a course (each optional)."""

    start: date | None = None
    end: date | None = None
    country: str | None = None
    course: str | None = None


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _min_group() -> int:
    return int(current_app.config.get("REPORT_MIN_GROUP", 5))


def _totals(cohort_ids: list[int], counted: Counters) -> dict:
    numbers = queries.counts(counted)
    numbers["completion_rate"] = _rate(numbers["completed"], numbers["enrolled"])
    numbers["median_days_to_complete"] = queries.median_days_to_complete(cohort_ids, counted)
    return numbers


def _breakdowns(counted: Counters, min_group: int) -> dict[str, list[dict]]:
    result = {}
    for dimension in queries.DIMENSIONS:
        groups = []
        for group, enrolled, completed in queries.breakdown(dimension, counted):
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


def _quizzes(cohort_ids: list[int], course, language: str, counted: Counters) -> list[dict]:
    quizzes = course.quizzes()
    keys = [quiz.key for quiz in quizzes]
    stats = queries.quiz_stats(keys, counted)
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
        missed = [q for q in questions if q["correct_rate"] < 100]
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
                # Only questions some trainees got wrong, the least often right first.
                "hardest": sorted(missed, key=lambda q: (q["correct_rate"], q["id"]))[:3],
            }
        )
    return result


def _gain(counted: Counters, course, language: str, min_group: int) -> dict:
    gain = queries.knowledge_gain(counted)
    texts = {}
    if course is not None and course.post_test is not None:
        texts = {q.id: q.text for q in course.post_test.in_language(language).questions}
    gain["too_few"] = gain["trainees"] < min_group
    gain["concepts"] = [
        {
            "id": concept,
            "text": texts.get(concept, concept),
            "pre": rates.get("pre"),
            "post": rates.get("post"),
            "gain": round(rates["post"] - rates["pre"], 1)
            if "pre" in rates and "post" in rates
            else None,
        }
        for concept, rates in sorted(gain["concepts"].items())
    ]
    return gain


def _survey(cohort_ids: list[int], course, language: str, min_group: int):
    survey = course.survey.in_language(language) if course and course.survey else None
    results = surveys.results(cohort_ids, survey, min_group)
    return results, surveys.satisfaction(results, survey, min_group)


def _logo_owner(organisation: Organisation | None) -> dict:
    if organisation is None:
        return {"sponsor": None, "organisation_id": None}
    return {"sponsor": organisation.name, "organisation_id": organisation.id}


def cohort_report(actor: User, cohort_id: int, language: str = "en") -> Report:
    cohort = get_cohort(cohort_id)
    ensure_visible(can_view_cohort_reports(actor, cohort))
    course = get_catalogue().get(cohort.course_slug)
    if course is None:
        raise NotFound()
    ids = [cohort.id]
    by_cohort = counters.load_by_cohort(ids)
    counted = by_cohort[cohort.id]
    min_group = _min_group()
    titles = {day.number: day.title(language) for day in course.days}
    steps = queries.funnel(list(titles), counted)
    funnel = [{**step, "title": titles[step["day"]]} for step in steps]
    survey, satisfaction = _survey(ids, course, language, min_group)
    end = cohort.end_date or now().date()
    return Report(
        title=f"{cohort.name}: {course.title(language)}",
        scope="cohort",
        cohorts=[_cohort_row(cohort)],
        **_totals(ids, counted),
        funnel=funnel,
        quizzes=_quizzes(ids, course, language, counted),
        gain=_gain(counted, course, language, min_group),
        breakdowns=_breakdowns(counted, min_group),
        min_group=min_group,
        sponsor_sees_names=cohort.sponsor_sees_names,
        **_logo_owner(cohort.organisation),
        period={
            "from": cohort.start_date.isoformat(),
            "to": max(end, cohort.start_date).isoformat(),
        },
        generated=now().date().isoformat(),
        attendance=queries.attendance(ids, by_cohort),
        satisfaction=satisfaction,
        survey=survey,
        trend=programme.trend_by_month(counted),
    )


def _cohort_row(cohort: Cohort) -> dict:
    return {
        "id": cohort.id,
        "name": cohort.name,
        "course": cohort.course_slug,
        "country": cohort.country,
        "start": cohort.start_date.isoformat(),
    }


def organisation_report(
    actor: User,
    organisation_id: int | None = None,
    filters: Filters | None = None,
    language: str = "en",
) -> Report:
    """The sponsor's cohorts (an admin names the organisation), filtered by period, country
    and course: the summary over all of them, one row per cohort, and the trend by month."""
    require_role(actor, "sponsor", "admin")
    if actor.role == "sponsor":
        if organisation_id not in (None, actor.organisation_id):
            raise NotFound()  # another sponsor's organisation: as if it did not exist
        organisation_id = actor.organisation_id
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None:
        raise NotFound()
    filters = filters or Filters()
    every = list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.organisation_id == organisation.id)
            .order_by(Cohort.start_date, Cohort.id)
        )
    )
    cohorts = [c for c in every if _matches(c, filters)]
    ids = [c.id for c in cohorts]
    min_group = _min_group()
    catalogue = get_catalogue()
    by_cohort = counters.load_by_cohort(ids)
    counted = counters.load(ids)
    counts = programme.counts_by_cohort(by_cohort)
    gains = queries.knowledge_gain_by_cohort(by_cohort)
    rows = []
    for cohort in cohorts:
        row = _cohort_row(cohort)
        row.update(counts[cohort.id])
        row["completion_rate"] = _rate(row["completed"], row["enrolled"])
        gain = gains.get(cohort.id, {"trainees": 0, "mean_gain": None, "normalised_gain": None})
        row["gain_trainees"] = gain["trainees"]
        row["mean_gain"] = gain["mean_gain"]
        row["normalised_gain"] = gain["normalised_gain"]
        course = catalogue.get(cohort.course_slug)
        satisfaction = _survey([cohort.id], course, language, min_group)[1]
        row["satisfaction"] = satisfaction["rate"] if satisfaction else None
        rows.append(row)
    course = _only_course(cohorts)
    survey, satisfaction = _survey(ids, course, language, min_group) if course else (None, None)
    funnel = []
    if course is not None:
        titles = {day.number: day.title(language) for day in course.days}
        funnel = [{**s, "title": titles[s["day"]]} for s in queries.funnel(list(titles), counted)]
    starts = [c.start_date for c in cohorts]
    period = {
        "from": (filters.start or (min(starts) if starts else now().date())).isoformat(),
        "to": (filters.end or now().date()).isoformat(),
    }
    return Report(
        title=organisation.name,
        scope="organisation",
        cohorts=rows,
        **_totals(ids, counted),
        funnel=funnel,
        quizzes=_quizzes(ids, course, language, counted) if course else [],
        gain=_gain(counted, course or _any_course(cohorts), language, min_group),
        breakdowns=_breakdowns(counted, min_group),
        min_group=min_group,
        **_logo_owner(organisation),
        period=period,
        generated=now().date().isoformat(),
        filters={
            "country": filters.country,
            "course": filters.course,
            "from": filters.start.isoformat() if filters.start else None,
            "to": filters.end.isoformat() if filters.end else None,
        },
        attendance=queries.attendance(ids, by_cohort),
        satisfaction=satisfaction,
        survey=survey,
        trend=programme.trend_by_month(counted),
        choices={
            "countries": sorted({c.country for c in every}),
            "courses": sorted({c.course_slug for c in every}),
        },
    )


def _matches(cohort: Cohort, filters: Filters) -> bool:
    return (
        (filters.start is None or cohort.start_date >= filters.start)
        and (filters.end is None or cohort.start_date <= filters.end)
        and (filters.country is None or cohort.country == filters.country)
        and (filters.course is None or cohort.course_slug == filters.course)
    )


def _only_course(cohorts: list[Cohort]):
    """The course when every cohort runs the same one (day, quiz and survey detail need it)."""
    slugs = {c.course_slug for c in cohorts}
    return get_catalogue().get(slugs.pop()) if len(slugs) == 1 else None


def _any_course(cohorts: list[Cohort]):
    for cohort in cohorts:
        course = get_catalogue().get(cohort.course_slug)
        if course is not None:
            return course
    return None


def organisation_logo(organisation_id: int | None) -> str | None:
    """The sponsor's logo (SVG text, checked when it was set), or None."""
    if organisation_id is None:
        return None
    organisation = db.session.get(Organisation, organisation_id)
    return organisation.logo_svg if organisation else None
