"""The JSON API: tokens (hashed, scoped, expiring, revocable, audited), reads with
pagination and ETags, errors, and the OpenAPI document covering every operation."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from apihelpers import bearer
from openapi_spec_validator import validate
from sqlalchemy import select

from lms.api.models import ApiToken
from lms.audit.models import AuditEntry
from lms.extensions import db


def test_cli_creates_a_token_shown_once_and_stored_hashed(app, runner, make_user):
    instructor = make_user("instructor", email="ins@test.example")
    result = runner.invoke(
        args=[
            "tokens",
            "create",
            "--user",
            "ins@test.example",
            "--name",
            "crm",
            "--scope",
            "read",
            "--scope",
            "enrol",
        ]  # fmt: skip
    )
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("lms_") and " " not in secret
    with app.app_context():
        stored = db.session.scalar(select(ApiToken).where(ApiToken.user_id == instructor.id))
        assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert secret not in repr([getattr(stored, c.name) for c in ApiToken.__table__.columns])
        assert stored.scopes == ["read", "enrol"]
    listing = runner.invoke(args=["tokens", "list", "--user", "ins@test.example"])
    assert "crm" in listing.output and secret not in listing.output
    client = app.test_client()
    assert client.get("/api/v1/cohorts", headers=bearer(secret)).status_code == 200
    revoked = runner.invoke(
        args=["tokens", "revoke", "--user", "ins@test.example", "--name", "crm"]
    )
    assert revoked.exit_code == 0, revoked.output
    answer = client.get("/api/v1/cohorts", headers=bearer(secret))
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"


def test_missing_unknown_and_expired_tokens_get_401(make_app, make_user, make_token):
    user = make_user("instructor")
    token = make_token(user, days=1)
    client = make_app().test_client()
    assert client.get("/api/v1/courses").status_code == 401
    assert client.get("/api/v1/courses", headers=bearer("lms_nope")).status_code == 401
    assert client.get("/api/v1/courses", headers=bearer(token)).status_code == 200
    from lms.clock import now

    later = make_app(NOW=now() + timedelta(days=2)).test_client()
    answer = later.get("/api/v1/courses", headers=bearer(token))
    assert answer.status_code == 401
    assert set(answer.json["error"]) == {"code", "message"}


def test_every_use_is_audited_with_the_token_name(app, client, make_user, make_token):
    user = make_user("instructor")
    token = make_token(user, name="district dashboard")
    client.get("/api/v1/courses", headers=bearer(token))
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api.request"))
        assert entry.details["name"] == "district dashboard"
        assert entry.details["path"] == "/api/v1/courses"
        assert entry.actor_id == user.id
        assert token not in str(entry.details)


def test_scope_is_refused_with_403(client, make_user, make_token, make_cohort):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    read_only = make_token(instructor, "read")
    answer = client.post(
        f"/api/v1/cohorts/{cohort_id}/enrolments",
        json={"name": "Ayesha", "email": "ayesha@test.example"},
        headers=bearer(read_only),
    )
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "insufficient_scope"
    report_only = make_token(instructor, "report", name="r")
    assert client.get("/api/v1/cohorts", headers=bearer(report_only)).status_code == 403


def test_trainee_token_cannot_read_another_cohort(client, make_user, make_token, make_cohort):
    trainee = make_user()
    cohort_id, _ = make_cohort()
    answer = client.get(f"/api/v1/cohorts/{cohort_id}", headers=bearer(make_token(trainee)))
    assert answer.status_code == 404
    assert answer.json == {
        "error": {"code": "not_found", "message": answer.json["error"]["message"]}
    }


def test_cursor_pagination_follows_next_links(client, make_user, make_token, make_cohort, enrol):
    instructor = make_user("instructor")
    cohort_id, _ = make_cohort(instructor=instructor)
    ids = [enrol(make_user(), cohort_id) for _ in range(5)]
    token = make_token(instructor)
    seen, url = [], f"/api/v1/cohorts/{cohort_id}/enrolments?limit=2"
    pages = 0
    while url:
        answer = client.get(url, headers=bearer(token))
        assert answer.status_code == 200, answer.json
        seen += [row["id"] for row in answer.json["data"]]
        url = answer.json["next"]
        if url:
            assert url.startswith("http://localhost/api/v1/")
            url = url.removeprefix("http://localhost")
        pages += 1
    assert seen == ids and pages == 3


def test_etag_and_if_none_match_give_304(client, make_user, make_token):
    token = make_token(make_user("instructor"))
    first = client.get("/api/v1/courses/online-safety-basics", headers=bearer(token))
    assert first.status_code == 200 and first.headers["ETag"]
    assert [d["number"] for d in first.json["days"]] == [1, 2]
    again = client.get(
        "/api/v1/courses/online-safety-basics",
        headers={**bearer(token), "If-None-Match": first.headers["ETag"]},
    )
    assert again.status_code == 304 and again.data == b""


def test_errors_have_one_shape(client, make_user, make_token):
    token = make_token(make_user("instructor"), "admin")
    for answer, status in [
        (client.get("/api/v1/courses/nope", headers=bearer(token)), 404),
        (client.get("/api/v1/nothing-here", headers=bearer(token)), 404),
        (client.post("/api/v1/cohorts", data="x", headers=bearer(token)), 400),
        (client.post("/api/v1/cohorts", json={"name": ""}, headers=bearer(token)), 422),
        (client.delete("/api/v1/courses", headers=bearer(token)), 405),
    ]:
        assert answer.status_code == status
        assert set(answer.json) == {"error"} and set(answer.json["error"]) == {"code", "message"}


def test_openapi_document_is_valid_and_covers_every_rule(app, client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    spec = answer.json
    assert spec["openapi"].startswith("3.1")
    validate(spec)
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    from lms.api.spec import openapi_path

    rules = {
        (openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint not in ("api.openapi", "api.reference")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules and rules <= documented
    for path in ["/api/v1/courses", "/api/v1/courses/{slug}", "/api/v1/cohorts",
                 "/api/v1/cohorts/{cohort_id}", "/api/v1/cohorts/{cohort_id}/enrolments",
                 "/api/v1/cohorts/{cohort_id}/progress", "/api/v1/cohorts/{cohort_id}/report",
                 "/api/v1/organisations/{organisation_id}/report", "/api/v1/me/progress",
                 "/api/v1/cohorts/{cohort_id}/quizzes/{quiz_key}",
                 "/api/v1/certificates/{code}"]:  # fmt: skip
        assert path in spec["paths"], path
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "GET /api/v1/cohorts" in page.get_data(as_text=True)


def test_profile_page_shows_a_new_token_once_and_revokes_it(app, client, make_user, csrf_token):
    from conftest import sign_in_as

    sign_in_as(client, make_user("instructor"))
    page = client.post(
        "/account/tokens",
        data={"name": "crm <x>", "scopes": ["read", "enrol"], "days": "30",
              "csrf_token": csrf_token("/account/tokens")},
    )  # fmt: skip
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "crm &lt;x&gt;" in html
    secret = html.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
    assert client.get("/api/v1/cohorts", headers=bearer(secret)).status_code == 200
    assert secret not in client.get("/account/tokens").get_data(as_text=True)
    client.post(
        "/account/tokens/revoke",
        data={"name": "crm <x>", "csrf_token": csrf_token("/account/tokens")},
    )
    assert client.get("/api/v1/cohorts", headers=bearer(secret)).status_code == 401
