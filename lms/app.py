"""Builds the Flask app: config, extensions, blueprints, CLI, error handlers, in that order."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from lms.admin.views import bp as admin_bp
from lms.api.cli import tokens_cli
from lms.api.pages import bp as tokens_bp
from lms.api.views import init_api
from lms.attendance.views import bp as attendance_bp
from lms.attendance.views import checkin_bp
from lms.auth.cli import users_cli
from lms.auth.sessions import init_sessions
from lms.auth.views import bp as auth_bp
from lms.backup import backup_command, restore_command
from lms.certificates.cli import certificates_cli
from lms.certificates.views import bp as certificates_bp
from lms.cli import assets_cli, demo_command, init_command
from lms.cohorts.cli import cohorts_cli, enrol_command
from lms.cohorts.join_views import bp as join_bp
from lms.config import ROOT, load_config
from lms.courses.catalogue import init_catalogue
from lms.courses.cli import courses_cli
from lms.courses.views import bp as courses_bp
from lms.credentials.cli import credentials_cli, keys_cli, verify_command
from lms.credentials.views import bp as credentials_bp
from lms.db import init_db
from lms.events import init_events
from lms.extensions import csrf, db, migrate
from lms.home.views import bp as home_bp
from lms.learning.pages import init_lesson_pages
from lms.learning.views import bp as learning_bp
from lms.nudges.cli import nudges_cli
from lms.nudges.hooks import bp as hooks_bp
from lms.nudges.views import bp as nudges_bp
from lms.outbox.cli import messages_cli, worker_command
from lms.outbox.queue import init_queue
from lms.people.cli import people_cli
from lms.people.views import bp as people_bp
from lms.public import init_public_address
from lms.reports.cli import report_command
from lms.reports.views import bp as reports_bp
from lms.subscriptions import wire_subscribers
from lms.surveys.views import bp as surveys_bp
from lms.teach.preview import bp as studio_bp
from lms.teach.views import bp as teach_bp
from lms.teach.views import sponsor_bp
from lms.web.assets import init_assets
from lms.web.compress import init_compression
from lms.web.errors import register_error_handlers
from lms.web.health import bp as health_bp
from lms.web.i18n import bp as i18n_bp
from lms.web.i18n import init_i18n
from lms.web.limits import init_limits
from lms.web.offline import bp as offline_bp
from lms.web.security import init_security
from lms.webhooks.cli import webhooks_cli
from lms.webhooks.views import bp as webhooks_bp


def build_app(config: dict[str, Any] | None = None) -> Flask:
    config = dict(config or {})
    instance = (
        config.pop("INSTANCE_PATH", None)
        or os.environ.get("LMS_INSTANCE_PATH")
        or ROOT / "instance"
    )
    app = Flask(
        "lms",
        instance_path=str(instance),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    load_config(app, config)
    if app.config.get("PROXIES"):  # behind N reverse proxies: trust their X-Forwarded-* headers
        hops = int(app.config["PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.url_map.converters["int"] = BoundedInt
    _init_extensions(app)
    _register_blueprints(app)
    _register_cli(app)
    register_error_handlers(app)
    return app


class BoundedInt(IntegerConverter):
    """`<int:id>` that no database column overflows: larger numbers simply do not match (404)."""

    def __init__(self, url_map, *args, **kwargs) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _init_extensions(app: Flask) -> None:
    init_db(app)
    init_security(app)  # first: request limits apply before CSRF reads the form
    migrate.init_app(app, db, directory=str(ROOT / "lms" / "migrations"))
    csrf.init_app(app)
    init_sessions(app)
    init_limits(app)
    init_i18n(app)
    init_assets(app)
    init_public_address(app)
    init_compression(app)
    init_catalogue(app)
    init_lesson_pages(app)
    init_events(app)
    init_queue(app)
    wire_subscribers(app)


def _register_blueprints(app: Flask) -> None:
    blueprints = [health_bp, i18n_bp, home_bp, auth_bp, courses_bp, join_bp, learning_bp]
    blueprints += [teach_bp, sponsor_bp, admin_bp, certificates_bp, reports_bp, surveys_bp]
    blueprints += [credentials_bp, tokens_bp, webhooks_bp, attendance_bp, checkin_bp, studio_bp]
    blueprints += [nudges_bp, hooks_bp, people_bp, offline_bp]
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    init_api(app)


def _register_cli(app: Flask) -> None:
    commands = [init_command, demo_command, assets_cli, courses_cli, users_cli, cohorts_cli]
    commands += [enrol_command]
    commands += [certificates_cli, report_command, backup_command, restore_command]
    commands += [credentials_cli, keys_cli, tokens_cli, webhooks_cli, people_cli]
    certificates_cli.add_command(verify_command)  # `lms certificates verify FILE.json` too
    for command in [*commands, messages_cli, worker_command, nudges_cli]:
        app.cli.add_command(command)
