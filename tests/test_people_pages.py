"""Issue 17 item 13, the pages: a person downloads their data from the profile; a trainee
asks for deletion (and may withdraw); an admin erases after typing the name, over HTTP."""

from __future__ import annotations

import json
from datetime import date

import pytest
from conftest import csrf_from, sign_in_as
from sqlalchemy import func, select


@pytest.fixture
def graduate(app, make_user, make_cohort, enrol):
    """A trainee who finished a cohort and holds a certificate, with a second trainee."""
    from lms.certificates import services
    from lms.clock import utcnow_naive
    from lms.cohorts.models import Enrolment
    from lms.courses.catalogue import get_catalogue
    from lms.extensions import db

    trainee = make_user(name="Ayesha Khan", email="ayesha@example.com")
    cohort_id, _ = make_cohort(name="Karachi 1", end_date=date(2026, 1, 9))
    enrolment_id = enrol(trainee, cohort_id)
    enrol(make_user(name="Budi Santoso"), cohort_id)
    with app.app_context():
        enrolment = db.session.get(Enrolment, enrolment_id)
        enrolment.status, enrolment.completed_at = "completed", utcnow_naive()
        code = services.issue(enrolment, get_catalogue().get("online-safety-basics")).code
        db.session.commit()
    return trainee, cohort_id, code


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Admin", email="admin@example.com")


def _actions(app) -> list[tuple[str, int | None]]:
    from lms.audit.models import AuditEntry
    from lms.extensions import db

    with app.app_context():
        return list(db.session.execute(select(AuditEntry.action, AuditEntry.actor_id)).all())


def _requests(app):
    from lms.extensions import db
    from lms.people.models import DeletionRequest

    with app.app_context():
        rows = db.session.scalars(select(DeletionRequest).order_by(DeletionRequest.id)).all()
        return [(r.user_id, r.status, r.handled_by_id) for r in rows]


def test_a_person_downloads_their_data_from_the_profile(app, client, login, graduate):
    trainee, _, code = graduate
    login("ayesha@example.com")
    profile = client.get("/account/profile").get_data(as_text=True)
    assert "Your data" in profile and 'href="/account/data.json"' in profile
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.json"')
    assert "no-store" in response.headers["Cache-Control"]
    assert response.mimetype == "application/json"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ayesha@example.com"
    assert data["account"]["id"] == trainee.id
    assert [e["cohort"] for e in data["enrolments"]] == ["Karachi 1"]
    assert data["certificates"][0]["code"] == code
    assert "Budi" not in response.get_data(as_text=True)  # nobody else's data
    assert ("person.export", trainee.id) in _actions(app)


def test_staff_download_their_own_data_too(app, client, admin):
    sign_in_as(client, admin)
    data = client.get("/account/data.json").get_json(force=True)
    assert data["account"]["email"] == "admin@example.com"


def test_a_trainee_asks_for_deletion_and_the_admins_are_told(app, client, login, graduate, admin):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    trainee, _, _ = graduate
    login("ayesha@example.com")
    assert 'href="/account/deletion"' in client.get("/account/profile").get_data(as_text=True)
    page = client.get("/account/deletion").get_data(as_text=True)
    assert "Erased person" in page and "withdrawn" in page and "cannot be undone" in page
    token = csrf_from(page)
    assert client.post("/account/deletion", data={"understood": "y"}).status_code == 400  # CSRF
    unticked = client.post("/account/deletion", data={"csrf_token": token})
    assert unticked.status_code == 200 and "Tick the box to confirm." in unticked.get_data(True)
    assert _requests(app) == []
    asked = client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    assert asked.status_code == 302 and asked.headers["Location"] == "/account/deletion"
    assert _requests(app) == [(trainee.id, "pending", None)]
    pending = client.get("/account/deletion").get_data(as_text=True)
    assert "is waiting for an admin" in pending and "Withdraw my request" in pending
    assert 'name="understood"' not in pending
    again = client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    assert again.status_code == 200 and len(_requests(app)) == 1  # asked once
    assert ("person.deletion_requested", trainee.id) in _actions(app)
    with app.app_context():
        [mail] = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "person.deletion_requested")
        ).all()
        assert mail.recipient == "admin@example.com" and mail.channel == "email"
        assert "/admin/deletion-requests" in mail.body
        assert "Ayesha" not in mail.body + mail.subject  # erasing leaves no name behind


def test_the_request_is_in_the_admins_language(app, client, graduate, make_user):
    from lms.extensions import db
    from lms.outbox.models import OutboxMessage

    trainee, _, _ = graduate
    urdu = make_user("admin", email="admin-ur@example.com")
    with app.app_context():
        from lms.auth.models import User

        db.session.get(User, urdu.id).language = "ur"
        db.session.commit()
    sign_in_as(client, trainee)
    token = csrf_from(client.get("/account/deletion").get_data(as_text=True))
    client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.language == "ur" and "حذف" in mail.subject


def test_a_trainee_withdraws_the_request(app, client, graduate):
    trainee, _, _ = graduate
    sign_in_as(client, trainee)
    token = csrf_from(client.get("/account/deletion").get_data(as_text=True))
    client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    withdrawn = client.post("/account/deletion/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 302
    assert _requests(app) == [(trainee.id, "withdrawn", None)]
    assert ("person.deletion_withdrawn", trainee.id) in _actions(app)
    page = client.get("/account/deletion").get_data(as_text=True)
    assert "Nothing was deleted." in page and 'name="understood"' in page
    with app.app_context():
        from lms.auth.models import User
        from lms.extensions import db

        assert db.session.get(User, trainee.id).name == "Ayesha Khan"


def test_staff_cannot_ask_for_deletion(app, client, admin):
    sign_in_as(client, admin)
    token = csrf_from(client.get("/account/profile").get_data(as_text=True))
    assert 'href="/account/deletion"' not in client.get("/account/profile").get_data(True)
    answer = client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    assert answer.status_code == 403 and _requests(app) == []


def _report(client, cohort_id: int) -> dict:
    data = client.get(f"/reports/cohorts/{cohort_id}.json").get_json(force=True)
    return {key: data[key] for key in ("enrolled", "completed")}


def test_an_admin_erases_a_requester_after_typing_the_name(app, client, graduate, admin):
    trainee, cohort_id, code = graduate
    trainee_client = app.test_client()
    sign_in_as(trainee_client, trainee)
    token = csrf_from(trainee_client.get("/account/deletion").get_data(as_text=True))
    trainee_client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})

    sign_in_as(client, admin)
    before = _report(client, cohort_id)
    listed = client.get("/admin/deletion-requests").get_data(as_text=True)
    assert "Ayesha Khan" in listed and f'href="/admin/users/{trainee.id}/erase"' in listed
    user_page = client.get(f"/admin/users/{trainee.id}").get_data(as_text=True)
    assert (
        f'href="/admin/users/{trainee.id}/erase"' in user_page and "asked for deletion" in user_page
    )
    confirm = client.get(f"/admin/users/{trainee.id}/erase").get_data(as_text=True)
    assert "cannot be undone" in confirm and "withdraw their certificates" in confirm
    assert "report counts stay right" in confirm
    token = csrf_from(confirm)
    wrong = client.post(
        f"/admin/users/{trainee.id}/erase", data={"csrf_token": token, "confirm": "Ayesha"}
    )
    assert wrong.status_code == 200 and "exactly as shown" in wrong.get_data(as_text=True)
    assert _requests(app) == [(trainee.id, "pending", None)]
    done = client.post(
        f"/admin/users/{trainee.id}/erase",
        data={"csrf_token": token, "confirm": "  ayesha   KHAN "},  # spacing and case forgiven
    )
    assert done.status_code == 302 and done.headers["Location"] == f"/admin/users/{trainee.id}"
    assert _requests(app) == [(trainee.id, "done", admin.id)]
    assert ("person.erase", admin.id) in _actions(app)
    after = client.get(f"/admin/users/{trainee.id}").get_data(as_text=True)
    assert "Ayesha" not in after and "Erased person" in after
    assert f"/admin/users/{trainee.id}/erase" not in after  # nothing left to erase
    assert _report(client, cohort_id) == before  # counts stay right
    verify = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "Ayesha" not in verify and "withdrawn: personal data erased" in verify
    assert "Ayesha" not in client.get("/admin/deletion-requests").get_data(as_text=True)
    assert "No deletion requests are waiting" in client.get("/admin/deletion-requests").get_data(
        as_text=True
    )
    assert trainee_client.get("/account/deletion").status_code == 302  # signed out for good


def test_the_erase_page_of_an_erased_or_staff_account(app, client, graduate, admin, make_user):
    trainee, _, _ = graduate
    instructor = make_user("instructor", name="Sana")
    sign_in_as(client, admin)
    page = client.get(f"/admin/users/{instructor.id}/erase").get_data(as_text=True)
    assert "Staff accounts are not erased" in page and 'name="confirm"' not in page
    token = csrf_from(page)
    staff = client.post(
        f"/admin/users/{instructor.id}/erase", data={"csrf_token": token, "confirm": "Sana"}
    )
    assert staff.status_code == 403
    client.post(
        f"/admin/users/{trainee.id}/erase", data={"csrf_token": token, "confirm": "Ayesha Khan"}
    )
    twice = client.post(
        f"/admin/users/{trainee.id}/erase", data={"csrf_token": token, "confirm": "Erased person"}
    )
    assert twice.status_code == 200 and "already erased" in twice.get_data(as_text=True)
    assert [a for a, _ in _actions(app)].count("person.erase") == 1


def test_only_admins_erase_even_with_the_right_name(app, client, graduate, make_user):
    """The service checks the actor before it looks at what was typed."""
    from lms.auth.models import User
    from lms.extensions import db
    from lms.people import services
    from lms.permissions import PermissionDenied

    trainee, cohort_id, _ = graduate
    instructor = make_user("instructor")
    sign_in_as(client, instructor)
    token = csrf_from(client.get("/account/profile").get_data(as_text=True))
    answer = client.post(
        f"/admin/users/{trainee.id}/erase", data={"csrf_token": token, "confirm": "Ayesha Khan"}
    )
    assert answer.status_code == 403
    with app.app_context():
        with pytest.raises(PermissionDenied):
            services.erase_confirmed(
                db.session.get(User, instructor.id), db.session.get(User, trainee.id), None
            )
        assert db.session.get(User, trainee.id).name == "Ayesha Khan"


def test_the_list_of_requests_is_paginated_and_says_what_to_do_when_empty(
    app, client, admin, make_user
):
    from lms.auth.models import User
    from lms.extensions import db
    from lms.people.models import DeletionRequest
    from lms.people.requests import request_deletion

    sign_in_as(client, admin)
    empty = client.get("/admin/deletion-requests").get_data(as_text=True)
    assert "No deletion requests are waiting" in empty and "find them in Users" in empty
    people = [make_user(name=f"Person {n:02d}") for n in range(51)]
    with app.app_context(), app.test_request_context():
        for person in people:
            request_deletion(db.session.get(User, person.id))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(DeletionRequest)) == 51
    first = client.get("/admin/deletion-requests").get_data(as_text=True)
    assert first.count('/erase"') == 50 and "Page 1 of 2" in first
    second = client.get("/admin/deletion-requests?page=2").get_data(as_text=True)
    assert second.count('/erase"') == 1 and "Person 50" in second
    done = client.get("/admin/deletion-requests?status=done").get_data(as_text=True)
    assert "None yet" in done


def test_one_pending_request_per_person_even_when_two_arrive_at_once(app, graduate):
    """The database holds the rule (a partial unique index), not only the service's check;
    a request arriving second returns the pending one."""
    from sqlalchemy.exc import IntegrityError

    from lms.auth.models import User
    from lms.extensions import db
    from lms.people.models import DeletionRequest
    from lms.people.requests import request_deletion

    trainee, _, _ = graduate
    with app.app_context(), app.test_request_context():
        first = request_deletion(db.session.get(User, trainee.id))
        db.session.commit()
        db.session.add(DeletionRequest(user_id=trainee.id, status="pending"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(DeletionRequest(user_id=trainee.id, status="withdrawn"))
        db.session.commit()  # closed ones may be many
        assert request_deletion(db.session.get(User, trainee.id)).id == first.id


def test_erasing_from_the_command_line_closes_the_request_too(app, client, runner, graduate):
    trainee, _, _ = graduate
    sign_in_as(client, trainee)
    token = csrf_from(client.get("/account/deletion").get_data(as_text=True))
    client.post("/account/deletion", data={"csrf_token": token, "understood": "y"})
    result = runner.invoke(args=["people", "erase", "--user", str(trainee.id), "--yes"])
    assert result.exit_code == 0, result.output
    assert _requests(app) == [(trainee.id, "done", None)]  # handled by the system
