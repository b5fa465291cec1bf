"""Configuration: defaults, then `instance/config.py`, then `LMS_*` environment variables.

The secret key is never hard-coded: when none is configured, one is generated into
`instance/secret_key` on first run and reused afterwards.
"""

from __future__ import annotations

import copy
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from lms.private import private_folder

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "COURSES_DIR": str(ROOT / "courses"),
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLITE_BUSY_TIMEOUT": 30,
    "LANGUAGES": ["en", "ur", "id"],
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,  # uploads (CSV); larger requests get 413
    "MAX_FORM_MEMORY_SIZE": 200 * 1024,  # any one non-file form field
    "MAX_REQUEST_BYTES": 256 * 1024,  # every request except the spreadsheet upload
    "MAX_FORM_PARTS": 500,
    "SESSION_IDLE_MINUTES": 7 * 24 * 60,  # trainees come back after days on a shared phone
    "SESSION_MAX_DAYS": 30,
    "PERMANENT_SESSION_LIFETIME": 30 * 86400,
    "PROXIES": 0,  # LMS_PROXIES=1 behind one reverse proxy (client address, https)
    "SESSION_COOKIE_SECURE": False,  # set LMS_SESSION_COOKIE_SECURE=true behind HTTPS
    "REMEMBER_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "COMPRESS_MIN_BYTES": 500,
    "REGISTRATION": "open",  # or "invite"
    "SITE_NAME": "Literacy LMS",
    "BASE_URL": "http://127.0.0.1:5000",  # for links printed by the CLI and sent in messages
    "DEFAULT_COUNTRY": "PK",  # phone numbers typed without +country outside a cohort
    "MESSAGE_BACKEND": "log",
    "CERTIFICATE_PAGE_SIZE": "A4",  # or "Letter"
    "PDF_ISOLATED": True,  # render PDFs in a worker process with the limits below
    "PDF_TIMEOUT": 30,  # seconds
    "PDF_MEMORY_MB": 1024,
    "REDIS_URL": None,  # shared rate-limit counts across processes
    "RATELIMIT_ENABLED": True,
    "REPORT_MIN_GROUP": 5,  # breakdown groups smaller than this are hidden
    "AT_RISK_DAYS": 3,  # no activity for this many days while the cohort runs
    "RETENTION_DAYS": None,  # `lms people purge`: days after their cohorts ended
}

# LMS_<NAME> environment variables whose name differs from the Flask setting.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, the instance file, the environment and overrides."""
    app.config.from_mapping(copy.deepcopy(DEFAULTS))
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(prefix="LMS")
    for env_name, setting in ENV_ALIASES.items():
        if env_name in app.config:
            app.config[setting] = app.config.pop(env_name)
    app.config.update(overrides or {})
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", _default_database_url(app))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _default_database_url(app: Flask) -> str:
    return "sqlite:///" + str(Path(app.instance_path) / "lms.sqlite3")


def _instance_secret_key(instance: Path) -> str:
    """Read the generated key, creating it (readable by the owner only) on first run."""
    path = instance / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    private_folder(instance)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
