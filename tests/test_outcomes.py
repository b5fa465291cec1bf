"""The outcomes contract: the post-test is part of completion (unless the course says
`completion: {post_test: optional}`) and "continue" leads to it; the pre-test shows only
"what you know now": no pass mark, verdict, attempts, correct answers or feedback."""

from __future__ import annotations

import re

import pytest
from conftest import csrf_from, sign_in_as
from quizhelpers import DAY1_RIGHT, DAY2_RIGHT, submit

LESSONS = ["welcome", "passwords", "budget", "saving"]
POST_WRONG = {"q-passphrase": "1", "q-percent": "12"}


def finish_the_days(client, cohort_id: int) -> None:
    for slug in LESSONS:
        page = client.get(f"/cohorts/{cohort_id}/lessons/{slug}").get_data(as_text=True)
        client.post(
            f"/cohorts/{cohort_id}/lessons/{slug}/done", data={"csrf_token": csrf_from(page)}
        )
    assert submit(client, cohort_id, "day-1", DAY1_RIGHT).status_code == 302
    assert submit(client, cohort_id, "day-2", DAY2_RIGHT).status_code == 302


def status_of(app, enrolment_id: int) -> str:
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    with app.app_context():
        return db.session.get(Enrolment, enrolment_id).status


def test_certificate_waits_for_the_post_test_and_continue_leads_to_it(
    app, client, make_user, make_cohort, enrol
):
    cohort_id, _ = make_cohort()
    user = make_user(name="Budi Santoso")
    enrolment_id = enrol(user, cohort_id)
    sign_in_as(client, user)
    finish_the_days(client, cohort_id)
    assert status_of(app, enrolment_id) == "active"
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "Download your certificate" not in home and "You have completed" not in home
    assert client.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 404
    continued = client.get(f"/cohorts/{cohort_id}/continue")
    assert continued.headers["Location"] == f"/cohorts/{cohort_id}/quizzes/post-test"
    assert f'href="/cohorts/{cohort_id}/quizzes/post-test"' in home
    # taking it completes the course, whatever the score: it measures, it does not gate
    result = submit(client, cohort_id, "post-test", POST_WRONG)
    assert result.status_code == 302
    assert status_of(app, enrolment_id) == "completed"
    home = client.get(f"/cohorts/{cohort_id}/").get_data(as_text=True)
    assert "Download your certificate (PDF)" in home
    assert client.get(f"/cohorts/{cohort_id}/certificate.pdf").status_code == 200


def test_an_optional_post_test_leaves_completion_to_the_days_but_is_still_offered(
    make_app, courses_dir, make_user, make_cohort, enrol
):
    course_md = courses_dir / "online-safety-basics" / "course.md"
    text = course_md.read_text()
    course_md.write_text(
        text.replace("  pass_mark: 70\n", "  pass_mark: 70\n  post_test: optional\n")
    )
    app = make_app()
    client = app.test_client()
    cohort_id, _ = make_cohort()
    user = make_user()
    enrolment_id = enrol(user, cohort_id)
    sign_in_as(client, user)
    finish_the_days(client, cohort_id)
    assert status_of(app, enrolment_id) == "completed"
    continued = client.get(f"/cohorts/{cohort_id}/continue")
    assert continued.headers["Location"] == f"/cohorts/{cohort_id}/quizzes/post-test"


def test_courses_check_rejects_an_unknown_post_test_rule(runner, courses_dir):
    course_md = courses_dir / "online-safety-basics" / "course.md"
    text = course_md.read_text()
    course_md.write_text(text.replace("  pass_mark: 70\n", "  pass_mark: 70\n  post_test: maybe\n"))
    result = runner.invoke(args=["courses", "check", str(courses_dir)])
    assert result.exit_code == 1
    assert "completion.post_test must be required or optional" in result.output


def test_the_credential_criteria_name_the_post_test(app):
    from lms.courses.catalogue import get_catalogue
    from lms.credentials.build import narrative

    with app.app_context():
        course = get_catalogue().get("online-safety-basics")
        assert course.completion.post_test == "required"
        assert "final check (post-test)" in narrative(course.completion)


FORBIDDEN_ON_THE_PRE_TEST = [
    "pass mark",
    "not passed",
    "passed",
    "attempt left",
    "attempts left",
    "correct answer",
    "Not correct",
    "Correct",
    "Your answer</strong>",
    "Four random words beat a word with numbers.",  # the question's feedback
    "river-lamp-orbit-sugar",  # the right choice, shown beside the result
]


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]


@pytest.mark.parametrize("language", ["en", "ur", "id"])
def test_the_pre_test_shows_only_what_you_know_now(
    app, client, make_user, make_cohort, enrol, language
):
    from lms.extensions import db

    cohort_id, _ = make_cohort()
    user = make_user()
    enrol(user, cohort_id)
    with app.app_context():
        from lms.auth.models import User

        db.session.get(User, user.id).language = language
        db.session.commit()
    sign_in_as(client, user)
    page = main_of(client.get(f"/cohorts/{cohort_id}/quizzes/pre-test").get_data(as_text=True))
    if language == "en":
        assert "pass mark" not in page and "attempts left" not in page
        assert "It does not count for your certificate" in page
    answers = {"q-passphrase": "1", "q-percent": "30"}  # one right, one wrong
    response = submit(client, cohort_id, "pre-test", answers)
    assert response.status_code == 302
    result = main_of(client.get(response.headers["Location"]).get_data(as_text=True))
    if language == "en":
        assert "What you know now: 50%" in result
        for text in FORBIDDEN_ON_THE_PRE_TEST:
            assert text not in result, text
    assert not re.search(r'class="(ok|bad)"', result)
    assert 'class="results"' not in result and "feedback" not in result
    again = main_of(client.get(f"/cohorts/{cohort_id}/quizzes/pre-test").get_data(as_text=True))
    if language == "en":
        assert "What you know now: 50%" in again
        assert "attempts" not in again and "instructor" not in again
    assert f'href="/cohorts/{cohort_id}/continue"' in again
