"""`LMS_DATABASE_POOLER=transaction` (PgBouncer in transaction mode, docs/deploy.md): the
app leaves nothing on a server connection between transactions, so psycopg makes no
server-side prepared statements however often a query runs."""

from __future__ import annotations

import pytest
from conftest import ON_POSTGRES
from sqlalchemy import text

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's prepared statements")


def prepared_after_repeats(app) -> int:
    """Run one query ten times on one connection; how many statements the server holds."""
    from lms.extensions import db

    with app.app_context(), db.engine.connect() as connection:
        for _ in range(10):
            connection.execute(text("SELECT count(*) FROM users WHERE id > :n"), {"n": 0})
        return connection.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()


def test_no_prepared_statements_behind_a_transaction_pooler(make_app):
    assert prepared_after_repeats(make_app(DATABASE_POOLER="transaction")) == 0


def test_psycopg_prepares_repeated_queries_by_default(make_app):
    """The check above can fail: without the setting, psycopg prepares the query."""
    assert prepared_after_repeats(make_app()) > 0
