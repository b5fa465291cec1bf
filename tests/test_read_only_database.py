"""Issue 17 item 5: with the database unwritable, /healthz says so (503) and a failed save
says it was not saved, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from conftest import ON_POSTGRES, csrf_from, sign_in_as


def read_only(url: str) -> str:
    """The same database, opened so that it refuses every write."""
    if ON_POSTGRES:
        return url + "%20-cdefault_transaction_read_only%3Don"
    return url.replace("sqlite:///", "sqlite:///file:", 1) + "?mode=ro&uri=true"


@pytest.fixture
def unwritable(app, database_url, make_user, make_cohort, enrol):
    """An app on the seeded database opened read-only (built apart from `make_app`, whose
    clean-up writes)."""
    from lms import create_app
    from lms.extensions import db

    trainee = make_user()
    cohort_id, _ = make_cohort()
    enrol(trainee, cohort_id)
    assert ("options=" in database_url) if ON_POSTGRES else database_url.startswith("sqlite:///")
    config = {**app.config, "SQLALCHEMY_DATABASE_URI": read_only(database_url)}
    config["INSTANCE_PATH"] = app.instance_path
    frozen = create_app(config)
    yield frozen, trainee, cohort_id
    with frozen.app_context():
        db.session.remove()
        db.engine.dispose()


def test_healthz_reports_a_database_that_takes_no_writes(unwritable):
    app, _, _ = unwritable
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "read-only"}


def test_healthz_still_ok_when_writable(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["database"] == "ok"


def test_a_failed_save_does_not_claim_the_work_is_saved(unwritable):
    app, trainee, cohort_id = unwritable
    client = app.test_client()
    sign_in_as(client, trainee)
    page = client.get(f"/cohorts/{cohort_id}/lessons/welcome")
    assert page.status_code == 200  # reading still works
    response = client.post(
        f"/cohorts/{cohort_id}/lessons/welcome/done",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "was not saved" in body and "is saved" not in body


def test_the_generic_error_page_promises_nothing(app):
    from lms.web.errors import MESSAGES

    with app.test_request_context():
        assert "saved;" not in str(MESSAGES[500]) and "may not have been saved" in str(
            MESSAGES[500]
        )
