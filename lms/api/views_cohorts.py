"""Operations on courses and cohorts: thin calls to the catalogue and the cohort services."""

from __future__ import annotations

from dataclasses import replace

from lms.api.blueprint import bp, language
from lms.api.http import paginate
from lms.api.schemas import (
    CohortCreate,
    CohortList,
    CohortOut,
    CohortUpdate,
    CourseDetail,
    CourseList,
    CourseSummary,
    DayOut,
    LessonOut,
    ListQuery,
)
from lms.api.spec import operation
from lms.auth import services as accounts
from lms.auth.models import User
from lms.cohorts import services
from lms.cohorts.models import Cohort
from lms.courses.catalogue import get_catalogue
from lms.courses.engine import Course
from lms.extensions import db
from lms.permissions import NotFound, can_manage_cohort


def course_summary(course: Course) -> CourseSummary:
    lang = language()
    return CourseSummary(
        slug=course.slug,
        title=course.title(lang),
        summary=course.summary(lang),
        language=course.language,
        languages=list(course.languages),
        days=len(course.days),
    )


@operation(bp, "/courses", summary="List courses", tag="courses", response=CourseList,
           query=ListQuery)  # fmt: skip
def list_courses(actor: User, query: ListQuery) -> CourseList:
    page, next_url = paginate(get_catalogue().all(), lambda c: c.slug, query.limit, query.cursor)
    return CourseList(data=[course_summary(c) for c in page], next=next_url)


@operation(bp, "/courses/<slug>", summary="A course with its days and lessons", tag="courses",
           response=CourseDetail)  # fmt: skip
def get_course(actor: User, slug: str) -> CourseDetail:
    course = get_catalogue().get(slug)
    if course is None:
        raise NotFound()
    lang = language()
    days = [
        DayOut(
            number=day.number,
            title=day.title(lang),
            lessons=[
                LessonOut(
                    slug=lesson.slug,
                    title=lesson.text(lang).title,
                    minutes=lesson.minutes,
                    required=lesson.required,
                )
                for lesson in day.lessons
            ],
            quiz=day.quiz.key if day.quiz else None,
        )
        for day in course.days
    ]
    summary = course_summary(course)
    return CourseDetail(
        **summary.model_dump(exclude={"days"}),
        content_hash=course.content_hash,
        days=days,
        pre_test=course.pre_test is not None,
        post_test=course.post_test is not None,
    )


def cohort_out(actor: User, cohort: Cohort) -> CohortOut:
    return CohortOut(
        id=cohort.id,
        name=cohort.name,
        course_slug=cohort.course_slug,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        timezone=cohort.timezone,
        pacing=cohort.pacing,
        capacity=cohort.capacity,
        country=cohort.country,
        organisation=cohort.organisation.name if cohort.organisation else None,
        sponsor_sees_names=cohort.sponsor_sees_names,
        join_code=cohort.join_code if can_manage_cohort(actor, cohort) else None,
    )


@operation(bp, "/cohorts", summary="List the cohorts you teach, sponsor or are in",
           tag="cohorts", response=CohortList, query=ListQuery)  # fmt: skip
def list_cohorts(actor: User, query: ListQuery) -> CohortList:
    cohorts = services.visible_cohorts(actor)
    page, next_url = paginate(cohorts, lambda c: c.id, query.limit, query.cursor)
    return CohortList(data=[cohort_out(actor, c) for c in page], next=next_url)


@operation(bp, "/cohorts/<int:cohort_id>", summary="A cohort", tag="cohorts",
           response=CohortOut)  # fmt: skip
def get_cohort(actor: User, cohort_id: int) -> CohortOut:
    return cohort_out(actor, services.visible_cohort(actor, cohort_id))


def _organisation(actor: User, name: str | None):
    return accounts.get_or_create_organisation(name, actor=actor) if name and name.strip() else None


@operation(bp, "/cohorts", "POST", summary="Create a cohort", tag="cohorts",
           response=CohortOut, body=CohortCreate, scopes=("admin",), status=201)  # fmt: skip
def create_cohort(actor: User, body: CohortCreate) -> CohortOut:
    """Instructors and admins; an instructor creating a cohort teaches it."""
    services.cohorts_for(actor)  # instructors and admins only, before anything is created
    fields = body.model_dump(exclude={"organisation"})
    data = services.CohortData(**fields, organisation=_organisation(actor, body.organisation))
    cohort = services.create_cohort(actor, data)
    db.session.commit()
    return cohort_out(actor, cohort)


@operation(bp, "/cohorts/<int:cohort_id>", "PATCH", summary="Change a cohort", tag="cohorts",
           response=CohortOut, body=CohortUpdate, scopes=("admin",))  # fmt: skip
def update_cohort(actor: User, cohort_id: int, body: CohortUpdate) -> CohortOut:
    """Only the fields sent change."""
    cohort = services.managed_cohort(actor, cohort_id)
    current = services.CohortData(
        name=cohort.name,
        course_slug=cohort.course_slug,
        start_date=cohort.start_date,
        end_date=cohort.end_date,
        timezone=cohort.timezone,
        pacing=cohort.pacing,
        capacity=cohort.capacity,
        organisation=cohort.organisation,
        country=cohort.country,
        sponsor_sees_names=cohort.sponsor_sees_names,
    )
    changes = body.model_dump(exclude_unset=True, exclude={"organisation"})
    if "organisation" in body.model_fields_set:
        changes["organisation"] = _organisation(actor, body.organisation)
    services.update_cohort(actor, cohort, replace(current, **changes))
    db.session.commit()
    return cohort_out(actor, cohort)
