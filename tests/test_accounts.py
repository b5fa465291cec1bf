"""Accounts: registration, sign-in, passwords, resets, sessions, roles."""

from __future__ import annotations

import pytest
from conftest import DEFAULT_PASSWORD, csrf_from, sign_in_as


def form_post(client, path, data, page=None):
    token = csrf_from(client.get(page or path).get_data(as_text=True))
    return client.post(path, data={**data, "csrf_token": token})


def outbox(app):
    """Deliver what the outbox holds (as `lms messages deliver` would), then what was sent."""
    from types import SimpleNamespace

    from lms.outbox.delivery import deliver_due

    with app.app_context():
        deliver_due()
    return [SimpleNamespace(**sent) for sent in app.extensions.setdefault("lms.sent", [])]


@pytest.fixture
def app(make_app):
    return make_app(MESSAGE_BACKEND="memory")


def test_register_with_phone_normalises_to_e164(client, app):
    response = form_post(
        client,
        "/register",
        {
            "name": "Ayesha Khan",
            "login": "0300 1234567",
            "password": "river-lamp-orbit-sugar",
            "language": "ur",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        from lms.auth.services import find_user

        user = find_user("+92 300 1234567")
        assert user.phone == "+923001234567" and user.email is None
        assert user.language == "ur" and user.role == "trainee"
        assert user.password_hash.startswith("$argon2id$")


def test_email_is_unique_case_insensitively(client, make_user):
    make_user(email="Budi@Example.com")
    response = form_post(
        client,
        "/register",
        {
            "name": "Budi",
            "login": "budi@example.COM",
            "password": "river-lamp-orbit-sugar",
            "language": "id",
        },
    )
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 8"),
        ("password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("ayeshakhan2026", "your name"),
    ],
)
def test_weak_passwords_are_refused(client, password, message):
    response = form_post(
        client,
        "/register",
        {
            "name": "Ayesha Khan",
            "login": "ayesha@example.com",
            "password": password,
            "language": "en",
        },
    )
    assert message in response.get_data(as_text=True)


def test_invalid_login_is_explained_next_to_the_field(client):
    response = form_post(
        client,
        "/register",
        {
            "name": "X",
            "login": "12",
            "password": "river-lamp-orbit-sugar",
            "language": "en",
        },
    )
    html = response.get_data(as_text=True)
    assert 'id="login-error"' in html and "not a valid mobile number" in html
    assert 'aria-invalid="true"' in html


def test_invite_only_registration(make_app):
    client = make_app(REGISTRATION="invite").test_client()
    assert client.get("/register").status_code == 403


def test_login_error_does_not_reveal_whether_account_exists(client, make_user, login):
    make_user(email="real@example.com")
    wrong_password = login("real@example.com", "not-the-password").get_data(as_text=True)
    unknown = login("nobody@example.com", "not-the-password").get_data(as_text=True)
    assert "The login or the password is not right." in wrong_password
    assert "The login or the password is not right." in unknown


def test_login_and_logout(client, make_user, login, csrf_token):
    make_user(email="t@example.com", name="Trainee T")
    assert login("T@Example.com").status_code == 302
    assert "Trainee T" in client.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token()})
    assert "Trainee T" not in client.get("/").get_data(as_text=True)


def test_disabled_account_cannot_sign_in(client, app, make_user, login):
    user = make_user(email="off@example.com")
    with app.app_context():
        from lms.auth.models import User
        from lms.extensions import db

        db.session.get(User, user.id).active = False
        db.session.commit()
    assert login("off@example.com").status_code == 200


def test_old_session_ends_after_logout_elsewhere(app, make_user, login, client):
    make_user(email="two@example.com", name="Two Devices")
    other = app.test_client()
    login("two@example.com")
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post(
        "/login",
        data={"login": "two@example.com", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert "Two Devices" in other.get("/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/").get_data(as_text=True))})
    assert "Two Devices" not in other.get("/").get_data(as_text=True)


def test_change_password_keeps_this_session_and_ends_others(app, client, make_user, login):
    make_user(email="chg@example.com", name="Changer")
    other = app.test_client()
    login("chg@example.com")
    token = csrf_from(other.get("/login").get_data(as_text=True))
    other.post(
        "/login",
        data={"login": "chg@example.com", "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    response = form_post(
        client,
        "/account/password",
        {
            "current": DEFAULT_PASSWORD,
            "password": "lotus-comet-maple-stone",
            "confirm": "lotus-comet-maple-stone",
        },
    )
    assert response.status_code == 302
    assert "Changer" in client.get("/").get_data(as_text=True)
    assert "Changer" not in other.get("/").get_data(as_text=True)
    fresh = app.test_client()
    token = csrf_from(fresh.get("/login").get_data(as_text=True))
    ok = fresh.post(
        "/login",
        data={
            "login": "chg@example.com",
            "password": "lotus-comet-maple-stone",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302


def test_reset_by_link(app, client, make_user):
    make_user(email="forgot@example.com")
    response = form_post(client, "/reset", {"login": "forgot@example.com"})
    assert response.status_code == 302
    [message] = outbox(app)
    assert message.to == "forgot@example.com"
    link = next(word for word in message.body.split() if "/reset/" in word)
    path = link.split("localhost", 1)[1]
    response = form_post(
        client, path, {"password": "lotus-comet-maple-stone", "confirm": "lotus-comet-maple-stone"}
    )
    assert response.status_code == 302
    assert client.get(path, follow_redirects=True).request.path == "/reset"  # used once only


def test_reset_for_unknown_account_says_the_same(app, client):
    response = form_post(client, "/reset", {"login": "ghost@example.com"}, page="/reset")
    assert response.status_code == 302
    assert outbox(app) == []


def test_reset_by_code_and_wrong_codes_run_out(app, client, make_user):
    make_user(phone="+923001112233")
    form_post(client, "/reset", {"login": "0300 1112233"})
    [message] = outbox(app)
    assert message.to == "+923001112233"
    code = message.body.split("code on the site: ")[1].split()[0]
    wrong = "000000" if code != "000000" else "111111"
    data = {
        "login": "03001112233",
        "password": "lotus-comet-maple-stone",
        "confirm": "lotus-comet-maple-stone",
    }
    assert "not right" in form_post(client, "/reset/code", {**data, "code": wrong}).get_data(
        as_text=True
    )
    assert form_post(client, "/reset/code", {**data, "code": code}).status_code == 302
    with app.app_context():
        from lms.auth.services import authenticate

        assert authenticate("+923001112233", "lotus-comet-maple-stone") is not None


def test_wrong_codes_are_limited(app, client, make_user):
    make_user(email="limit@example.com")
    form_post(client, "/reset", {"login": "limit@example.com"})
    code = outbox(app)[0].body.split("code on the site: ")[1].split()[0]
    data = {
        "login": "limit@example.com",
        "password": "lotus-comet-maple-stone",
        "confirm": "lotus-comet-maple-stone",
    }
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        form_post(client, "/reset/code", {**data, "code": wrong})
    html = form_post(client, "/reset/code", {**data, "code": code}).get_data(as_text=True)
    assert "expired or was already used" in html


def test_only_admins_change_roles(app, make_user):
    from lms.auth import services
    from lms.auth.models import User
    from lms.extensions import db
    from lms.permissions import PermissionDenied

    instructor = make_user("instructor")
    trainee = make_user()
    admin = make_user("admin")
    with app.app_context():
        person = db.session.get(User, trainee.id)
        with pytest.raises(PermissionDenied):
            services.set_role(db.session.get(User, instructor.id), person, "admin")
        services.set_role(db.session.get(User, admin.id), person, "instructor")
        db.session.commit()
        assert db.session.get(User, trainee.id).role == "instructor"
        from lms.audit.models import AuditEntry

        entry = db.session.scalars(
            db.select(AuditEntry).where(AuditEntry.action == "user.role")
        ).one()
        assert entry.details == {"before": "trainee", "after": "instructor"}


def test_profile_fields_need_consent(app, client, make_user):
    user = make_user(email="profile@example.com")
    sign_in_as(client, user)
    page = client.get("/account/profile").get_data(as_text=True)
    client.post("/account/profile", data={"csrf_token": csrf_from(page), "language": "id", "gender": "female",
                                          "age_band": "18-24", "district": "Gowa"})  # fmt: skip
    from lms.auth.models import User
    from lms.extensions import db

    with app.app_context():
        person = db.session.get(User, user.id)
        assert (person.language, person.gender, person.district, person.profile_consent) == (
            "id",
            None,
            None,
            False,
        )
    client.post("/account/profile", data={"csrf_token": csrf_from(page), "language": "id", "consent": "y",
                                          "gender": "female", "age_band": "18-24", "district": " Gowa "})  # fmt: skip
    with app.app_context():
        person = db.session.get(User, user.id)
        assert (person.gender, person.age_band, person.district, person.profile_consent) == (
            "female",
            "18-24",
            "Gowa",
            True,
        )
