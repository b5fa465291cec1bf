"""Database set-up: SQLite pragmas and transaction mode, PgBouncer in transaction mode, and
reachability and write checks.

SQLite loses updates or fails with "database is locked" when a transaction reads and
then writes. So every transaction that may write begins with `BEGIN IMMEDIATE` (the
SQLAlchemy recipe: take over pysqlite's transaction handling and emit BEGIN ourselves);
only GET/HEAD requests begin deferred so readers do not queue. A GET that must record
something (an audited export) ends its read and writes through `write_after_read`,
whose transaction begins IMMEDIATE: a deferred reader is never upgraded into a writer.

`read_one` runs a single SELECT outside any transaction (one statement is consistent on
its own): no BEGIN and ROLLBACK around it, which is most of a hot page's database time.
On SQLite a write request's read (the signed-in user with the page's data) is so made
before its write transaction begins, so the database's one write lock is held only for
the writes; on PostgreSQL, where readers take no lock, it is the first statement of the
write transaction instead.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, g, has_request_context, request
from sqlalchemy import event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from lms.extensions import db
from lms.private import FILE_MODE, tighten

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_db(app: Flask) -> None:
    """Bind the database extension and install SQLite's connection handling."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("postgresql") and app.config.get("DATABASE_POOLER") == "transaction":
        _behind_transaction_pooler(app)
    if url.startswith("sqlite"):
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        connect_args = {
            "timeout": app.config["SQLITE_BUSY_TIMEOUT"],
            **options.get("connect_args", {}),
        }
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _install_sqlite_handling(db.engine, app.config["SQLITE_BUSY_TIMEOUT"])


def _behind_transaction_pooler(app: Flask) -> None:
    """PgBouncer in transaction mode hands each transaction to any server connection, so
    nothing may outlive a transaction: psycopg's server-side prepared statements (made
    after 5 runs of a query) would be missing on the next connection. Turn them off."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    connect_args = {"prepare_threshold": None, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**options, "connect_args": connect_args}


def _install_sqlite_handling(engine: Engine, busy_timeout: int) -> None:
    database = engine.url.database or ""
    path = None if database in ("", ":memory:") or database.startswith("file:") else database

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()
        if path:  # password hashes and personal data: the owner's only
            for suffix in ("", "-wal", "-shm"):
                tighten(Path(path + suffix), FILE_MODE)

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _may_write() else "BEGIN")


def write_after_read(work: Callable[[], None]) -> None:
    """From a GET request: end the read-only transaction, then run `work` and commit it in
    a transaction that begins like any write (IMMEDIATE on SQLite)."""
    db.session.rollback()
    g.lms_writes = True
    try:
        work()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        g.lms_writes = False


def read_one(statement, parameters: dict) -> tuple | None:
    """The first row of one SELECT, as the driver returns it (no type conversion: SQLite
    gives dates as ISO text and booleans as 0/1), run on its own connection outside any
    transaction: no BEGIN/ROLLBACK round trips, whatever the request's ORM session is
    doing (on PostgreSQL, in a request that may write, in the session's transaction
    instead). The SQL is compiled once per statement and dialect. It runs through
    `Connection._cursor_execute`, the engine's own path for single statements without a
    result object: the engine's events, logging and error handling all apply, without the
    execution context and `CursorResult` (with its column map), which were two thirds of
    this function's time (docs/benchmarks.md "lesson_page")."""
    dialect = db.engine.dialect
    sql, defaults, order = _compiled(statement, dialect)
    values = {**defaults, **parameters}
    arguments = tuple(values[name] for name in order) if order else values
    if dialect.name == "postgresql" and _may_write():
        # A request that writes begins its transaction anyway: read in it (MVCC, no lock
        # taken) rather than on a second connection of the pool.
        return _fetch_one(db.session.connection(), sql, arguments)
    with db.engine.connect() as connection:
        if dialect.name == "postgresql":  # else psycopg opens a transaction
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        # SQLite: outside the write transaction, so its one write lock is held for less
        return _fetch_one(connection, sql, arguments)


def _fetch_one(connection, sql: str, arguments) -> tuple | None:
    cursor = connection.connection.cursor()
    try:
        connection._cursor_execute(cursor, sql, arguments)
        return cursor.fetchone()
    finally:
        cursor.close()


def _may_write() -> bool:
    """True outside GET/HEAD/OPTIONS requests (and outside requests: CLI, worker)."""
    if not has_request_context():
        return True
    return request.method not in READ_ONLY_METHODS or g.get("lms_writes", False)


_COMPILED: dict[tuple[int, str], tuple[str, dict, tuple[str, ...] | None]] = {}


def _compiled(statement, dialect) -> tuple[str, dict, tuple[str, ...] | None]:
    """(SQL text, bound values the statement carries, positional order or None)."""
    key = (id(statement), dialect.name)
    if key not in _COMPILED:
        binds = statement.compile(dialect=dialect).binds
        defaults = {name: bind.value for name, bind in binds.items()}
        compiled = statement.params(defaults).compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True}
        )
        order = tuple(compiled.positiontup) if compiled.positional else None
        _COMPILED[key] = (str(compiled), defaults, order)
    return _COMPILED[key]


def database_reachable() -> bool:
    """True when a trivial query succeeds."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db.session.rollback()
        return False


def database_writable() -> bool:
    """True when the database takes a write: a no-op UPDATE of the migration row, rolled
    back (a read-only file, a read-only transaction or a full disk all fail it)."""
    g.lms_writes = True  # a write transaction (BEGIN IMMEDIATE on SQLite), even from a GET
    try:
        db.session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "cannot write"
        return False
    finally:
        db.session.rollback()
        g.lms_writes = False


def contains(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, literally (escape character: backslash)."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def session_dialect() -> str:
    """The name of the session's database dialect: "sqlite" or "postgresql"."""
    return db.session.get_bind().dialect.name


def insert_for(dialect: str):
    """The INSERT construct of `dialect`, which has `on_conflict_do_*` (for statements
    built once per dialect on the hot write paths)."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def dialect_insert(model):
    """The INSERT construct of the session's dialect, which has `on_conflict_do_*`."""
    return insert_for(session_dialect())(model)


def upsert(model, keys: dict, values: dict, on_conflict: dict):
    """One race-free statement on SQLite and PostgreSQL: INSERT `keys` + `values`, or where
    a row with those unique `keys` exists, UPDATE it with `on_conflict` (SQL expressions
    over the existing row). Add `.returning(...)` to read the result in the same trip."""
    statement = dialect_insert(model).values(**keys, **values)
    return statement.on_conflict_do_update(index_elements=list(keys), set_=on_conflict)


def insert_if_absent(model, keys: dict, values: dict):
    """INSERT unless a row with these unique `keys` exists (no error, no savepoint)."""
    statement = dialect_insert(model).values(**keys, **values)
    return statement.on_conflict_do_nothing(index_elements=list(keys))
