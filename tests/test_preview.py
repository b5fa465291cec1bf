"""The course preview at /teach/courses/<slug>/preview: who may see it, what it shows
(answer keys, feedback, translations side by side, completion rules, check results), and
which quiz questions changed since trainees answered them."""

from __future__ import annotations

import re

import pytest
from conftest import sign_in_as

SLUG = "online-safety-basics"
URL = f"/teach/courses/{SLUG}/preview"


@pytest.fixture
def people(make_user, make_cohort, enrol):
    teacher = make_user("instructor", name="Teacher")
    cohort_id, _code = make_cohort(instructor=teacher, org="Bank")
    trainee = make_user("trainee", name="Trainee")
    enrol(trainee, cohort_id)
    return {
        "teacher": teacher,
        "other": make_user("instructor", name="Other instructor"),
        "trainee": trainee,
        "sponsor": make_user("sponsor", org="Bank"),
        "admin": make_user("admin"),
        "cohort": cohort_id,
    }


@pytest.mark.parametrize(
    "who, status",
    [
        (None, 302),
        ("trainee", 404),
        ("sponsor", 404),
        ("other", 404),
        ("teacher", 200),
        ("admin", 200),
    ],
)
def test_who_may_preview(client, people, who, status):
    if who:
        sign_in_as(client, people[who])
    response = client.get(URL)
    assert response.status_code == status
    if who is None:
        assert "/login" in response.headers["Location"]
    if status == 404:
        assert "Correct answer" not in response.get_data(as_text=True)


def test_unknown_course_is_404_even_for_admins(client, people):
    sign_in_as(client, people["admin"])
    assert client.get("/teach/courses/no-such-course/preview").status_code == 404


def page_of(client, user) -> str:
    sign_in_as(client, user)
    response = client.get(URL)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_preview_shows_keys_feedback_rules_and_translations(client, people):
    html = page_of(client, people["teacher"])
    # every day open, with its completion rule
    assert 'id="day-1"' in html and 'id="day-2"' in html
    assert "Pass the quiz with at least 70%" in html
    assert "Required lessons" in html
    # answer keys: the correct choice is marked in words (read by screen readers too)
    keys = re.findall(
        r'<li class="correct">\s*<strong class="key" lang="en">✓ Correct answer:</strong>\s*(.+)',
        html,
    )
    assert "Four random words joined together" in keys
    assert "123456" not in keys
    assert re.search(
        r'<li class="wrong">\s*<span class="meta" lang="en">Wrong answer:</span>\s*123456', html
    )
    assert re.search(r"✓ Correct answer:</strong> 3000\b", html)  # the numeric key
    # per-choice and general feedback
    assert "This is the first password attackers try." in html
    assert "Length beats complexity" in html
    # translations beside the original, each with its source file and line
    assert 'lang="ur"' in html and 'lang="id"' in html
    assert f"<code>{SLUG}/day-1-accounts/quiz.ur.md:" in html
    assert f"<code>{SLUG}/day-1-accounts/01-welcome.ur.md</code>" in html
    # no trainee controls: nothing to submit
    assert 'type="radio"' not in html and 'type="checkbox"' not in html
    assert "No problems" in html


def test_preview_lists_check_problems_with_path_and_line(client, people, courses_dir, make_app):
    lesson = courses_dir / SLUG / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(lesson.read_text().replace("---\n", "---\ncolour: blue\n", 1))
    app = make_app(COURSES_RELOAD=True)
    client = app.test_client()
    html = page_of(client, people["teacher"])
    assert f"<code>courses/{SLUG}/day-1-accounts/02-passwords.md:2</code>" in html
    assert "unknown front-matter key &#39;colour&#39;" in html
    assert "last version that passed the check" in html


def test_user_text_in_problems_is_escaped(client, people, courses_dir, make_app):
    lesson = courses_dir / SLUG / "day-1-accounts" / "02-passwords.md"
    lesson.write_text(lesson.read_text().replace("---\n", "---\n'<b>x</b>': 1\n", 1))
    client = make_app(COURSES_RELOAD=True).test_client()
    html = page_of(client, people["admin"])
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def take_quiz(client, cohort_id: int) -> None:
    """Answer Day 1's quiz through the real pages."""
    page = client.get(f"/cohorts/{cohort_id}/quizzes/day-1").get_data(as_text=True)
    payload = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/cohorts/{cohort_id}/quizzes/day-1",
        data={"attempt": payload, "csrf_token": token, "q-save-percent": "3000"},
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


def test_changed_questions_are_listed_and_attempts_keep_what_was_asked(
    people, courses_dir, make_app
):
    app = make_app(COURSES_RELOAD=True)
    trainee, teacher = app.test_client(), app.test_client()
    sign_in_as(trainee, people["trainee"])
    take_quiz(trainee, people["cohort"])
    quiz = courses_dir / SLUG / "day-1-accounts" / "quiz.md"
    quiz.write_text(quiz.read_text().replace("How much do you save?", "How much do you put aside?"))
    html = page_of(teacher, people["teacher"])
    changes = html.split('id="changes-title"')[1].split("</section>")[0]
    assert "How much do you put aside?" in changes and "changed" in changes
    assert "1 earlier attempt" in changes
    assert "Which of these is the strongest password?" not in changes  # unchanged
    result = trainee.get(f"/cohorts/{people['cohort']}/quizzes/day-1/attempts/1")
    assert result.status_code == 200
    text = result.get_data(as_text=True)
    assert "How much do you save?" in text and "put aside" not in text


def test_submitting_a_quiz_edited_meanwhile_asks_to_open_it_again(people, courses_dir, make_app):
    app = make_app(COURSES_RELOAD=True)
    trainee = app.test_client()
    sign_in_as(trainee, people["trainee"])
    cohort = people["cohort"]
    page = trainee.get(f"/cohorts/{cohort}/quizzes/day-1").get_data(as_text=True)
    quiz = courses_dir / SLUG / "day-1-accounts" / "quiz.md"
    quiz.write_text(quiz.read_text().replace("{#save-percent}", "{#save-share}"))
    payload = re.search(r'name="attempt" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = trainee.post(
        f"/cohorts/{cohort}/quizzes/day-1",
        data={"attempt": payload, "csrf_token": token, "q-strong-password": "0"},
        follow_redirects=True,
    )
    assert "This quiz was changed while you were answering" in response.get_data(as_text=True)
    from lms.extensions import db
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        assert db.session.query(QuizAttempt).count() == 0


def test_the_cohorts_page_links_to_the_preview(client, people):
    sign_in_as(client, people["teacher"])
    html = client.get("/teach/").get_data(as_text=True)
    assert f'href="{URL}"' in html


def test_a_course_that_never_passed_shows_only_its_errors(people, courses_dir, make_app):
    course = courses_dir / "broken-course"
    course.mkdir()
    (course / "course.md").write_text("---\ntitle: Broken\nlanguage: xx-yy\n---\nHello\n")
    client = make_app().test_client()
    sign_in_as(client, people["admin"])
    response = client.get("/teach/courses/broken-course/preview")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "never passed the check" in html
    assert "<code>courses/broken-course/course.md:3</code>" in html
    assert client.get("/courses/broken-course/").status_code == 404  # trainees see nothing
