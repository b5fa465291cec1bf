"""Answering the feedback survey, and its anonymous results for reports.

Only a trainee of the cohort, who has taken the post-test (or finished the course when
there is none), may answer, once. Results are counts, averages and free text without
names; a question answered by fewer than `min_group` people is hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from lms.cohorts.models import Enrolment
from lms.courses.engine.model import Course, Survey
from lms.extensions import db
from lms.permissions import NotFound, ensure
from lms.quizzes.models import QuizAttempt
from lms.surveys.models import SurveyAnswer, SurveySubmission

TEXT_LIMIT = 2000


@dataclass
class Offer:
    """Whether the survey may be shown to this enrolment, and whether it was answered."""

    survey: Survey | None
    due: bool
    answered: bool


def offer(enrolment: Enrolment | None, course: Course) -> Offer:
    """The survey is offered once the post-test is taken (or the course is completed)."""
    if enrolment is None or course.survey is None:
        return Offer(course.survey, False, False)
    answered = db.session.scalar(
        select(SurveySubmission.id).where(SurveySubmission.enrolment_id == enrolment.id)
    )
    if course.post_test is not None:
        reached = db.session.scalar(
            select(QuizAttempt.id)
            .where(QuizAttempt.enrolment_id == enrolment.id, QuizAttempt.quiz_key == "post-test")
            .limit(1)
        )
    else:
        reached = enrolment.status == "completed"
    return Offer(course.survey, bool(reached), bool(answered))


def submit(enrolment: Enrolment | None, course: Course, form) -> bool:
    """Store the answers (all optional) with no link to the person. False when answered before."""
    state = offer(enrolment, course)
    if state.survey is None:
        raise NotFound()
    ensure(state.due, "the survey opens after the post-test")
    if state.answered:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                SurveySubmission(enrolment_id=enrolment.id, cohort_id=enrolment.cohort_id)
            )
            db.session.flush()
    except IntegrityError:  # a second tab submitted a moment ago
        return False
    rows = []
    for question in state.survey.questions:
        raw = (form.get(f"s-{question.id}") or "").strip()
        if not raw:
            continue
        value, text = None, None
        if question.kind == "text":
            text = raw[:TEXT_LIMIT]
        elif raw.isdigit():
            value = int(raw)
            top = question.high if question.kind == "rating" else len(question.choices) - 1
            bottom = question.low if question.kind == "rating" else 0
            if not bottom <= value <= top:
                continue
        else:
            continue
        rows.append(
            {"cohort_id": enrolment.cohort_id, "question_id": question.id}
            | {"value": value, "text": text}
        )
    if rows:
        db.session.execute(insert(SurveyAnswer), rows)
    return True


def respondents(cohort_ids: list[int]) -> int:
    return int(
        db.session.scalar(
            select(func.count())
            .select_from(SurveySubmission)
            .where(SurveySubmission.cohort_id.in_(cohort_ids))
        )
        or 0
    )


def results(cohort_ids: list[int], survey: Survey | None, min_group: int) -> dict | None:
    """Per question: answers, and counts per choice, mean rating, or the free texts."""
    if survey is None:
        return None
    counts = db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.value, func.count())
        .where(SurveyAnswer.cohort_id.in_(cohort_ids), SurveyAnswer.value.is_not(None))
        .group_by(SurveyAnswer.question_id, SurveyAnswer.value)
    ).all()
    by_question: dict[str, dict[int, int]] = {}
    for question_id, value, count in counts:
        by_question.setdefault(question_id, {})[int(value)] = int(count)
    texts: dict[str, list[str]] = {}
    for question_id, text in db.session.execute(
        select(SurveyAnswer.question_id, SurveyAnswer.text)
        .where(SurveyAnswer.cohort_id.in_(cohort_ids), SurveyAnswer.text.is_not(None))
        .order_by(SurveyAnswer.question_id, SurveyAnswer.text)
    ):
        texts.setdefault(question_id, []).append(text)
    questions = []
    for question in survey.questions:
        values = by_question.get(question.id, {})
        answers = (
            len(texts.get(question.id, [])) if question.kind == "text" else sum(values.values())
        )
        entry = {"id": question.id, "kind": question.kind, "text": question.text}
        entry |= {"answers": answers, "too_few": answers < min_group}
        if not entry["too_few"]:
            if question.kind == "rating":
                scale = range(question.low, question.high + 1)
                entry["counts"] = [{"value": v, "count": values.get(v, 0)} for v in scale]
                entry["mean"] = round(sum(v * c for v, c in values.items()) / answers, 2)
            elif question.kind == "choice":
                entry["counts"] = [
                    {"choice": text, "count": values.get(i, 0)}
                    for i, text in enumerate(question.choices)
                ]
            else:
                entry["texts"] = texts.get(question.id, [])
        questions.append(entry)
    return {"respondents": respondents(cohort_ids), "questions": questions}


def satisfaction(results_: dict | None, survey: Survey | None, min_group: int) -> dict | None:
    """The share answering 4 or 5 on the survey's first rating question."""
    if survey is None or results_ is None or survey.satisfaction_question is None:
        return None
    question = survey.satisfaction_question
    entry = next(q for q in results_["questions"] if q["id"] == question.id)
    if entry["too_few"]:
        return {"answers": entry["answers"], "satisfied": None, "rate": None, "too_few": True}
    satisfied = sum(c["count"] for c in entry["counts"] if c["value"] >= 4)
    rate = round(100 * satisfied / entry["answers"], 1)
    return {"answers": entry["answers"], "satisfied": satisfied, "rate": rate, "too_few": False}
