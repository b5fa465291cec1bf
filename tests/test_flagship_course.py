"""The flagship course, "Digital & Financial Literacy for Creators": shape and translations."""

from __future__ import annotations

from pathlib import Path

import pytest

from lms.courses.engine import load_course

FOLDER = Path(__file__).resolve().parent.parent / "courses" / "money-smart-creators"
LANGUAGES = ("ur", "id")


@pytest.fixture(scope="module")
def course():
    loaded, problems = load_course(FOLDER)
    assert loaded is not None, [str(p) for p in problems]
    assert problems == [], [str(p) for p in problems]
    return loaded


def test_five_days_with_lessons_and_a_quiz(course):
    assert course.title() == "Digital & Financial Literacy for Creators"
    assert course.languages == ("en", "ur", "id")
    assert [day.number for day in course.days] == [1, 2, 3, 4, 5]
    for day in course.days:
        assert 3 <= len(day.lessons) <= 5, day.folder
        assert all(5 <= lesson.minutes <= 10 for lesson in day.lessons), day.folder
        assert day.quiz is not None and 5 <= len(day.quiz.questions) <= 8, day.folder
        kinds = {question.kind for question in day.quiz.questions}
        assert len(kinds) >= 3, f"{day.folder}: quiz should mix question types"
        assert all(question.feedback_html for question in day.quiz.questions), day.folder


def test_pre_and_post_tests_measure_the_same_ten_concepts(course):
    pre, post = course.pre_test, course.post_test
    assert len(pre.questions) == len(post.questions) == 10
    assert [q.id for q in pre.questions] == [q.id for q in post.questions]
    assert [q.kind for q in pre.questions] == [q.kind for q in post.questions]

    # Parallel forms: the same concept asked with different words, numbers or choices.
    def wording(question):
        return question.text, question.body_html, [c.text for c in question.choices], question.value

    assert all(wording(a) != wording(b) for a, b in zip(pre.questions, post.questions, strict=True))
    assert pre.attempts == post.attempts == 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_is_complete(course, language):
    assert language in course.titles and language in course.overviews
    for day in course.days:
        assert language in day.titles, day.folder
        for lesson in day.lessons:
            assert language in lesson.texts, f"{lesson.slug} has no {language} text"
            assert lesson.texts[language].words > 0.4 * lesson.texts["en"].words, lesson.slug
        assert language in day.quiz.translations, f"{day.folder} quiz has no {language}"
    for quiz in (course.pre_test, course.post_test):
        assert language in quiz.translations
        translated = quiz.translations[language]
        assert [q.shape() for q in translated.questions] == [q.shape() for q in quiz.questions]


def test_amounts_use_local_currencies(course):
    text = " ".join(lesson.texts["en"].html for lesson in course.lessons)
    assert "PKR" in text and ("IDR" in text or "Rp" in text)
