"""Which quiz questions changed since trainees answered them (shown on the course preview).

Attempts keep the questions as they were asked (`QuizAttempt.questions`), so results stay
true after an edit; this compares those snapshots with the quiz as it is now.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.cohorts.teaching import ensure_teaches_course
from lms.courses.engine import Course, Quiz
from lms.extensions import db
from lms.quizzes.models import QuizAttempt
from lms.quizzes.snapshot import snapshot_question


@dataclass(frozen=True)
class QuestionChange:
    question_id: str
    what: str  # "changed", "added" or "removed"
    text: str  # the question's heading now (or as asked, when removed)
    attempts: int  # attempts that asked an earlier version


def _asked(question: dict) -> tuple:
    """What a trainee saw and was graded on: wording, choices, correct answers."""
    choices = sorted((c["index"], c["text"], c["correct"]) for c in question["choices"])
    return (
        question["kind"],
        question["text"],
        question["body_html"],
        tuple(choices),
        question["value"],
        question["tolerance"],
        tuple(question["accepted"]),
    )


def _now(quiz: Quiz) -> dict[str, dict]:
    return {q.id: snapshot_question(q, list(range(len(q.choices)))) for q in quiz.questions}


def changed_questions(actor: User, course: Course) -> dict[str, list[QuestionChange]]:
    """Per quiz key, the questions that differ from what earlier attempts asked."""
    ensure_teaches_course(actor, course.slug)
    groups = db.session.execute(
        select(QuizAttempt.quiz_key, QuizAttempt.language, func.max(QuizAttempt.id), func.count())
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Cohort.course_slug == course.slug, QuizAttempt.content_hash != course.content_hash)
        .group_by(QuizAttempt.quiz_key, QuizAttempt.language, QuizAttempt.content_hash)
    ).all()
    found: dict[str, dict[str, list]] = {}
    for quiz_key, language, attempt_id, count in groups:
        quiz = course.quiz(quiz_key)
        if quiz is None:
            continue
        now = _now(quiz.in_language(language))
        asked = {q["id"]: q for q in db.session.get(QuizAttempt, attempt_id).questions}
        changes = found.setdefault(quiz_key, {})
        for qid in [*now, *(qid for qid in asked if qid not in now)]:
            if qid in now and qid in asked and _asked(now[qid]) == _asked(asked[qid]):
                continue
            what = (
                "changed" if qid in now and qid in asked else "added" if qid in now else "removed"
            )
            text = (now.get(qid) or asked[qid])["text"]
            entry = changes.setdefault(qid, [what, text, 0])
            entry[2] += count
    return {
        key: [QuestionChange(qid, what, text, count) for qid, (what, text, count) in items.items()]
        for key, items in found.items()
        if items
    }
