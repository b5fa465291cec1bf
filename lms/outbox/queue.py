"""The job queue (Huey) that delivers outbox rows after commit.

Storage: Redis when `LMS_REDIS_URL` is set (several servers share it), else a SQLite file
in `instance/` (one machine); `LMS_QUEUE_NAME` (default `lms`) keeps apart the queues of
installations sharing one Redis database. The queue only carries "deliver message N"; the
outbox table stays the truth, and a periodic sweep (every minute) delivers anything the
queue missed (a message written while the queue was unreachable, a retry whose time has
come).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from lms.outbox.delivery import deliver_due, deliver_one
from lms.outbox.services import NEW_IDS
from lms.private import create_private_file, private_folder

EXTENSION = "lms.queue"
SCHEDULES = "lms.queue.schedules"  # app.extensions key: jobs run every 15 minutes


def add_schedule(app: Flask, job) -> None:
    """Run `job()` (in an app context) every 15 minutes in `lms worker` (nudges, ...)."""
    app.extensions.setdefault(SCHEDULES, []).append(job)


log = logging.getLogger(__name__)


def make_huey(app: Flask) -> Huey:
    if app.config.get("REDIS_URL"):
        name = app.config.get("QUEUE_NAME") or "lms"
        return RedisHuey(name, url=app.config["REDIS_URL"], utc=True)
    path = Path(app.config.get("QUEUE_FILE") or Path(app.instance_path) / "queue.sqlite3")
    private_folder(path.parent)
    create_private_file(path)  # message rows: phone numbers and links
    return SqliteHuey("lms", filename=str(path), utc=True)


def init_queue(app: Flask) -> Huey:
    """Create the app's queue, its tasks, and the after-commit hand-over of new rows."""
    huey = make_huey(app)

    @huey.task(name="deliver", retries=0)
    def deliver(message_id: int) -> None:
        with app.app_context():
            deliver_one(message_id)

    @huey.periodic_task(crontab(minute="*"), name="deliver_due")
    def sweep() -> None:
        with app.app_context():
            deliver_due()

    @huey.periodic_task(crontab(minute="*/15"), name="schedules")
    def schedules() -> None:
        with app.app_context():
            for job in app.extensions.get(SCHEDULES, ()):
                try:
                    job()
                except Exception:  # noqa: BLE001 - one job must not stop the others
                    log.exception("scheduled job %s failed", getattr(job, "__name__", job))
            deliver_due()

    app.extensions[EXTENSION] = {"huey": huey, "deliver": deliver, "schedules": schedules}
    return huey


def get_huey(app: Flask) -> Huey:
    return app.extensions[EXTENSION]["huey"]


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    """After the row is committed, ask the queue to deliver it (best effort: the sweep
    delivers it anyway if the queue cannot be reached now)."""
    ids = session.info.pop(NEW_IDS, None)
    if not ids:
        return
    if not has_app_context() or EXTENSION not in current_app.extensions:
        return
    if not current_app.config.get("QUEUE_ENABLED", True):
        return
    deliver = current_app.extensions[EXTENSION]["deliver"]
    for message_id in ids:
        try:
            deliver(message_id)
        except Exception:  # noqa: BLE001 - the periodic sweep will deliver it
            log.warning("queue unreachable: message %s waits for the sweep", message_id)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(NEW_IDS, None)
