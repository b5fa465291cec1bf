"""Shared fixtures: an app on a real database (SQLite file or PostgreSQL), clients, runner.

The schema is built once per session by running the migrations; each test then gets a
fresh copy (SQLite: a copy of the migrated file; PostgreSQL: every table truncated).
Set LMS_DATABASE_URL=postgresql+psycopg://... to run the suite on PostgreSQL.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from lms import create_app

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("LMS_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")
SAMPLE_COURSE = ROOT / "courses" / "online-safety-basics"


def migrate_to_head(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "TESTING": True})
    with app.app_context():
        upgrade()
        from lms.extensions import db

        db.engine.dispose()


def with_schema(url: str, schema: str) -> str:
    """The same PostgreSQL URL, with every table in `schema` (search_path)."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_postgres_schema(url: str, schema: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def reset_postgres_schema(url: str, schema: str = "public") -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database at the latest migration: a PostgreSQL URL with a schema of this test
    session's own (so parallel runs cannot collide), or a template SQLite file."""
    instance = tmp_path_factory.mktemp("template-instance")
    if ON_POSTGRES:
        schema = f"test_{os.getpid()}"
        reset_postgres_schema(POSTGRES_URL, schema)
        url = with_schema(POSTGRES_URL, schema)
        migrate_to_head(url, instance)
        yield url
        drop_postgres_schema(POSTGRES_URL, schema)
        return
    path = tmp_path_factory.mktemp("template") / "lms.sqlite3"
    migrate_to_head(f"sqlite:///{path}", instance)
    yield str(path)


@pytest.fixture
def courses_dir(tmp_path) -> Path:
    """A courses folder holding just the small sample course (tests may add more)."""
    folder = tmp_path / "courses"
    folder.mkdir()
    shutil.copytree(SAMPLE_COURSE, folder / SAMPLE_COURSE.name)
    return folder


@pytest.fixture
def database_url(migrated_database, tmp_path) -> str:
    if ON_POSTGRES:
        return migrated_database
    path = tmp_path / "lms.sqlite3"
    shutil.copy(migrated_database, path)
    return f"sqlite:///{path}"


@pytest.fixture
def make_app(database_url, tmp_path, courses_dir):
    """Build an app on the test database; keyword overrides go into its config."""
    apps = []

    def build(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": tmp_path / "instance",
            "COURSES_DIR": str(courses_dir),
            "SECRET_KEY": "test-secret-key",
            "SERVER_NAME": None,
        }
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield build
    for app in apps:
        with app.app_context():
            from lms.extensions import db

            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                _truncate_all(db)
            db.engine.dispose()


def _truncate_all(db) -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    if tables:
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a page's form, as a browser would submit it."""
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf_token(client):
    """A valid CSRF token for `client`'s session, read from a real page."""

    def token(path: str = "/") -> str:
        return csrf_from(client.get(path).get_data(as_text=True))

    return token


# -- people and cohorts -------------------------------------------------------------------

DEFAULT_PASSWORD = "tiger-mango-river-cloud"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Real Argon2id, with test-sized cost so hundreds of accounts stay quick."""
    from argon2 import PasswordHasher

    from lms.auth import passwords

    original = passwords._hasher
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("dummy-for-timing")
    yield
    passwords._hasher = original


@pytest.fixture
def make_user(app):
    """Create a user: make_user("instructor", name=..., email=..., org="Bank")."""
    counter = iter(range(1, 10_000))

    def create(
        role: str = "trainee",
        *,
        name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        password: str = DEFAULT_PASSWORD,
        org: str | None = None,
    ):
        from lms.auth import services
        from lms.extensions import db
        from lms.permissions import SYSTEM

        with app.app_context():
            number = next(counter)
            organisation = services.get_or_create_organisation(org, SYSTEM) if org else None
            user = services.create_user(
                name=name or f"{role.title()} {number}",
                login=phone or email or f"{role}{number}@test.example",
                password=password,
                role=role,
                organisation=organisation,
                actor=SYSTEM,
            )
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return create


@pytest.fixture
def make_cohort(app):
    """Create a cohort of the sample course; keyword arguments go into CohortData."""

    def create(instructor=None, **fields):
        from datetime import date

        from lms.auth import services as accounts
        from lms.auth.models import User
        from lms.cohorts import services
        from lms.extensions import db
        from lms.permissions import SYSTEM

        with app.app_context():
            org = fields.pop("org", None)
            data = {
                "name": "Cohort",
                "course_slug": "online-safety-basics",
                "start_date": date(2026, 1, 5),
                "timezone": "Asia/Karachi",
                "pacing": "self",
                "organisation": accounts.get_or_create_organisation(org, SYSTEM) if org else None,
                **fields,
            }
            cohort = services.create_cohort(SYSTEM, services.CohortData(**data))
            if instructor is not None:
                services.add_instructor(SYSTEM, cohort, db.session.get(User, instructor.id))
            db.session.commit()
            db.session.refresh(cohort)
            return cohort.id, cohort.join_code

    return create


@pytest.fixture
def enrol(app):
    def add(user, cohort_id):
        from lms.auth.models import User
        from lms.cohorts import services
        from lms.extensions import db

        with app.app_context():
            cohort = services.get_cohort(cohort_id)
            enrolment = services.enrol(cohort, db.session.get(User, user.id), actor=None)
            db.session.commit()
            return enrolment.id

    return add


def sign_in_as(client, user) -> None:
    """Put `user`'s session into the test client's cookie, as signing in would."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def login(client, csrf_token):
    """Sign in through the real form."""

    def do(login_name: str, password: str = DEFAULT_PASSWORD):
        return client.post(
            "/login",
            data={"login": login_name, "password": password, "csrf_token": csrf_token("/login")},
        )

    return do


@pytest.fixture(autouse=True, scope="session")
def compiled_translations():
    """Compile the .po catalogues (as `make install` does) so pages render translated."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "lms" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as source:
                catalog = read_po(source)
            with mo.open("wb") as target:
                write_mo(target, catalog)


@pytest.fixture
def make_token(app):
    """make_token(user, "read", "enrol", name=...) -> the token string."""

    def create(user, *scopes, name="test", days=30):
        from lms.api import tokens
        from lms.auth.models import User
        from lms.extensions import db
        from lms.permissions import SYSTEM

        with app.app_context():
            owner = db.session.get(User, user.id)
            new = tokens.create_token(SYSTEM, owner, name, scopes or ("read",), days)
            db.session.commit()
            return new.secret

    return create
