"""Operations on enrolments, progress and quizzes: thin calls to the same services as the
instructor's roster pages and the trainee's quiz pages."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from lms.api.blueprint import bp, language
from lms.api.http import ApiError, paginate
from lms.api.schemas import (
    AttemptList,
    AttemptOut,
    BulkEnrolRequest,
    BulkResult,
    ChoiceOut,
    CohortProgress,
    DayProgressOut,
    EnrolmentList,
    EnrolmentOut,
    EnrolRequest,
    ListQuery,
    MyProgress,
    ProgressOut,
    ProgressRow,
    QuestionOut,
    QuizOut,
    QuizSubmit,
    RowResult,
)
from lms.api.spec import operation
from lms.auth.models import User
from lms.cohorts import bulk, services
from lms.cohorts.access import learning_context
from lms.cohorts.models import Enrolment
from lms.cohorts.spreadsheet import Row
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.progress import services as progress
from lms.progress.services import Progress
from lms.quizzes import services as quizzes
from lms.quizzes.models import QuizAttempt
from lms.reports import roster

# -- enrolments ------------------------------------------------------------------------------


def enrolment_out(enrolment: Enrolment) -> EnrolmentOut:
    return EnrolmentOut(
        id=enrolment.id,
        user_id=enrolment.user_id,
        name=enrolment.user.name,
        status=enrolment.status,
        joined_at=enrolment.joined_at,
        completed_at=enrolment.completed_at,
        withdrawn_at=enrolment.withdrawn_at,
    )


@operation(bp, "/cohorts/<int:cohort_id>/enrolments", summary="A cohort's enrolments",
           tag="enrolments", response=EnrolmentList, query=ListQuery)  # fmt: skip
def list_enrolments(actor: User, cohort_id: int, query: ListQuery) -> EnrolmentList:
    cohort = services.managed_cohort(actor, cohort_id)
    enrolments = services.cohort_enrolments(actor, cohort)
    page, next_url = paginate(enrolments, lambda e: e.id, query.limit, query.cursor)
    return EnrolmentList(data=[enrolment_out(e) for e in page], next=next_url)


def _bulk(actor: User, cohort_id: int, rows: list[EnrolRequest]) -> BulkResult:
    cohort = services.managed_cohort(actor, cohort_id)
    report = bulk.enrol_rows(
        actor,
        cohort,
        [
            Row(
                number,
                r.name.strip(),
                (r.email or "").strip(),
                (r.phone or "").strip(),
                (r.language or "").strip(),
            )  # fmt: skip
            for number, r in enumerate(rows, start=1)
        ],
    )
    db.session.commit()
    results = [RowResult(row=n, status="enrolled", user_id=u.id, message=None)
               for n, u in report.enrolled]  # fmt: skip
    results += [RowResult(row=n, status="already", user_id=u.id, message=None)
                for n, u in report.already]  # fmt: skip
    created = {n for n, _u, _t in report.created}
    results = [r.model_copy(update={"status": "created"}) if r.row in created else r
               for r in results]  # fmt: skip
    results += [RowResult(row=e.line, status="error", user_id=None, message=e.message)
                for e in report.errors]  # fmt: skip
    return BulkResult(
        enrolled=len(report.enrolled),
        created=len(report.created),
        already=len(report.already),
        errors=len(report.errors),
        results=sorted(results, key=lambda r: r.row),
    )


@operation(bp, "/cohorts/<int:cohort_id>/enrolments", "POST", summary="Enrol one person",
           tag="enrolments", response=BulkResult, body=EnrolRequest, scopes=("enrol",),
           status=201)  # fmt: skip
def enrol_one(actor: User, cohort_id: int, body: EnrolRequest):
    """Finds or creates the trainee's account (a welcome link is sent) and enrols them;
    idempotent: 200 with status `already` when they are in the cohort. A refused row is
    a 422 `invalid` error like any other, with the row's message."""
    result = _bulk(actor, cohort_id, [body])
    if result.errors:
        raise ApiError(422, "invalid", result.results[0].message or "invalid")
    return result, 200 if result.already else 201


@operation(bp, "/cohorts/<int:cohort_id>/enrolments/bulk", "POST", tag="enrolments",
           summary="Enrol many people, with a result per row", response=BulkResult,
           body=BulkEnrolRequest, scopes=("enrol",))  # fmt: skip
def enrol_many(actor: User, cohort_id: int, body: BulkEnrolRequest) -> BulkResult:
    """The good rows are enrolled, each bad one reported with its row number."""
    return _bulk(actor, cohort_id, body.rows)


@operation(bp, "/cohorts/<int:cohort_id>/enrolments/<int:enrolment_id>/withdraw", "POST",
           summary="Withdraw an enrolment", tag="enrolments", response=EnrolmentOut,
           scopes=("enrol",))  # fmt: skip
def withdraw(actor: User, cohort_id: int, enrolment_id: int) -> EnrolmentOut:
    cohort = services.managed_cohort(actor, cohort_id)
    enrolment = services.managed_enrolment(actor, cohort, enrolment_id)
    services.withdraw(actor, enrolment)
    db.session.commit()
    return enrolment_out(enrolment)


# -- progress --------------------------------------------------------------------------------


def _percent(summary: Progress) -> int:
    total = summary.steps_total
    return round(100 * summary.steps_done / total) if total else 0


def progress_out(enrolment: Enrolment, summary: Progress) -> ProgressOut:
    return ProgressOut(
        cohort_id=enrolment.cohort_id,
        enrolment_id=enrolment.id,
        course_slug=enrolment.cohort.course_slug,
        status=enrolment.status,
        steps_done=summary.steps_done,
        steps_total=summary.steps_total,
        percent=_percent(summary),
        days=[
            DayProgressOut(
                number=day.number,
                lessons_done=day.lessons_done,
                lessons_total=day.lessons_total,
                quiz_best=float(day.quiz.best) if day.quiz and day.quiz.best is not None else None,
                quiz_passed=day.quiz.passed if day.quiz else None,
            )
            for day in summary.days
        ],
    )


@operation(bp, "/me/progress", summary="Your own progress in each of your cohorts",
           tag="progress", response=MyProgress)  # fmt: skip
def my_progress(actor: User) -> MyProgress:
    data = []
    for enrolment in services.enrolments_of(actor):
        course = get_catalogue().get(enrolment.cohort.course_slug)
        if course is not None:
            data.append(progress_out(enrolment, progress.progress_of(enrolment, course)))
    return MyProgress(data=data)


@operation(bp, "/cohorts/<int:cohort_id>/progress", summary="Every trainee's progress",
           tag="progress", response=CohortProgress, query=ListQuery)  # fmt: skip
def cohort_progress(actor: User, cohort_id: int, query: ListQuery) -> CohortProgress:
    """The roster's figures: for the cohort's instructors and admins (and its sponsor when
    the cohort lets them see names)."""
    cohort = services.get_cohort(cohort_id)
    course = get_catalogue().get(cohort.course_slug)
    rows = roster.roster_rows(actor, cohort, course, sort="joined") if course else []
    page, next_url = paginate(rows, lambda r: r.enrolment.id, query.limit, query.cursor)
    return CohortProgress(
        cohort_id=cohort.id,
        data=[
            ProgressRow(
                enrolment_id=row.enrolment.id,
                user_id=row.enrolment.user_id,
                name=row.enrolment.user.name,
                status=row.enrolment.status,
                percent=row.percent,
                steps_done=row.progress.steps_done,
                steps_total=row.progress.steps_total,
                at_risk=row.at_risk,
                reasons=list(row.reasons),
            )
            for row in page
        ],
        next=next_url,
    )


# -- quizzes ---------------------------------------------------------------------------------


@operation(bp, "/cohorts/<int:cohort_id>/quizzes/<quiz_key>", summary="A quiz to answer",
           tag="quizzes", response=QuizOut, scopes=("read", "submit"))  # fmt: skip
def get_quiz(actor: User, cohort_id: int, quiz_key: str) -> QuizOut:
    """The questions without answers or feedback, and a one-time `attempt` token to submit
    them with (null when no attempt is left)."""
    context = learning_context(actor, cohort_id)
    quiz = quizzes.get_quiz(context, quiz_key)
    info = quizzes.attempts_info(context.enrolment, quiz) if context.enrolment else None
    form = quizzes.new_attempt_form(context, quiz_key, language())
    can_try = info is None or info.can_try
    return QuizOut(
        key=quiz.key,
        title=form.quiz.title,
        pass_mark=quiz.pass_mark,
        attempts_allowed=info.limit if info else quiz.attempts,
        attempts_used=info.used if info else 0,
        can_try=can_try,
        attempt=form.payload if can_try and context.enrolment is not None else None,
        questions=[
            QuestionOut(
                id=q.id,
                kind=q.kind,
                text_html=q.text_html,
                body_html=q.body_html,
                choices=[ChoiceOut(index=c.index, html=c.html) for c in q.choices],
            )
            for q in form.questions
        ],
    )


def attempt_out(attempt: QuizAttempt) -> AttemptOut:
    pre_test = attempt.quiz_key == "pre-test"
    return AttemptOut(
        quiz_key=attempt.quiz_key,
        number=attempt.number,
        score=float(attempt.score),
        passed=None if pre_test else attempt.passed,
        points=float(attempt.points),
        max_points=attempt.max_points,
        submitted_at=attempt.submitted_at,
        results={} if pre_test else {k: float(v) for k, v in attempt.results.items()},
    )


def _as_form(answers: dict) -> MultiDict:
    """The answers as the quiz page's form would send them (`q-<id>` fields)."""
    form = MultiDict()
    for question_id, value in answers.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is not None:
                form.add(f"q-{question_id}", str(item))
    return form


@operation(bp, "/cohorts/<int:cohort_id>/quizzes/<quiz_key>", "POST", summary="Submit answers",
           tag="quizzes", response=AttemptOut, body=QuizSubmit, scopes=("submit",),
           status=201)  # fmt: skip
def submit_quiz(actor: User, cohort_id: int, quiz_key: str, body: QuizSubmit) -> AttemptOut:
    """Graded on the server and stored once per `attempt` token: sending the same token
    again returns the first attempt, never a second one."""
    context = learning_context(actor, cohort_id)
    attempt = quizzes.submit(context, quiz_key, body.attempt, _as_form(body.answers))
    db.session.commit()
    return attempt_out(attempt)


@operation(bp, "/cohorts/<int:cohort_id>/quizzes/<quiz_key>/attempts", tag="quizzes",
           summary="Your attempts at a quiz", response=AttemptList)  # fmt: skip
def list_attempts(actor: User, cohort_id: int, quiz_key: str) -> AttemptList:
    context = learning_context(actor, cohort_id)
    quizzes.get_quiz(context, quiz_key)
    if context.enrolment is None:
        return AttemptList(data=[])
    return AttemptList(
        data=[attempt_out(a) for a in quizzes.attempts_of(actor, context.enrolment, quiz_key)]
    )


@operation(bp, "/cohorts/<int:cohort_id>/quizzes/<quiz_key>/attempts/<int:number>",
           tag="quizzes", summary="One attempt's result", response=AttemptOut)  # fmt: skip
def get_attempt(actor: User, cohort_id: int, quiz_key: str, number: int) -> AttemptOut:
    context = learning_context(actor, cohort_id)
    return attempt_out(quizzes.get_attempt(context, quiz_key, number))
