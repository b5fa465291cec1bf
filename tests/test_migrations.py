"""Migrations build the schema from empty, and match the models exactly."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import ON_POSTGRES, POSTGRES_URL, migrate_to_head, reset_postgres_schema
from sqlalchemy import create_engine, inspect, text

from lms.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a new SQLite file, or a new PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    reset_postgres_schema(POSTGRES_URL, schema)
    separator = "&" if "?" in POSTGRES_URL else "?"
    yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    engine.dispose()


def test_upgrade_empty_database_to_head(empty_database_url, tmp_path):
    migrate_to_head(empty_database_url, tmp_path / "instance")
    engine = create_engine(empty_database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"users", "alembic_version"} <= tables
    assert tables - {"alembic_version"} == set(db.metadata.tables)


def test_models_match_migrations(app):
    """A model change without a migration fails here."""
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrading_twice_changes_nothing(runner):
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    assert "up to date" in first.output
    assert runner.invoke(args=["init"]).exit_code == 0


def test_upgrade_from_previous_keeps_data(empty_database_url, tmp_path):
    """A database at 0001 with a user in it upgrades to head without losing the user."""
    from flask_migrate import upgrade

    from lms import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "INSTANCE_PATH": tmp_path / "i",
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade(revision="0001")
        db.session.execute(
            text(
                "INSERT INTO users (email, name, role, language, active, session_version, created_at) "
                "VALUES ('kept@example.com', 'عائشہ', 'trainee', 'ur', true, 1, CURRENT_TIMESTAMP)"
            )
        )
        db.session.commit()
        upgrade()
        row = db.session.execute(text("SELECT email, name, organisation_id FROM users")).one()
        assert tuple(row) == ("kept@example.com", "عائشہ", None)
        db.session.remove()
        db.engine.dispose()
