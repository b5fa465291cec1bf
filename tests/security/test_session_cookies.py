"""Session cookies verified once per process (lms.web.sessions): a cookie opens again
only when it is byte for byte one already verified under the same keys and still within
its lifetime; anything else is verified in full, and refused when it fails."""

from __future__ import annotations

import time

import pytest
from conftest import sign_in_as


def sign_in_trainee(app, make_user, make_cohort, enrol):
    """(client, the cohort's home page) for a trainee whose cookie was verified once."""
    trainee = make_user(email="trainee@example.com")
    cohort_id, _code = make_cohort()
    enrol(trainee, cohort_id)
    client = app.test_client()
    sign_in_as(client, trainee)
    page = f"/cohorts/{cohort_id}/"
    assert client.get(page).status_code == 200  # stores the idle timer: a new cookie
    assert client.get(page).status_code == 200  # which this request verified
    return client, page


@pytest.fixture
def signed_in(app, make_user, make_cohort, enrol):
    return sign_in_trainee(app, make_user, make_cohort, enrol)


def test_a_verified_cookie_opens_again_with_what_it_holds(app, signed_in):
    client, page = signed_in
    cookie = client.get_cookie("session").value
    assert client.get(page).status_code == 200
    assert client.get_cookie("session").value == cookie  # the same cookie, sent again
    assert any(key[0] == cookie for key in app.session_interface._verified)


@pytest.mark.parametrize("where", ["payload", "signature"])
def test_a_tampered_cookie_is_refused_after_the_genuine_one_was_verified(app, signed_in, where):
    client, page = signed_in
    cookie = client.get_cookie("session").value
    index = 2 if where == "payload" else len(cookie) - 2
    changed = "A" if cookie[index] != "A" else "B"
    forged = app.test_client()
    forged.set_cookie("session", cookie[:index] + changed + cookie[index + 1 :])
    assert forged.get(page).status_code == 302  # to sign-in
    assert client.get(page).status_code == 200  # the genuine cookie still opens


def test_a_cookie_past_its_lifetime_is_refused_though_verified_before(
    make_app, make_user, make_cohort, enrol, monkeypatch
):
    """PERMANENT_SESSION_LIFETIME bounds a cookie's age as itsdangerous checks it (the
    idle and absolute timeouts, checked apart, are set far out here)."""
    app = make_app(PERMANENT_SESSION_LIFETIME=60, SESSION_IDLE_MINUTES=600, SESSION_MAX_DAYS=9)
    client, page = sign_in_trainee(app, make_user, make_cohort, enrol)
    later = time.time() + 120
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(page).status_code == 302


def test_a_new_secret_key_refuses_cookies_signed_with_the_old_one(app, signed_in):
    client, page = signed_in
    cookie, old = client.get_cookie("session").value, app.secret_key
    app.config["SECRET_KEY"] = "a-new-secret-key"
    stale = app.test_client()
    stale.set_cookie("session", cookie)
    assert stale.get(page).status_code == 302
    app.config["SECRET_KEY_FALLBACKS"] = [old]  # rotated with the old key kept: accepted
    stale.set_cookie("session", cookie)
    assert stale.get(page).status_code == 200


def test_only_sessions_of_plain_values_are_kept(app):
    """A kept session is copied into every request that opens it: a list (flashed
    messages) could be changed by one request under another's feet, so it is not kept."""
    client = app.test_client()
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Saved.")]
    kept = len(app.session_interface)
    with client.session_transaction() as session:
        assert session["_flashes"]
    assert len(app.session_interface) == kept
