"""The app factory: configuration order, the generated secret key, /healthz."""

from __future__ import annotations

import stat

from lms import create_app


def test_defaults_then_instance_file_then_environment(tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("SITE_NAME = 'From file'\nREGISTRATION = 'invite'\n")
    monkeypatch.setenv("LMS_REGISTRATION", "open")
    app = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SITE_NAME"] == "From file"  # file beats the default
    assert app.config["REGISTRATION"] == "open"  # environment beats the file
    assert app.config["COMPRESS_MIN_BYTES"] == 500  # default kept


def test_database_url_from_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    monkeypatch.setenv("LMS_DATABASE_URL", url)
    app = create_app({"INSTANCE_PATH": tmp_path / "instance"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": tmp_path / "instance"})
    assert (
        app.config["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'instance' / 'lms.sqlite3'}"
    )


def test_secret_key_generated_once_and_private(tmp_path, monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = instance / "secret_key"
    assert len(first.config["SECRET_KEY"]) == 64
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    other = create_app(
        {"INSTANCE_PATH": tmp_path / "elsewhere", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    assert other.config["SECRET_KEY"] != first.config["SECRET_KEY"]


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_unreachable_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_sqlite_connection_settings(make_app, tmp_path):
    from sqlalchemy import text

    from lms.extensions import db

    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "could not find that page" in response.get_data(as_text=True)
