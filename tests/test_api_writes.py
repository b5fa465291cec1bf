"""API writes through the same services as the pages: cohorts, enrolment (one, bulk),
withdrawal, quiz submission (race-safe over real HTTP), certificate revoke and reissue."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from apihelpers import bearer
from quizhelpers import DAY1_RIGHT
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lms.extensions import db


def api_answers(form: dict) -> dict:
    """The quiz page's `q-<id>` fields as the API's answers object."""
    out = {}
    for field, value in form.items():
        key = field.removeprefix("q-")
        out[key] = [int(v) for v in value] if isinstance(value, list) else value
    return out


def test_create_and_update_a_cohort(client, make_user, make_token):
    token = make_token(make_user("instructor"), "admin")
    created = client.post(
        "/api/v1/cohorts",
        json={"name": "Karachi <b>May</b>", "course_slug": "online-safety-basics",
              "start_date": "2026-05-04", "pacing": "self", "organisation": "Bank"},
        headers=bearer(token),
    )  # fmt: skip
    assert created.status_code == 201, created.json
    body = created.json
    assert body["name"] == "Karachi <b>May</b>" and body["join_code"]
    changed = client.patch(
        f"/api/v1/cohorts/{body['id']}", json={"capacity": 30}, headers=bearer(token)
    )
    assert changed.status_code == 200 and changed.json["capacity"] == 30
    assert changed.json["name"] == body["name"]
    bad = client.patch(
        f"/api/v1/cohorts/{body['id']}", json={"timezone": "Mars/Base"}, headers=bearer(token)
    )
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid"


def test_trainee_cannot_create_a_cohort(client, make_user, make_token):
    token = make_token(make_user(), "admin")
    answer = client.post(
        "/api/v1/cohorts",
        json={"name": "X", "course_slug": "online-safety-basics", "start_date": "2026-05-04"},
        headers=bearer(token),
    )
    assert answer.status_code == 403


def test_enrol_one_then_bulk_with_per_row_results_then_withdraw(
    app, client, make_user, make_token, make_cohort
):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    token = make_token(instructor, "read", "enrol")
    one = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments",
        json={"name": "Ayesha", "email": "ayesha@test.example"},
        headers=bearer(token),
    )
    assert one.status_code == 201, one.json
    assert one.json["results"][0]["status"] == "created"
    again = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments",
        json={"name": "Ayesha", "email": "ayesha@test.example"},
        headers=bearer(token),
    )
    assert again.status_code == 200 and again.json["already"] == 1
    many = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments/bulk",
        json={"rows": [{"name": "Budi", "phone": "+6281234567890"},
                       {"name": "", "email": "noname@test.example"},
                       {"name": "Ayesha", "email": "ayesha@test.example"}]},
        headers=bearer(token),
    )  # fmt: skip
    assert many.status_code == 200, many.json
    statuses = [(r["row"], r["status"]) for r in many.json["results"]]
    assert statuses == [(1, "created"), (2, "error"), (3, "already")]
    listed = client.get(f"/api/v1/cohorts/{cohort_id}/enrolments", headers=bearer(token))
    enrolment_id = listed.json["data"][0]["id"]
    withdrawn = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw", headers=bearer(token)
    )
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"


def test_another_instructor_cannot_enrol(client, make_user, make_token, make_cohort):
    cohort_id, _ = make_cohort(instructor=make_user("instructor"))
    other = make_token(make_user("instructor"), "enrol", "read")
    answer = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments",
        json={"name": "Ayesha", "email": "ayesha@test.example"},
        headers=bearer(other),
    )
    assert answer.status_code == 403


def test_quiz_has_no_answers_and_submission_grades_once(client, make_user, make_token,
                                                       make_cohort, enrol):  # fmt: skip
    trainee = make_user()
    cohort_id, _ = make_cohort()
    enrol(trainee, cohort_id)
    token = make_token(trainee, "read", "submit")
    quiz = client.get(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1", headers=bearer(token))
    assert quiz.status_code == 200
    text = json.dumps(quiz.json)
    assert "correct" not in text and "feedback" not in text and "accepted" not in text
    body = {"attempt": quiz.json["attempt"], "answers": api_answers(DAY1_RIGHT)}
    first = client.post(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1", json=body,
                        headers=bearer(token))  # fmt: skip
    assert first.status_code == 201, first.json
    assert first.json["passed"] is True and first.json["score"] == 100
    second = client.post(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1", json=body,
                         headers=bearer(token))  # fmt: skip
    assert second.json["number"] == first.json["number"] == 1
    results = client.get(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1/attempts",
                         headers=bearer(token))  # fmt: skip
    assert [a["number"] for a in results.json["data"]] == [1]
    mine = client.get("/api/v1/me/progress", headers=bearer(token))
    assert mine.json["data"][0]["days"][0]["quiz_passed"] is True


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_twenty_concurrent_submits_of_one_token_make_one_attempt(
    app, client, live_server, make_user, make_token, make_cohort, enrol
):
    trainee = make_user()
    cohort_id, _ = make_cohort()
    enrol(trainee, cohort_id)
    token = make_token(trainee, "read", "submit")
    quiz = client.get(f"/api/v1/cohorts/{cohort_id}/quizzes/day-1", headers=bearer(token))
    data = json.dumps({"attempt": quiz.json["attempt"], "answers": api_answers(DAY1_RIGHT)})
    barrier = threading.Barrier(20)

    def submit(_n: int) -> tuple[int, int]:
        request = urllib.request.Request(  # noqa: S310 - a local http URL
            f"{live_server}/api/v1/cohorts/{cohort_id}/quizzes/day-1",
            data=data.encode(),
            headers={**bearer(token), "Content-Type": "application/json"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                return response.status, json.loads(response.read())["number"]
        except urllib.error.HTTPError as error:
            return error.code, 0

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(submit, range(20)))
    assert all(status in (200, 201) for status, _ in outcomes), outcomes
    assert {number for _, number in outcomes} == {1}
    from lms.quizzes.models import QuizAttempt

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_revoke_and_reissue_certificates(app, client, make_user, make_token, make_cohort):
    from quizhelpers import DAY2_RIGHT

    instructor = make_user("instructor")
    trainee = make_user(name="Ayesha Khan")
    cohort_id, _ = make_cohort(instructor=instructor)
    from werkzeug.datastructures import MultiDict

    from lms.auth.models import User
    from lms.certificates.models import Certificate
    from lms.cohorts import services
    from lms.cohorts.access import learning_context
    from lms.progress.services import mark_lesson_done
    from lms.quizzes import services as quizzes

    with app.app_context(), app.test_request_context():
        person = db.session.get(User, trainee.id)
        services.enrol(services.get_cohort(cohort_id), person, actor=None)
        context = learning_context(person, cohort_id)
        for lesson in context.course.lessons:
            mark_lesson_done(context.enrolment, context.course, lesson)
        for key, answers in (("day-1", DAY1_RIGHT), ("day-2", DAY2_RIGHT)):
            form = quizzes.new_attempt_form(context, key, "en")
            quizzes.submit(context, key, form.payload, MultiDict(answers))
        db.session.commit()
        code = db.session.scalar(select(Certificate.code))
    assert code, "the trainee completed and got a certificate"
    token = make_token(instructor, "admin")
    listed = client.get("/api/v1/certificates", headers=bearer(token))
    assert [c["code"] for c in listed.json["data"]] == [code]
    reissued = client.post(f"/api/v1/certificates/{code}/reissue",
                           json={"holder_name": "Ayesha K. Khan"}, headers=bearer(token))  # fmt: skip
    assert reissued.status_code == 201, reissued.json
    new_code = reissued.json["code"]
    assert client.get(f"/api/v1/certificates/{code}", headers=bearer(token)).json["status"] == (
        "superseded"
    )
    revoked = client.post(f"/api/v1/certificates/{new_code}/revoke",
                          json={"reason": "duplicate"}, headers=bearer(token))  # fmt: skip
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    trainee_token = make_token(trainee, "admin", name="t")
    refused = client.post(f"/api/v1/certificates/{new_code}/reissue",
                          json={"holder_name": "X"}, headers=bearer(trainee_token))  # fmt: skip
    assert refused.status_code == 403
