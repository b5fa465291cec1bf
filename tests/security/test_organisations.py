"""Issue 17 item 1: only admins create organisations; a cohort's sponsor and instructors are
chosen from lists, so a typo can no longer create an organisation."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD, csrf_from, sign_in_as
from sqlalchemy import func, select

from lms.auth.models import Organisation
from lms.errors import ServiceError
from lms.permissions import PermissionDenied


def organisation_names(app) -> list[str]:
    from lms.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Organisation.name).order_by(Organisation.name)))


@pytest.mark.parametrize("role", ["trainee", "instructor", "sponsor"])
def test_outsider_over_http_cannot_create_an_organisation(app, make_user, browser, role):
    """The probe exactly: a CSRF token from the profile page, then POST name=X."""
    user = make_user(role, email=f"{role}@example.com", org="Org A" if role == "sponsor" else None)
    before = organisation_names(app)
    client = browser()
    client.sign_in(user.email, DEFAULT_PASSWORD)
    token = client.csrf("/account/profile")
    status, _ = client.request("/admin/organisations", {"name": "X", "csrf_token": token})
    assert status == 403
    assert organisation_names(app) == before
    from lms.audit.models import AuditEntry
    from lms.extensions import db

    with app.app_context():
        mine = list(
            db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == user.id))
        )
        assert "organisation.create" not in mine and mine[-1] == "permission.denied"


def test_admin_still_creates_organisations(app, make_user, client):
    sign_in_as(client, make_user("admin"))
    token = csrf_from(client.get("/admin/organisations").get_data(as_text=True))
    response = client.post(
        "/admin/organisations", data={"name": "  New   Bank ", "csrf_token": token}
    )
    assert response.status_code == 302
    assert organisation_names(app) == ["New Bank"]


@pytest.mark.parametrize("role", ["trainee", "instructor", "sponsor"])
def test_service_refuses_everyone_but_admins(app, make_user, role):
    from lms.auth import services
    from lms.auth.models import User
    from lms.extensions import db

    user = make_user(role, org="Org A" if role == "sponsor" else None)
    with app.app_context():
        actor = db.session.get(User, user.id)
        with pytest.raises(PermissionDenied):
            services.get_or_create_organisation("Typo Bank", actor)
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == (
            1 if role == "sponsor" else 0
        )


def cohort_form(client, path="/teach/cohorts/new") -> tuple[str, str]:
    page = client.get(path).get_data(as_text=True)
    return page, csrf_from(page)


def new_cohort_data(token, **fields) -> dict:
    return {
        "csrf_token": token,
        "name": "Karachi March",
        "course_slug": "online-safety-basics",
        "start_date": "2026-03-02",
        "timezone": "Asia/Karachi",
        "country": "PK",
        "pacing": "self",
        **fields,
    }


def _organisation_id(app, name: str) -> int:
    from lms.extensions import db

    with app.app_context():
        return db.session.scalar(select(Organisation.id).where(Organisation.name == name))


def test_instructor_chooses_sponsor_and_co_instructor_from_lists(app, make_user, client):
    me = make_user("instructor", name="Ayesha")
    colleague = make_user("instructor", name="Budi")
    make_user("sponsor", org="Bank Alfalah")
    make_user("trainee", name="Not A Teacher")
    sign_in_as(client, me)
    page, token = cohort_form(client)
    org_id = _organisation_id(app, "Bank Alfalah")
    assert f'<option value="{org_id}">Bank Alfalah</option>' in page
    assert "Budi" in page and "Not A Teacher" not in page  # only instructors are listed
    assert 'name="new_organisation"' not in page  # instructors do not add organisations
    response = client.post(
        "/teach/cohorts/new",
        data=new_cohort_data(
            token,
            organisation=str(org_id),
            instructors=[str(colleague.id)],
            new_organisation="Typo",
        ),
    )
    assert response.status_code == 302
    assert organisation_names(app) == ["Bank Alfalah"]  # "Typo" created nothing
    from lms.cohorts.models import Cohort
    from lms.extensions import db

    with app.app_context():
        cohort = db.session.scalars(select(Cohort)).one()
        assert cohort.organisation.name == "Bank Alfalah"
        assert sorted(u.name for u in cohort.instructors) == ["Ayesha", "Budi"]


def test_unknown_organisation_id_is_a_form_error_not_a_new_row(app, make_user, client):
    sign_in_as(client, make_user("instructor"))
    _, token = cohort_form(client)
    response = client.post("/teach/cohorts/new", data=new_cohort_data(token, organisation="999"))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert organisation_names(app) == []


def test_admin_adds_an_organisation_on_the_cohort_form(app, make_user, client):
    sign_in_as(client, make_user("admin"))
    page, token = cohort_form(client)
    assert 'name="new_organisation"' in page
    data = new_cohort_data(token, new_organisation="District Office Garut")
    assert client.post("/teach/cohorts/new", data=data).status_code == 302
    assert organisation_names(app) == ["District Office Garut"]


def test_instructor_cannot_remove_themself_on_edit(app, make_user, make_cohort, client):
    from lms.auth.models import User
    from lms.cohorts import services
    from lms.extensions import db

    me = make_user("instructor")
    other = make_user("instructor", name="Other")
    cohort_id, _ = make_cohort(instructor=me)
    with app.app_context():
        cohort = services.get_cohort(cohort_id)
        actor = db.session.get(User, me.id)
        data = services.CohortData(
            name="C",
            course_slug="online-safety-basics",
            start_date=cohort.start_date,
            instructors=(db.session.get(User, other.id),),
        )
        with pytest.raises(ServiceError):
            services.update_cohort(actor, cohort, data)
