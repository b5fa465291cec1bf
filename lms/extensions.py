"""The Flask extension objects, created unbound and initialised in `create_app`."""

from __future__ import annotations

from functools import cached_property

import click
from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so migrations can alter them on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


class LazyMigrate:
    """Flask-Migrate, imported only when migrations run: importing it (and Alembic) was a
    fifth of the web server's start-up. `init_app` leaves what Flask-Migrate's functions
    and `lms/migrations/env.py` read in `app.extensions["migrate"]`, and the `db` commands
    load the real group when one is run."""

    def init_app(self, app: Flask, db: SQLAlchemy, directory: str) -> None:
        app.extensions["migrate"] = _MigrateSettings(db, directory)
        app.cli.add_command(_LazyGroup("db", help="Database migrations (Flask-Migrate)."))


class _MigrateSettings:
    """What Flask-Migrate's `_MigrateConfig` holds, with its `Migrate` made on first use."""

    def __init__(self, db: SQLAlchemy, directory: str) -> None:
        self.db, self.directory = db, directory
        self.configure_args = {"compare_type": True, "render_as_batch": True}

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata

    @cached_property
    def migrate(self):
        from flask_migrate import Migrate

        return Migrate(db=self.db, directory=self.directory)


class _LazyGroup(click.Group):
    def _real(self) -> click.Group:
        from flask_migrate.cli import db as group

        return group

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._real().get_command(ctx, name)


migrate = LazyMigrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
