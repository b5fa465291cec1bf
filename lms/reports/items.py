"""Item analysis for instructors: how each quiz question did on first attempts.

Per question of a quiz, over the first attempts of the cohort's trainees (withdrawn ones
left out):

- `correct_share`: the share of first attempts that got the question fully right;
- `top_wrong`: the wrong answer chosen most often (for choice questions each wrong
  choice ticked counts once; for typed answers the answer as normalised for grading),
  with how many chose it; of equally common ones, the first in alphabetical order;
- `discrimination`: the upper-lower index D = p(upper) - p(lower), where the upper and
  lower groups are the top and bottom thirds (n // 3 trainees each) ranked by their
  first-attempt score on the whole quiz (ties broken by enrolment, earlier first in the
  upper group), and p is the share fully right within a group. D near 1: the question
  separates those who know from those who do not; near 0 or negative: it confuses them.
  None when fewer than three trainees answered.

Attempts keep the questions as they were asked, so a question that changed since is
analysed as asked; questions no longer in the quiz are left out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment, EnrolmentStatus
from lms.courses.engine import Quiz
from lms.extensions import db
from lms.permissions import can_manage_cohort, ensure
from lms.quizzes.grading import normalise_text
from lms.quizzes.models import QuizAttempt


@dataclass(frozen=True)
class ItemStat:
    question_id: str
    text_html: str  # the question's heading, rendered and sanitised when the course loaded
    kind: str
    answered: int  # first attempts that were asked this question
    correct: int  # of them, fully right
    top_wrong: str | None
    top_wrong_count: int
    discrimination: float | None

    @property
    def correct_share(self) -> float | None:
        return round(100 * self.correct / self.answered, 1) if self.answered else None


@dataclass(frozen=True)
class _First:
    enrolment_id: int
    score: Decimal
    questions: dict[str, dict]
    answers: dict
    results: dict


def _first_attempts(cohort: Cohort, quiz_key: str) -> list[_First]:
    rows = db.session.execute(
        select(
            QuizAttempt.enrolment_id,
            QuizAttempt.score,
            QuizAttempt.questions,
            QuizAttempt.answers,
            QuizAttempt.results,
        )
        .join(Enrolment, Enrolment.id == QuizAttempt.enrolment_id)
        .where(
            Enrolment.cohort_id == cohort.id,
            Enrolment.status != EnrolmentStatus.WITHDRAWN,
            QuizAttempt.quiz_key == quiz_key,
            QuizAttempt.number == 1,
        )
    ).all()
    return [
        _First(e, Decimal(score), {q["id"]: q for q in questions}, answers or {}, results or {})
        for e, score, questions, answers, results in rows
    ]


def _full_marks(first: _First, question_id: str) -> bool:
    return Decimal(str(first.results.get(question_id, 0))) >= 1


def _wrong_answers(question: dict, answer: object) -> list[str]:
    """The wrong parts of one answer, as labels to count."""
    if question["kind"] in ("single", "multiple"):
        chosen = answer if isinstance(answer, list) else [answer]
        texts = {c["index"]: c["text"] for c in question["choices"]}
        wrong = {c["index"] for c in question["choices"] if not c["correct"]}
        return [texts[i] for i in chosen if isinstance(i, int) and i in wrong]
    given = normalise_text(answer if isinstance(answer, str) else None)
    return [given] if given else []


def _thirds(firsts: list[_First]) -> tuple[list[_First], list[_First]]:
    ranked = sorted(firsts, key=lambda f: (-f.score, f.enrolment_id))
    size = len(ranked) // 3
    return ranked[:size], ranked[len(ranked) - size :]


def _share(group: list[_First], question_id: str) -> float:
    asked = [f for f in group if question_id in f.questions]
    return sum(_full_marks(f, question_id) for f in asked) / len(asked) if asked else 0.0


def item_analysis(actor: User, cohort: Cohort, quiz: Quiz) -> list[ItemStat]:
    """One `ItemStat` per question of `quiz`, in the quiz's order: for the cohort's staff."""
    ensure(can_manage_cohort(actor, cohort))
    firsts = _first_attempts(cohort, quiz.key)
    upper, lower = _thirds(firsts)
    stats = []
    for question in quiz.questions:
        asked = [f for f in firsts if question.id in f.questions]
        correct = [f for f in asked if _full_marks(f, question.id)]
        wrong: Counter[str] = Counter()
        for first in asked:
            if not _full_marks(first, question.id):
                wrong.update(
                    _wrong_answers(first.questions[question.id], first.answers.get(question.id))
                )
        top = min(wrong.items(), key=lambda item: (-item[1], item[0]), default=None)
        discrimination = (
            round(_share(upper, question.id) - _share(lower, question.id), 2)
            if len(asked) >= 3 and upper
            else None
        )
        stats.append(
            ItemStat(
                question_id=question.id,
                text_html=question.text_html,
                kind=str(question.kind),
                answered=len(asked),
                correct=len(correct),
                top_wrong=top[0] if top else None,
                top_wrong_count=top[1] if top else 0,
                discrimination=discrimination,
            )
        )
    return stats
