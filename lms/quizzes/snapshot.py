"""Questions as asked: a JSON-ready copy of each question in the order it was shown.

Attempts keep this snapshot, so results stay true after the course is edited. The public
view holds only what a person may see before submitting: no correct answers, no feedback.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lms.courses.engine import Question, Quiz


@dataclass(frozen=True)
class PublicChoice:
    index: int  # the choice's position in the course file: the value submitted
    html: str


@dataclass(frozen=True)
class PublicQuestion:
    """What the quiz page may show: never the answers or the feedback."""

    id: str
    kind: str
    text_html: str
    body_html: str
    choices: tuple[PublicChoice, ...]


def choice_order(quiz: Quiz, rng: random.Random) -> dict[str, list[int]]:
    """The order choices are shown in, per question (shuffled when the quiz says so)."""
    order = {}
    for question in quiz.questions:
        indexes = list(range(len(question.choices)))
        if quiz.shuffle:
            rng.shuffle(indexes)
        order[question.id] = indexes
    return order


def public_questions(quiz: Quiz, order: dict[str, list[int]]) -> list[PublicQuestion]:
    return [
        PublicQuestion(
            id=q.id,
            kind=str(q.kind),
            text_html=q.text_html,
            body_html=q.body_html,
            choices=tuple(PublicChoice(i, q.choices[i].html) for i in order.get(q.id, [])),
        )
        for q in quiz.questions
    ]


def snapshot_question(question: Question, order: list[int]) -> dict:
    return {
        "id": question.id,
        "kind": str(question.kind),
        "text": question.text,
        "text_html": question.text_html,
        "body_html": question.body_html,
        "feedback_html": question.feedback_html,
        "choices": [
            {
                "index": i,
                "text": question.choices[i].text,
                "html": question.choices[i].html,
                "correct": question.choices[i].correct,
                "feedback_html": question.choices[i].feedback_html,
            }
            for i in order
        ],
        "value": str(question.value) if question.value is not None else None,
        "tolerance": str(question.tolerance),
        "accepted": list(question.accepted),
    }


def snapshot(quiz: Quiz, order: dict[str, list[int]]) -> list[dict]:
    return [snapshot_question(q, order.get(q.id, [])) for q in quiz.questions]
