"""Joining a cohort with its code, and what trainees see of their cohorts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from conftest import csrf_from, sign_in_as

from lms.cohorts.codes import ALPHABET, new_code, normalise_code


def test_join_codes_are_short_and_unambiguous():
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(code) == 6 and set(code) <= set(ALPHABET) for code in codes)
    assert not set("0O1I") & set(ALPHABET)
    assert normalise_code(" abc-23 4 ") == "ABC234"


def test_new_trainee_registers_on_the_join_page_and_lands_enrolled(client, make_cohort, app):
    cohort_id, code = make_cohort(name="Karachi creators")
    page = client.get(f"/join/{code.lower()}")
    assert page.status_code == 200 and "Karachi creators" in page.get_data(as_text=True)
    response = client.post(
        f"/join/{code}",
        data={
            "name": "Ayesha",
            "login": "0300 7654321",
            "password": "river-lamp-orbit-sugar",
            "language": "ur",
            "csrf_token": csrf_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/cohorts/{cohort_id}/"
    home = client.get(f"/cohorts/{cohort_id}/", headers={"Accept-Language": "en"})
    assert home.status_code == 200  # the trainee chose Urdu: it wins over the browser's English
    html = home.get_data(as_text=True)
    assert '<html lang="ur" dir="rtl">' in html and "دن 1" in html


def test_home_code_form_leads_to_the_join_page(client, make_cohort):
    _, code = make_cohort()
    response = client.get("/join", query_string={"code": f" {code[:3].lower()}-{code[3:]} "})
    assert response.status_code == 302 and response.headers["Location"] == f"/join/{code}"


def test_wrong_code_is_explained(client):
    response = client.get("/join/ZZZZZZ")
    assert response.status_code == 404
    assert "could not find a cohort with this code" in response.get_data(as_text=True)


def test_full_cohort(client, make_cohort, make_user, enrol):
    cohort_id, code = make_cohort(capacity=1)
    enrol(make_user(), cohort_id)
    response = client.get(f"/join/{code}")
    assert response.status_code == 409 and "This cohort is full" in response.get_data(as_text=True)


def test_ended_cohort(make_app, make_cohort):
    app = make_app(NOW=datetime(2026, 3, 1, tzinfo=UTC))
    _, code = make_cohort(start_date=date(2026, 1, 5), end_date=date(2026, 1, 9))
    response = app.test_client().get(f"/join/{code}")
    assert response.status_code == 409 and "This cohort has ended" in response.get_data(
        as_text=True
    )


def test_signed_in_trainee_joins_with_a_button_and_twice_is_harmless(
    client, make_cohort, make_user
):
    cohort_id, code = make_cohort()
    trainee = make_user()
    sign_in_as(client, trainee)
    page = client.get(f"/join/{code}")
    assert "Join this cohort" in page.get_data(as_text=True)
    token = csrf_from(page.get_data(as_text=True))
    assert client.post(f"/join/{code}", data={"csrf_token": token}).status_code == 302
    again = client.get(f"/join/{code}", follow_redirects=True)
    assert "You are already in this cohort." in again.get_data(as_text=True)
    assert "Cohort" in client.get("/").get_data(as_text=True)


def test_join_needs_post_with_csrf(client, make_cohort, make_user, app):
    cohort_id, code = make_cohort()
    trainee = make_user()
    sign_in_as(client, trainee)
    assert client.post(f"/join/{code}").status_code == 400
    with app.app_context():
        from lms.cohorts.models import Enrolment
        from lms.extensions import db

        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 0


def test_rotated_code_stops_working(client, make_cohort, make_user):
    instructor = make_user("instructor")
    cohort_id, old = make_cohort(instructor=instructor)
    sign_in_as(client, instructor)
    roster = client.get(f"/teach/cohorts/{cohort_id}/").get_data(as_text=True)
    client.post(f"/teach/cohorts/{cohort_id}/code", data={"csrf_token": csrf_from(roster)})
    assert client.get(f"/join/{old}").status_code == 404


def test_trainees_see_only_their_cohorts(client, make_cohort, make_user, enrol):
    mine, _ = make_cohort(name="Mine")
    theirs, _ = make_cohort(name="Theirs")
    me = make_user()
    enrol(me, mine)
    enrol(make_user(), theirs)
    sign_in_as(client, me)
    home = client.get("/").get_data(as_text=True)
    assert f"/cohorts/{mine}/" in home and f"/cohorts/{theirs}/" not in home
    assert client.get(f"/cohorts/{theirs}/").status_code == 404


def test_withdrawn_trainee_loses_access(client, make_cohort, make_user, enrol, app):
    instructor = make_user("instructor")
    cohort_id, code = make_cohort(instructor=instructor)
    trainee = make_user()
    enrolment_id = enrol(trainee, cohort_id)
    sign_in_as(client, instructor)
    confirm = client.post(
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw",
        data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))},
    )
    assert confirm.status_code == 200 and "Withdraw" in confirm.get_data(as_text=True)
    done = client.post(
        f"/teach/cohorts/{cohort_id}/enrolments/{enrolment_id}/withdraw",
        data={"csrf_token": csrf_from(confirm.get_data(as_text=True)), "confirm": "yes"},
    )
    assert done.status_code == 302
    other = app.test_client()
    sign_in_as(other, trainee)
    assert other.get(f"/cohorts/{cohort_id}/").status_code == 404
    assert "withdrawn from this cohort" in other.post(
        f"/join/{code}",
        data={"csrf_token": csrf_from(other.get("/").get_data(as_text=True))},
        follow_redirects=True,
    ).get_data(as_text=True)


@pytest.mark.parametrize("threads", [12])
def test_capacity_holds_under_concurrent_joins(app, make_cohort, make_user, threads):
    """Joins race for the last places; the capacity is never exceeded."""
    from concurrent.futures import ThreadPoolExecutor

    from lms.auth.models import User
    from lms.cohorts import services
    from lms.cohorts.models import Enrolment
    from lms.errors import ServiceError
    from lms.extensions import db

    _, code = make_cohort(capacity=5)
    users = [make_user() for _ in range(threads)]

    def attempt(user_id: int) -> bool:
        with app.app_context():
            try:
                services.join(db.session.get(User, user_id), code)
                db.session.commit()
                return True
            except ServiceError:
                db.session.rollback()
                return False

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(attempt, [u.id for u in users]))
    assert results.count(True) == 5
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Enrolment)) == 5
