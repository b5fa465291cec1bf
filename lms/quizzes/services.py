"""Taking quizzes: the attempt form, submission (exactly once), limits, results, grants.

The quiz page carries a signed payload (one-time token, choice order, language); nothing
is written until the answers arrive. Submitting the same token again returns the first
attempt. Attempt numbers are unique per enrolment and quiz, so racing submissions cannot
exceed the limit.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from lms.audit.services import record
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.cohorts.access import LearningContext, touch
from lms.cohorts.models import Enrolment
from lms.courses.engine import Quiz
from lms.errors import ServiceError
from lms.events import publish
from lms.extensions import db
from lms.permissions import NotFound, PermissionDenied, can_manage_cohort, ensure_visible
from lms.quizzes import storage
from lms.quizzes.events import AttemptRecorded
from lms.quizzes.grading import grade_question, score_percent
from lms.quizzes.models import AttemptGrant, QuizAttempt
from lms.quizzes.snapshot import PublicQuestion, choice_order, public_questions, snapshot

MAX_TEXT_ANSWER = 200


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="quiz-attempt")


def is_knowledge_check(quiz_key: str) -> bool:
    """The pre-test measures what people knew before: its result is only "what you know
    now", with no pass mark, verdict, attempts, correct answers or feedback (the post-test
    asks the same concepts)."""
    return quiz_key == "pre-test"


def get_quiz(context: LearningContext, key: str) -> Quiz:
    quiz = context.course.quiz(key)
    if quiz is None:
        raise NotFound()
    return quiz


def quiz_is_open(context: LearningContext, quiz: Quiz) -> bool:
    """Day quizzes open with their day; the post-test with the last day; the pre-test always."""
    if context.enrolment is None:
        return True  # staff preview
    if quiz.key == "pre-test":
        return True
    if quiz.key == "post-test":
        return all(state.open for state in context.days)
    state = context.day_state(int(quiz.key.removeprefix("day-")))
    return state is not None and state.open


@dataclass(frozen=True)
class AttemptsInfo:
    used: int
    limit: int  # 0 = unlimited
    best: Decimal | None
    passed: bool

    @property
    def left(self) -> int | None:
        return None if self.limit == 0 else max(0, self.limit - self.used)

    @property
    def can_try(self) -> bool:
        return self.limit == 0 or self.used < self.limit


def attempts_info(enrolment: Enrolment, quiz: Quiz) -> AttemptsInfo:
    used, best, passed = db.session.execute(
        select(
            func.count(),
            func.max(QuizAttempt.score),
            func.max(db.case((QuizAttempt.passed, 1), else_=0)),
        ).where(QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.quiz_key == quiz.key)
    ).one()
    return AttemptsInfo(
        used,
        storage.attempt_limit(enrolment, quiz),
        Decimal(best) if best is not None else None,
        bool(passed),
    )


@dataclass(frozen=True)
class AttemptForm:
    quiz: Quiz  # in the reader's language
    payload: str  # signed: token, enrolment, quiz, language, choice order
    questions: list[PublicQuestion]


def new_attempt_form(context: LearningContext, quiz_key: str, language: str) -> AttemptForm:
    quiz = get_quiz(context, quiz_key)
    if not quiz_is_open(context, quiz):
        raise PermissionDenied("quiz not open yet")
    shown = quiz.in_language(language)
    order = choice_order(shown, random.Random(secrets.randbits(64)))
    payload = _serializer().dumps(
        {
            "t": secrets.token_urlsafe(24),
            "e": context.enrolment.id if context.enrolment else None,
            "q": quiz.key,
            "l": shown.language,
            "o": order,
            "s": utcnow_naive().isoformat(timespec="seconds"),
        }
    )
    return AttemptForm(quiz=shown, payload=payload, questions=public_questions(shown, order))


KEPT_FIELDS = 100


def kept_answers(form) -> dict[str, list[str]]:
    """The answer fields of a quiz form (`q-*`), capped, to keep while the person signs in
    again: the session cookie carries them, so they stay small."""
    kept: dict[str, list[str]] = {}
    for name in list(form.keys())[:KEPT_FIELDS]:
        if name.startswith("q-") and len(name) <= 80:
            kept[name] = [value[:MAX_TEXT_ANSWER] for value in form.getlist(name)[:20]]
    return kept


def restored_form(context: LearningContext, quiz_key: str, payload: str) -> AttemptForm | None:
    """The quiz form as it was first shown (same one-time token, choice order, language),
    when `payload` was issued to this enrolment for this quiz; None otherwise (say, another
    person signed in on a shared phone, or the payload was tampered with)."""
    if context.enrolment is None:
        return None
    try:
        data = _serializer().loads(payload)
    except BadSignature:
        return None
    if data.get("e") != context.enrolment.id or data.get("q") != quiz_key:
        return None
    if storage.existing(data["t"]) is not None:
        return None  # that submission was recorded after all
    shown = get_quiz(context, quiz_key).in_language(data["l"])
    order = {qid: list(values) for qid, values in data["o"].items()}
    try:
        questions = public_questions(shown, order)
    except IndexError:  # the course changed since: start afresh
        return None
    return AttemptForm(quiz=shown, payload=payload, questions=questions)


def _read_answers(questions: list[dict], form) -> dict:
    answers: dict = {}
    for question in questions:
        field = f"q-{question['id']}"
        valid = {choice["index"] for choice in question["choices"]}
        if question["kind"] == "single":
            value = form.get(field, "")
            answers[question["id"]] = (
                int(value) if value.isdigit() and int(value) in valid else None
            )
        elif question["kind"] == "multiple":
            values = form.getlist(field)
            answers[question["id"]] = sorted(
                {int(v) for v in values if v.isdigit() and int(v) in valid}
            )
        else:
            answers[question["id"]] = (form.get(field) or "").strip()[:MAX_TEXT_ANSWER] or None
    return answers


def submit(context: LearningContext, quiz_key: str, payload: str, form) -> storage.Attempt:
    """Grade and store an attempt once; the same token again returns the first attempt.

    The usual case costs three statements here (the attempt with its number and limit in
    one INSERT ... SELECT, its answers in one multi-row INSERT, the enrolment's activity)
    plus what the `AttemptRecorded` subscribers write (report summaries, outbox rows)."""
    if context.enrolment is None:
        raise ServiceError(_("Staff previews cannot submit quizzes."))
    try:
        data = _serializer().loads(payload)
    except BadSignature:
        raise ServiceError(
            _("This quiz page is not valid any more. Please open the quiz again.")
        ) from None
    if data.get("e") != context.enrolment.id or data.get("q") != quiz_key:
        raise ServiceError(_("This quiz page is not valid any more. Please open the quiz again."))
    quiz = get_quiz(context, quiz_key)
    shown = quiz.in_language(data["l"])
    order = {qid: list(indexes) for qid, indexes in data["o"].items()}
    if not quiz_is_open(context, quiz) or not _same_questions(shown, order):
        existing = storage.existing(data["t"])  # a resubmission still finds its first attempt
        if existing is not None:
            return existing
        if not quiz_is_open(context, quiz):
            raise PermissionDenied("quiz not open yet")
        raise ServiceError(
            _("This quiz was changed while you were answering. Please open it again.")
        )
    questions = snapshot(shown, order)
    answers = _read_answers(questions, form)
    results = {q["id"]: grade_question(q, answers[q["id"]], quiz.partial).points for q in questions}
    points = sum(results.values(), Decimal(0))
    score = score_percent(points, len(questions))
    attempt, created = storage.store(
        context.enrolment,
        quiz,
        token=data["t"],
        language=shown.language,
        content_hash=context.course.content_hash,
        questions=questions,
        answers=answers,
        results={key: str(value) for key, value in results.items()},
        points=points,
        max_points=len(questions),
        score=score,
        pass_mark=quiz.pass_mark,
        passed=score >= quiz.pass_mark,
        started_at=_parse_time(data.get("s")),
        submitted_at=utcnow_naive(),
    )
    if not created:
        return attempt  # the same token was submitted before (or twice at once)
    touch(context.enrolment)
    publish(AttemptRecorded(context.enrolment, context.course, attempt, context.completed))
    return attempt


def _same_questions(quiz: Quiz, order: dict[str, list[int]]) -> bool:
    """The page's questions and choices are still the quiz's (it was not edited meanwhile)."""
    return set(order) == {q.id for q in quiz.questions} and all(
        sorted(order[q.id]) == list(range(len(q.choices))) for q in quiz.questions
    )


def _parse_time(value: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except ValueError:
        return None


def get_attempt(context: LearningContext, quiz_key: str, number: int) -> QuizAttempt:
    """An attempt of this trainee (or, for staff, of nobody: they use the trainee view)."""
    if context.enrolment is None:
        raise NotFound()
    attempt = db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.enrolment_id == context.enrolment.id,
            QuizAttempt.quiz_key == quiz_key,
            QuizAttempt.number == number,
        )
    )
    if attempt is None:
        raise NotFound()
    return attempt


def attempts_of(
    actor: User, enrolment: Enrolment, quiz_key: str | None = None
) -> list[QuizAttempt]:
    """A trainee's attempts in the order they were made, for that trainee or the cohort's
    managers (404 for anyone else)."""
    ensure_visible(actor.id == enrolment.user_id or can_manage_cohort(actor, enrolment.cohort))
    query = select(QuizAttempt).where(QuizAttempt.enrolment_id == enrolment.id)
    if quiz_key:
        query = query.where(QuizAttempt.quiz_key == quiz_key)
    order = (QuizAttempt.submitted_at, QuizAttempt.id)  # in time order, as they happened
    return list(db.session.scalars(query.order_by(*order)))


def grant_attempt(actor: User, enrolment: Enrolment, quiz: Quiz) -> None:
    """An instructor allows one more attempt (recorded in the audit log)."""
    ensure_visible(can_manage_cohort(actor, enrolment.cohort))
    if quiz.attempts == 0:
        raise ServiceError(_("This quiz already allows unlimited attempts."))
    db.session.add(
        AttemptGrant(enrolment_id=enrolment.id, quiz_key=quiz.key, granted_by_id=actor.id)
    )
    record("quiz.grant_attempt", actor, enrolment, quiz=quiz.key, user_id=enrolment.user_id)
