"""Migrations build the schema from empty, and match the models exactly."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import (
    ON_POSTGRES,
    POSTGRES_URL,
    drop_postgres_schema,
    migrate_to_head,
    reset_postgres_schema,
    with_schema,
)
from sqlalchemy import create_engine, inspect, select, text

from lms.extensions import db


@pytest.fixture
def empty_database_url(tmp_path):
    """A brand-new empty database: a new SQLite file, or a new PostgreSQL schema."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    reset_postgres_schema(POSTGRES_URL, schema)
    yield with_schema(POSTGRES_URL, schema)
    drop_postgres_schema(POSTGRES_URL, schema)


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


REVISIONS = [
    "0001",
    "0002",
    "0003",
    "0004",
    "0005",
    "0006",
    "0007",
    "0008",
    "0009",
    "0010",
    "0011",
    "0012",
    "0013",
    "0014",
    "0015",
]


def test_every_upgrade_keeps_data_in_every_table(app, make_user, make_cohort, enrol):
    """Fill every table through the services, then for each migration step back to the
    previous revision and up again: every table that exists before the step keeps its rows."""
    from flask_migrate import downgrade, upgrade
    from werkzeug.datastructures import MultiDict

    trainee = make_user(name="Kept")
    make_user("sponsor", org="Bank")
    cohort_id, _ = make_cohort(instructor=make_user("instructor"), org="Bank")
    enrol(trainee, cohort_id)
    with app.app_context(), app.test_request_context():
        from lms.auth.models import User
        from lms.auth.services import issue_token, send_token
        from lms.cohorts.access import learning_context
        from lms.permissions import SYSTEM
        from lms.progress.services import mark_lesson_done
        from lms.quizzes import services as quizzes

        person = db.session.get(User, trainee.id)
        context = learning_context(person, cohort_id)
        for lesson in context.course.lessons:
            mark_lesson_done(context.enrolment, context.course, lesson)
        for key, answers in [
            (
                "day-1",
                {
                    "q-strong-password": "1",
                    "q-phishing-signs": ["0", "1"],
                    "q-otp-never": "0",
                    "q-save-percent": "3000",
                    "q-second-factor": "2FA",
                },
            ),
            ("day-2", {"q-budget-savings": "800000", "q-emergency-fund": "1"}),
            ("post-test", {"q-passphrase": "0", "q-percent": "500000"}),  # completes: a certificate
        ]:
            quizzes.submit(
                context,
                key,
                quizzes.new_attempt_form(context, key, "en").payload,
                MultiDict(answers),
            )
        quizzes.grant_attempt(SYSTEM, context.enrolment, context.course.quiz("day-1"))
        send_token(issue_token(person, "reset"))  # and an outbox row
        from datetime import date, datetime

        from lms.nudges.models import LoginCode, NudgeSend

        db.session.add(
            NudgeSend(rule="away", key="", enrolment_id=context.enrolment.id,
                      cohort_id=cohort_id, local_day=date(2026, 1, 9))
        )  # fmt: skip
        db.session.add(
            LoginCode(user_id=person.id, code_hash="0" * 64, expires_at=datetime(2026, 1, 9))
        )
        from lms.surveys.models import SurveyAnswer, SurveySubmission

        db.session.add(SurveySubmission(enrolment_id=context.enrolment.id, cohort_id=cohort_id))
        db.session.add(SurveyAnswer(cohort_id=cohort_id, question_id="satisfaction", value=5))
        from lms.credentials.keys import ensure

        ensure()  # the first signing key
        from lms.api.tokens import create_token
        from lms.webhooks.models import Webhook, WebhookDelivery

        create_token(SYSTEM, person, "crm", ["read"])  # an API token
        hook = Webhook(url="https://hooks.test.example/lms", events=["enrolment.created"],
                       secret="whsec_c2VjcmV0")  # fmt: skip
        db.session.add(hook)
        db.session.flush()
        from lms.outbox.models import OutboxMessage

        outbox_id = db.session.scalar(select(OutboxMessage.id).limit(1))
        db.session.add(WebhookDelivery(webhook_id=hook.id, outbox_id=outbox_id,
                                       event="enrolment.created", message_id="msg_kept"))  # fmt: skip
        from lms.attendance.models import Attendance, ClassSession

        session = ClassSession(
            cohort_id=cohort_id,
            starts_at=datetime(2026, 1, 6, 9),
            ends_at=datetime(2026, 1, 6, 11),
            place="Hall",
            secret="s" * 32,
        )
        db.session.add(session)
        db.session.flush()
        db.session.add(
            Attendance(session_id=session.id, enrolment_id=context.enrolment.id, method="code")
        )
        from lms.people.requests import request_deletion

        request_deletion(person)  # a deletion request
        db.session.commit()
        counts = {
            table: db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            for table in db.metadata.tables
        }
        assert all(counts.values()), {
            t: c for t, c in counts.items() if not c
        }  # every table has rows
        db.session.commit()  # migrations run on their own connection: hold no locks
        for previous in reversed(REVISIONS[:-1]):
            downgrade(revision=previous)
            present = set(inspect(db.engine).get_table_names())
            kept = {
                t: db.session.execute(text(f'SELECT count(*) FROM "{t}"')).scalar()
                for t in counts
                if t in present
            }
            db.session.commit()
            upgrade()
            for table, rows in kept.items():
                assert (
                    db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() == rows
                ), (previous, table)
            db.session.remove()
        db.engine.dispose()
