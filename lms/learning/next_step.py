"""Where "Continue" goes: the first unfinished lesson or quiz of the open days, then the
post-test (the final check) once every day is open and done."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from lms.cohorts.access import LearningContext
from lms.progress.services import Progress


@dataclass(frozen=True)
class Step:
    url: str
    title: str
    kind: str  # "lesson" or "quiz"


def next_step(context: LearningContext, progress: Progress, language: str = "en") -> Step | None:
    cohort_id = context.cohort.id
    for state in context.days:
        if not state.open:
            return None
        for lesson in state.day.lessons:
            if lesson.required and lesson.slug not in progress.done_lessons:
                url = url_for("learning.lesson", cohort_id=cohort_id, lesson_slug=lesson.slug)
                return Step(url, lesson.text(language).title, "lesson")
        quiz = state.day.quiz
        status = progress.quizzes.get(quiz.key) if quiz is not None else None
        if quiz is not None and (status is None or not status.passed):
            url = url_for("learning.quiz", cohort_id=cohort_id, quiz_key=quiz.key)
            return Step(url, quiz.in_language(language).title, "quiz")
    post = context.course.post_test
    if post is not None and not progress.quizzes.get(post.key):
        url = url_for("learning.quiz", cohort_id=cohort_id, quiz_key=post.key)
        return Step(url, post.in_language(language).title, "quiz")
    return None
