"""Historical messages for `lms demo`: the nudges a cohort's trainees would have had, with
believable delivery statuses, so the messages page and the nudges' effect show real rows
at once. Nothing here is delivered again (every row is already sent, delivered or failed)."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from lms.cohorts.models import Cohort, Enrolment
from lms.courses.engine import Course
from lms.extensions import db
from lms.nudges import preferences, texts
from lms.nudges.models import NudgeSend
from lms.outbox.models import DELIVERED, FAILED, SENT, OutboxMessage


def load_messages(cohort: Cohort, course: Course, rng: random.Random) -> int:
    """Add past `day_open` and `not_started` nudges for the cohort; returns how many."""
    base = str(current_app.config.get("PUBLIC_URL") or "").rstrip("/")
    zone = ZoneInfo(cohort.timezone)
    made = 0
    enrolments = db.session.scalars(select(Enrolment).where(Enrolment.cohort_id == cohort.id))
    for enrolment in enrolments:
        user = enrolment.user
        channel = preferences.channel_of(user)
        if channel is None:
            continue
        plans = []
        if enrolment.started_at is None:
            plans.append(("not_started", "", 1, f"/cohorts/{cohort.id}/continue"))
        elif len(course.days) > 1 and rng.random() < 0.8:
            day = course.days[rng.randint(1, len(course.days) - 1)]
            path = f"/cohorts/{cohort.id}/lessons/{day.lessons[0].slug}"
            plans.append(("day_open", f"day-{day.number}", day.number - 1, path))
        for rule, key, offset, path in plans:
            day = cohort.start_date + timedelta(days=offset)
            local = datetime.combine(day, time(9, rng.randint(0, 59)), zone)
            at = local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
            values = {"name": user.name.split(" ")[0], "course": course.title(user.language),
                      "day": offset + 1, "link": base + path}  # fmt: skip
            text = texts.render(f"nudge.{rule}", user.language, channel, **values)
            roll = rng.random()
            status = DELIVERED if roll < 0.85 else SENT if roll < 0.95 else FAILED
            message = OutboxMessage(
                kind=f"nudge.{rule}", channel=channel, recipient=preferences.address(user, channel),
                user_id=user.id, cohort_id=cohort.id, subject=text.subject, body=text.body,
                status=status, tries=5 if status == FAILED else 1, next_try_at=at,
                created_at=at, sent_at=None if status == FAILED else at + timedelta(seconds=4),
                failure="SMS gateway answered 500" if status == FAILED else None,
                language=user.language,
            )  # fmt: skip
            db.session.add(message)
            db.session.flush()
            db.session.add(
                NudgeSend(rule=rule, key=key, enrolment_id=enrolment.id, cohort_id=cohort.id,
                          local_day=day, outbox_id=message.id, created_at=at)
            )  # fmt: skip
            made += 1
    db.session.flush()
    return made
