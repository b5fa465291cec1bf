"""Configuration: defaults, then `instance/config.py`, then `LMS_*` environment variables.

The secret key is never hard-coded: when none is configured, one is generated into
`instance/secret_key` on first run and reused afterwards.
"""

from __future__ import annotations

import copy
import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from lms.private import private_folder

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "COURSES_DIR": str(ROOT / "courses"),
    "COURSES_RELOAD": False,  # see changed course files on the next request (on under `lms run`)
    "COURSES_RELOAD_STAMP": None,  # default instance/courses-reload (`lms courses reload`)
    "COURSES_CACHE_DIR": None,  # last good course versions; default instance/courses-last-good
    "COURSES_PARSED_DIR": None,  # parsed courses by content hash; default instance/courses-parsed
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SQLITE_BUSY_TIMEOUT": 30,
    # "transaction": PostgreSQL is reached through PgBouncer in transaction mode
    # (psycopg's prepared statements off; docs/deploy.md)
    "DATABASE_POOLER": None,
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
    # The cookie is sent again only when the session changed: the idle timer it carries
    # (`_seen`, lms.web.security) moves at most once a minute, and the browser's expiry
    # moves with it, so the timeouts are unchanged and most responses carry no cookie.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "PROXIES": 0,  # LMS_PROXIES=1 behind one reverse proxy (client address, https)
    "SESSION_COOKIE_SECURE": False,  # set LMS_SESSION_COOKIE_SECURE=true behind HTTPS
    "REMEMBER_COOKIE_SECURE": False,
    "WTF_CSRF_TIME_LIMIT": None,
    "COMPRESS_MIN_BYTES": 500,
    "LESSON_PAGE_CACHE": True,  # signed-in lesson pages from cached bodies (lms.learning.pages)
    "LESSON_PAGE_CACHE_BYTES": 16 * 1024 * 1024,  # per process
    "REGISTRATION": "open",  # or "invite"
    "SITE_NAME": "Literacy LMS",
    "PUBLIC_URL": None,  # LMS_PUBLIC_URL: the start of every address printed for people
    "DEFAULT_COUNTRY": "PK",  # phone numbers typed without +country outside a cohort
    # Messages (DESIGN "Messages and nudges"): one backend per channel, `log` by default.
    "EMAIL_BACKEND": "log",  # log | smtp
    "SMS_BACKEND": "log",  # log | http | twilio
    "WHATSAPP_BACKEND": "log",  # log | cloud | twilio
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 587,
    "MAIL_USE_TLS": True,
    "MAIL_FROM": "lms@localhost",
    "SMS_COST_PER_SEGMENT": 0,  # shown to staff before sending, in SMS_CURRENCY
    "SMS_CURRENCY": "",
    "WHATSAPP_API_URL": "https://graph.facebook.com/v21.0",
    "WHATSAPP_TEMPLATE": "lms_message",  # approved template with one body parameter
    "TWILIO_API_URL": "https://api.twilio.com",
    "NUDGES_ENABLED": True,
    "CERTIFICATE_PAGE_SIZE": "A4",  # or "Letter"
    "PDF_ISOLATED": True,  # render PDFs in a worker process with the limits below
    "PDF_TIMEOUT": 30,  # seconds
    "PDF_MEMORY_MB": 1024,
    "REDIS_URL": None,  # shared rate-limit counts and the queue, across processes
    "QUEUE_NAME": "lms",  # the queue's name in Redis (installations sharing one Redis)
    "RATELIMIT_ENABLED": True,
    "REPORT_MIN_GROUP": 5,  # breakdown groups smaller than this are hidden
    "AT_RISK_DAYS": 3,  # no activity for this many days while the cohort runs
    "CHECKIN_CODE_SECONDS": 120,  # an in-person session's check-in code changes this often
    "RETENTION_DAYS": None,  # `lms people purge`: days after their cohorts ended
}

# LMS_<NAME> environment variables whose name differs from the Flask setting.
ENV_ALIASES = {"DATABASE_URL": "SQLALCHEMY_DATABASE_URI"}
# SMTP settings are read under their plain names too (`MAIL_SERVER` as well as `LMS_MAIL_SERVER`).
PLAIN_ENV = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME", "MAIL_PASSWORD",
             "MAIL_FROM")  # fmt: skip
# Deprecated names kept for one release: old name -> what it becomes.
DEPRECATED = ("MESSAGE_BACKEND", "BASE_URL", "SMS_GATEWAY_URL")
log = logging.getLogger("lms.config")


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill `app.config` from defaults, the instance file, the environment and overrides."""
    app.config.from_mapping(copy.deepcopy(DEFAULTS))
    app.config.from_pyfile("config.py", silent=True)
    _plain_environment(app.config)
    app.config.from_prefixed_env(prefix="LMS")
    for env_name, setting in ENV_ALIASES.items():
        if env_name in app.config:
            app.config[setting] = app.config.pop(env_name)
    app.config.update(overrides or {})
    apply_message_aliases(app.config)
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", _default_database_url(app))
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _plain_environment(config: dict[str, Any]) -> None:
    """`MAIL_*` and the deprecated names, read from the environment without the prefix."""
    for name in (*PLAIN_ENV, *DEPRECATED):
        if name in os.environ:
            if name in DEPRECATED:
                log.warning("%s is deprecated: use its LMS_ replacement (see README)", name)
            value = os.environ[name]
            config[name] = int(value) if name == "MAIL_PORT" and value.isdigit() else value
    if "MAIL_USE_TLS" in os.environ:
        config["MAIL_USE_TLS"] = os.environ["MAIL_USE_TLS"].lower() in ("1", "true", "yes")


def apply_message_aliases(config: dict[str, Any]) -> None:
    """Map `MESSAGE_BACKEND` and `BASE_URL` (deprecated) onto the settings that replace them.

    `MESSAGE_BACKEND=smtp` meant e-mail over SMTP and SMS through the generic gateway;
    `memory` (tests, demos) keeps every channel's message in the process. `BASE_URL`
    becomes `PUBLIC_URL` when that is not set. `SMS_GATEWAY_URL` keeps its name (the
    environment variable is now `LMS_SMS_GATEWAY_URL`)."""
    backend = config.pop("MESSAGE_BACKEND", None)
    if backend:
        log.warning("MESSAGE_BACKEND is deprecated: set LMS_EMAIL_BACKEND and LMS_SMS_BACKEND")
        if backend == "smtp":
            config["EMAIL_BACKEND"], config["SMS_BACKEND"] = "smtp", "http"
        elif backend in ("log", "memory"):
            for setting in ("EMAIL_BACKEND", "SMS_BACKEND", "WHATSAPP_BACKEND"):
                config[setting] = backend
    base = config.get("BASE_URL")
    if base and base != DEFAULTS.get("BASE_URL") and not config.get("PUBLIC_URL"):
        log.warning("BASE_URL is deprecated: set LMS_PUBLIC_URL")
        config["PUBLIC_URL"] = base


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
