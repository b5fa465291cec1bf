"""Issue 17 item 13 (partial): what is held about a person (JSON), erasure by an admin that
keeps report counts and withdraws certificates, and retention (`lms people purge`)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from lms.permissions import PermissionDenied


@pytest.fixture
def graduate(app, make_user, make_cohort, enrol):
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    trainee = make_user(name="Ayesha Khan", email="ayesha@example.com")
    cohort_id, _ = make_cohort(end_date=date(2026, 1, 9))
    enrolment_id = enrol(trainee, cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        code = services.issue(enrolment, get_catalogue().get("online-safety-basics")).code
        db.session.commit()
    return trainee, cohort_id, code


def test_export_holds_the_account_enrolments_and_certificates(app, runner, graduate):
    trainee, _, code = graduate
    result = runner.invoke(args=["people", "export", "--user", str(trainee.id)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["account"]["email"] == "ayesha@example.com"
    assert data["enrolments"][0]["status"] == "completed"
    assert data["certificates"][0]["code"] == code


def test_only_the_person_or_an_admin_may_export(app, graduate, make_user):
    from lms.auth.models import User
    from lms.extensions import db
    from lms.people import services

    trainee, _, _ = graduate
    other = make_user()
    with app.app_context():
        with pytest.raises(PermissionDenied):
            services.personal_data(db.session.get(User, other.id), db.session.get(User, trainee.id))
        assert services.personal_data(
            db.session.get(User, trainee.id), db.session.get(User, trainee.id)
        )


def test_erase_keeps_counts_and_withdraws_certificates(app, runner, client, graduate):
    from lms.audit.models import AuditEntry
    from lms.auth.models import User
    from lms.cohorts.models import Enrolment
    from lms.extensions import db

    trainee, cohort_id, code = graduate
    result = runner.invoke(args=["people", "erase", "--user", str(trainee.id), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        person = db.session.get(User, trainee.id)
        assert person.name == "Erased person" and person.password_hash is None
        assert "ayesha" not in (person.email or "") and person.phone is None
        assert (
            db.session.scalar(
                select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort_id)
            )
            == 1
        )  # report counts stay right
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"person.erase", "certificate.revoke"} <= actions
    page = client.get(f"/verify/{code}").get_data(as_text=True)
    assert "Ayesha" not in page and "revoked" in page.lower()


def test_purge_is_a_dry_run_first(app, runner, graduate):
    from lms.auth.models import User
    from lms.extensions import db

    trainee, _, _ = graduate
    dry = runner.invoke(args=["people", "purge", "--days", "30"])
    assert dry.exit_code == 0 and f"would erase user {trainee.id}" in dry.output
    with app.app_context():
        assert db.session.get(User, trainee.id).name == "Ayesha Khan"
    done = runner.invoke(args=["people", "purge", "--days", "30", "--yes"])
    assert done.exit_code == 0 and f"erased user {trainee.id}" in done.output
    with app.app_context():
        assert db.session.get(User, trainee.id).name == "Erased person"
    again = runner.invoke(args=["people", "purge", "--days", "30"])
    assert "0 person(s)" in again.output


def test_purge_spares_people_in_a_running_cohort(app, runner, make_user, make_cohort, enrol):
    trainee = make_user()
    cohort_id, _ = make_cohort()  # no end date
    enrol(trainee, cohort_id)
    assert "0 person(s)" in runner.invoke(args=["people", "purge", "--days", "1"]).output


def test_erase_reaches_messages_tokens_and_sign_in_codes(app, runner, graduate):
    """Data other packages hold about the person: queued and sent messages lose address and
    text (queued ones are cancelled), API tokens stop, sign-in codes go."""
    from datetime import datetime

    from lms.api.models import ApiToken
    from lms.api.tokens import create_token
    from lms.auth.models import User
    from lms.extensions import db
    from lms.nudges.models import LoginCode
    from lms.outbox.models import OutboxMessage
    from lms.outbox.services import queue_message
    from lms.permissions import SYSTEM

    trainee, cohort_id, _ = graduate
    with app.app_context():
        person = db.session.get(User, trainee.id)
        queue_message(
            channel="sms", recipient="+923001234567", subject="", body="Ayesha, day 2 is open",
            kind="nudge.day_open", user_id=person.id, cohort_id=cohort_id,
        )  # fmt: skip
        create_token(SYSTEM, person, "phone app", ["submit"])
        db.session.add(
            LoginCode(user_id=person.id, code_hash="0" * 64, expires_at=datetime(2030, 1, 1))
        )
        db.session.commit()
    result = runner.invoke(args=["people", "erase", "--user", str(trainee.id), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.user_id == trainee.id)
        ).all()
        assert messages and all(
            m.recipient == "erased" and "Ayesha" not in m.body for m in messages
        )
        assert all(m.status != "queued" for m in messages)
        tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == trainee.id)).all()
        assert tokens and all(t.revoked_at is not None for t in tokens)
        assert not db.session.scalars(
            select(LoginCode).where(LoginCode.user_id == trainee.id)
        ).all()
