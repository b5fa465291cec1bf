"""The loader turns a course folder into typed objects, in order, with translations."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from lms.courses.engine import QuestionKind, load_course, load_courses

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sample():
    course, problems = load_course(ROOT / "courses" / "online-safety-basics")
    assert course is not None, [str(p) for p in problems]
    return course


def test_sample_course_is_clean(sample):
    _, problems = load_course(ROOT / "courses" / "online-safety-basics")
    assert [str(p) for p in problems] == []


def test_front_matter_and_languages(sample):
    assert sample.slug == "online-safety-basics"
    assert sample.title() == "Online Safety Basics"
    assert sample.title("ur") == "آن لائن حفاظت کی بنیادی باتیں"
    assert sample.title("id") == "Dasar Keamanan Online"
    assert sample.title("fr") == "Online Safety Basics"  # falls back to the default
    assert sample.language == "en"
    assert sample.languages == ("en", "ur", "id")
    assert sample.completion.pass_mark == 70
    assert sample.completion.quizzes == "all"
    assert sample.certificate.issuer == "Literacy LMS sample programme"
    assert sample.certificate.logo == "media/logo.svg"
    assert sample.certificate.signatories[0].name == "Programme Director"
    assert len(sample.content_hash) == 64


def test_days_and_lessons_in_order(sample):
    assert [d.number for d in sample.days] == [1, 2]
    assert [d.title() for d in sample.days] == ["Your accounts", "Your money"]
    assert sample.days[0].title("ur") == "آپ کے اکاؤنٹس"
    assert sample.days[1].title("ur") == "Your money"  # no day.ur.md: default language
    assert [lesson.slug for lesson in sample.lessons] == [
        "welcome",
        "passwords",
        "further-reading",
        "budget",
        "saving",
    ]
    welcome = sample.lesson("welcome")
    assert welcome.minutes == 3 and welcome.required is True
    assert sample.lesson("further-reading").required is False


def test_translations_fall_back_per_lesson(sample):
    welcome = sample.lesson("welcome")
    assert welcome.text("ur").language == "ur"
    assert welcome.text("ur").title == "خوش آمدید"
    assert welcome.text("id").language == "en"
    assert sample.lesson("budget").text("id").title == "Anggaran sederhana"


def test_neighbours_cross_days(sample):
    before, after = sample.neighbours("further-reading")
    assert before.slug == "passwords" and after.slug == "budget"
    assert sample.neighbours("welcome")[0] is None
    assert sample.neighbours("saving")[1] is None


def test_lesson_markdown_features_render(sample):
    html = sample.lesson("passwords").text("en").html
    assert '<h2 id="length-beats-complexity">' in html  # toc ids
    assert '<a href="#length-beats-complexity"' in html  # [TOC]
    assert '<th align="left">' in html  # table alignment without inline style
    assert 'class="language-text"' in html  # fenced code
    assert 'width="96"' in html  # attribute list on the image
    assert 'src="../media/padlock.svg"' in html and 'loading="lazy"' in html
    assert 'href="saving"' in html  # link to another lesson becomes its URL


def test_links_from_overview_and_anchor(sample):
    assert 'href="lessons/welcome"' in sample.overview_html()
    assert 'src="media/padlock.svg"' in sample.overview_html()
    assert 'href="passwords#length-beats-complexity"' in sample.lesson("saving").text("en").html
    assert 'href="../"' in sample.lesson("further-reading").text("en").html


def test_minutes_estimated_when_missing(write_course):
    words = " ".join(["word"] * 450)
    course, problems = load_course(
        write_course({"day-1-start/01-hello.md": f"---\ntitle: Hi\n---\n{words}\n"})
    )
    assert problems == []
    assert course.lesson("hello").minutes == 3


def test_every_question_type(sample):
    quiz = sample.days[0].quiz
    assert quiz.key == "day-1" and quiz.title == "Day 1 check"
    assert (quiz.pass_mark, quiz.attempts, quiz.shuffle, quiz.partial) == (70, 3, True, False)
    kinds = [q.kind for q in quiz.questions]
    assert kinds == [
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.SINGLE,
        QuestionKind.NUMERIC,
        QuestionKind.SHORT,
    ]
    strong = quiz.question("strong-password")
    assert [c.correct for c in strong.choices] == [False, True, False]
    assert strong.choices[0].feedback_html == "<p>This is the first password attackers try.</p>"
    assert strong.choices[1].feedback_html == ""
    assert "Length beats complexity" in strong.feedback_html
    true_false = quiz.question("otp-never")
    assert [c.text for c in true_false.choices] == ["True", "False"]
    numeric = quiz.question("save-percent")
    assert numeric.value == Decimal(3000) and numeric.tolerance == Decimal(0)
    assert "Give the amount in rupees." in numeric.body_html
    short = quiz.question("second-factor")
    assert short.accepted == ("two-factor authentication", "2FA", "two step verification")
    assert "Five quick questions" in quiz.intro_html


def test_quiz_defaults_and_positional_ids(sample):
    quiz = sample.days[1].quiz
    assert quiz.pass_mark == 60 and quiz.attempts == 0 and quiz.shuffle is False
    assert sample.pre_test.attempts == 1  # pre/post tests default to one attempt
    assert sample.pre_test.pass_mark == 70  # the course's completion pass mark


def test_quiz_translation_takes_original_ids(sample):
    urdu = sample.days[0].quiz.in_language("ur")
    assert urdu.language == "ur"
    assert [q.id for q in urdu.questions] == [q.id for q in sample.days[0].quiz.questions]
    assert urdu.attempts == 3 and urdu.shuffle is True
    assert urdu.question("second-factor").accepted[0] == "دو مرحلہ تصدیق"
    assert sample.days[0].quiz.in_language("id") is sample.days[0].quiz


def test_pre_and_post_tests_share_concepts(sample):
    assert [q.id for q in sample.pre_test.questions] == ["passphrase", "percent"]
    assert [q.id for q in sample.post_test.questions] == ["passphrase", "percent"]
    assert [q.key for q in sample.quizzes()] == ["pre-test", "day-1", "day-2", "post-test"]


def test_numeric_tolerance_spellings(write_course):
    folder = write_course(
        {
            "day-1-start/quiz.md": """
            ---
            title: Q
            ---
            ## a
            = 3.5 +- 0.25
            ## b
            = -2 +/- 1
            ## c
            = 10
            """
        }
    )
    course, problems = load_course(folder)
    assert problems == []
    a, b, c = course.days[0].quiz.questions
    assert (a.value, a.tolerance) == (Decimal("3.5"), Decimal("0.25"))
    assert (b.value, b.tolerance) == (Decimal(-2), Decimal(1))
    assert (c.kind, c.value, c.tolerance) == (QuestionKind.NUMERIC, Decimal(10), Decimal(0))


def test_load_courses_keeps_valid_ones(write_course):
    write_course({}, slug="good")
    write_course({"course.md": "---\ntitle: [unclosed\n---\n"}, slug="bad")
    courses, problems = load_courses(Path("courses"))
    assert list(courses) == ["good"]
    assert len(problems) == 1
    assert str(problems[0]).startswith("courses/bad/course.md:2: bad YAML:")


def test_objects_are_immutable(sample):
    with pytest.raises(AttributeError):
        sample.slug = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        sample.titles["en"] = "x"  # type: ignore[index]


def test_lesson_identity_survives_edits_and_renumbering(write_course):
    before, _ = load_course(write_course({}))
    folder = write_course(
        {
            "day-1-start/01-hello.md": None,
            "day-1-start/01-intro.md": "---\ntitle: Intro\n---\nNew lesson.\n",
            "day-1-start/02-hello.md": "---\ntitle: Hello again\n---\nEdited text.\n",
        },
        slug="tiny2",
    )
    after, problems = load_course(folder)
    assert problems == []
    assert before.lesson("hello") is not None
    assert after.lesson("hello").title == "Hello again" and after.lesson("hello").number == 2
