"""The typed shapes of `/api/v1`: request bodies are validated against them, responses
serialised through them, and the OpenAPI document is generated from them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _utc(value: datetime) -> datetime:
    """Times are stored as naive UTC; RFC 3339 `date-time` needs the offset, so add it."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


Instant = Annotated[datetime, AfterValidator(_utc)]
Scope = Literal["read", "enrol", "submit", "report", "admin"]


class Schema(BaseModel):
    """Every shape's base: its validator is built on first use, not when the app starts
    (building them all took a third of a second of start-up)."""

    model_config = ConfigDict(defer_build=True)


class Body(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(Schema):
    code: str
    message: str


class Error(Schema):
    """Every error answer: `{"error": {"code": ..., "message": ...}}`."""

    error: ErrorDetail


class Page(Schema):
    next: str | None = Field(description="The next page's URL, or null on the last page")


class ListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    cursor: str | None = Field(None, max_length=200, pattern=r"^[A-Za-z0-9_-]*$")


# -- courses ---------------------------------------------------------------------------------


class CourseSummary(Schema):
    slug: str
    title: str
    summary: str
    language: str
    languages: list[str]
    days: int


class CourseList(Page):
    data: list[CourseSummary]


class LessonOut(Schema):
    slug: str
    title: str
    minutes: int | None
    required: bool


class DayOut(Schema):
    number: int
    title: str
    lessons: list[LessonOut]
    quiz: str | None = Field(description="The day's quiz key, if it has one")


class CourseDetail(Schema):
    slug: str
    title: str
    summary: str
    language: str
    languages: list[str]
    content_hash: str
    days: list[DayOut]
    pre_test: bool
    post_test: bool


# -- cohorts ---------------------------------------------------------------------------------


class CohortOut(Schema):
    id: int
    name: str
    course_slug: str
    start_date: date
    end_date: date | None
    timezone: str
    pacing: str
    capacity: int | None
    country: str
    organisation: str | None
    sponsor_sees_names: bool
    join_code: str | None = Field(description="Shown to those who manage the cohort")


class CohortList(Page):
    data: list[CohortOut]


class CohortCreate(Body):
    name: str = Field(min_length=1, max_length=200)
    course_slug: str = Field(max_length=100)
    start_date: date
    end_date: date | None = None
    timezone: str = Field("UTC", max_length=64)
    pacing: Literal["scheduled", "self"] = "scheduled"
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    organisation: str | None = Field(None, max_length=200)
    country: str = Field("PK", min_length=2, max_length=2)
    sponsor_sees_names: bool = False


class CohortUpdate(Body):
    name: str | None = Field(None, min_length=1, max_length=200)
    course_slug: str | None = Field(None, max_length=100)
    start_date: date | None = None
    end_date: date | None = None
    timezone: str | None = Field(None, max_length=64)
    pacing: Literal["scheduled", "self"] | None = None
    capacity: int | None = Field(None, ge=1, le=1_000_000)
    organisation: str | None = Field(None, max_length=200)
    country: str | None = Field(None, min_length=2, max_length=2)
    sponsor_sees_names: bool | None = None


# -- enrolments ------------------------------------------------------------------------------


class EnrolmentOut(Schema):
    id: int
    user_id: int
    name: str
    status: Literal["active", "completed", "withdrawn"]
    joined_at: Instant
    completed_at: Instant | None
    withdrawn_at: Instant | None


class EnrolmentList(Page):
    data: list[EnrolmentOut]


class EnrolRequest(Body):
    name: str = Field(max_length=200)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    language: str | None = Field(None, max_length=8)


class BulkEnrolRequest(Body):
    rows: list[EnrolRequest] = Field(min_length=1, max_length=5000)


class RowResult(Schema):
    row: int = Field(description="The row's position in the request, from 1")
    status: Literal["enrolled", "created", "already", "error"]
    user_id: int | None
    message: str | None


class BulkResult(Schema):
    enrolled: int
    created: int
    already: int
    errors: int
    results: list[RowResult]


# -- progress --------------------------------------------------------------------------------


class DayProgressOut(Schema):
    number: int
    lessons_done: int
    lessons_total: int
    quiz_best: float | None
    quiz_passed: bool | None


class ProgressOut(Schema):
    cohort_id: int
    enrolment_id: int
    course_slug: str
    status: str
    steps_done: int
    steps_total: int
    percent: int
    days: list[DayProgressOut]


class MyProgress(Schema):
    data: list[ProgressOut]


class ProgressRow(Schema):
    enrolment_id: int
    user_id: int
    name: str
    status: str
    percent: int
    steps_done: int
    steps_total: int
    at_risk: bool
    reasons: list[str]


class CohortProgress(Page):
    cohort_id: int
    data: list[ProgressRow]


# -- quizzes ---------------------------------------------------------------------------------


class ChoiceOut(Schema):
    index: int = Field(description="The value to submit for this choice")
    html: str


class QuestionOut(Schema):
    id: str
    kind: str = Field(description="single, multiple, numeric or text")
    text_html: str
    body_html: str
    choices: list[ChoiceOut]


class QuizOut(Schema):
    """A quiz as the trainee sees it before answering: never the answers or feedback."""

    key: str
    title: str
    pass_mark: int
    attempts_allowed: int = Field(description="0 = unlimited")
    attempts_used: int
    can_try: bool
    attempt: str | None = Field(description="The one-time token to submit with the answers")
    questions: list[QuestionOut]


class QuizSubmit(Body):
    attempt: str = Field(max_length=4000)
    answers: dict[str, int | list[int] | float | str | None] = Field(max_length=500)


class AttemptOut(Schema):
    quiz_key: str
    number: int
    score: float
    passed: bool | None = Field(description="null for the pre-test (no verdict)")
    points: float
    max_points: int
    submitted_at: Instant | None
    results: dict[str, float] = Field(description="Points per question id (none for the pre-test)")


class AttemptList(Schema):
    data: list[AttemptOut]


# -- certificates ----------------------------------------------------------------------------


class CertificateOut(Schema):
    code: str
    status: str = Field(description="valid, revoked or superseded")
    holder_name: str
    course_slug: str
    course_title: str
    cohort_name: str
    issuer: str
    completed_at: Instant
    issued_at: Instant
    revoked_at: Instant | None
    verify_url: str


class CertificateList(Page):
    data: list[CertificateOut]


class RevokeRequest(Body):
    reason: str = Field(max_length=500)


class ReissueRequest(Body):
    holder_name: str = Field(max_length=200)


# -- reports ---------------------------------------------------------------------------------


class ReportOut(Schema):
    """The sponsor report's figures, the same as its page and its JSON export."""

    model_config = ConfigDict(extra="allow")

    title: str
    scope: Literal["cohort", "organisation"]
    enrolled: int
    started: int
    completed: int
    withdrawn: int
    certificates: int
    completion_rate: float | None
    cohorts: list[dict]
    funnel: list[dict]
    gain: dict


class OrganisationReportQuery(Schema):
    from_: date | None = Field(None, alias="from")
    to: date | None = None
    country: str | None = Field(None, max_length=2)
    course: str | None = Field(None, max_length=100)
