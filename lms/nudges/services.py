"""Running the nudge rules and queueing what is due, through the outbox.

`run_nudges()` (called by `lms nudges run` and every 15 minutes by `lms worker`) looks at
every running cohort whose local time is inside its message hours (09:00-21:00 unless
configured; outside, nothing is queued and what is due waits for the window), evaluates
the rules for each enrolment, and queues each due nudge in the trainee's language on the
trainee's channel, unless they opted out. A `NudgeSend` row per nudge, unique per
enrolment, rule and local day, makes "at most once a day" hold even when two runs race;
its key makes one thing (Day 2, a certificate) nudged only once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.certificates.models import Certificate
from lms.clock import now as clock_now
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.catalogue import get_catalogue
from lms.extensions import db
from lms.nudges import preferences, rules, texts
from lms.nudges.links import link
from lms.nudges.models import NudgeSend
from lms.outbox.services import queue_message
from lms.progress.services import completed_lessons, quiz_statuses, summarise

CERTIFICATE_NEWS = timedelta(days=7)  # an older certificate is not news any more


@dataclass
class NudgeRun:
    queued: list[tuple[int, str]] = field(default_factory=list)  # (user id, rule)
    waiting_cohorts: list[int] = field(default_factory=list)  # outside their message hours
    opted_out: int = 0


def run_nudges(now: datetime | None = None) -> NudgeRun:
    """Evaluate every rule once and queue what is due; the caller commits."""
    now = now or clock_now()
    run = NudgeRun()
    if not current_app.config.get("NUDGES_ENABLED", True):
        return run
    for cohort in db.session.scalars(select(Cohort).order_by(Cohort.id)):
        course = get_catalogue().get(cohort.course_slug)
        if course is None or rules.local_today(cohort, now) < cohort.start_date:
            continue
        if not rules.in_window(cohort, now):
            run.waiting_cohorts.append(cohort.id)
            continue
        _run_cohort(cohort, course, now, run)
    return run


def _run_cohort(cohort: Cohort, course, now: datetime, run: NudgeRun) -> None:
    enrolments = list(
        db.session.scalars(
            select(Enrolment).where(
                Enrolment.cohort_id == cohort.id, Enrolment.status != "withdrawn"
            )
        )
    )
    if not enrolments:
        return
    ids = [e.id for e in enrolments]
    done, statuses = completed_lessons(ids), quiz_statuses(ids)
    codes = dict(
        db.session.execute(
            select(Certificate.enrolment_id, Certificate.code).where(
                Certificate.enrolment_id.in_(ids),
                Certificate.status == "valid",
                Certificate.issued_at
                >= now.astimezone(UTC).replace(tzinfo=None) - CERTIFICATE_NEWS,
            )
        ).all()
    )
    sent_keys: dict[int, set[tuple[str, str]]] = defaultdict(set)
    sent_today: dict[int, set[str]] = defaultdict(set)
    today = rules.local_today(cohort, now)
    for send in db.session.scalars(select(NudgeSend).where(NudgeSend.cohort_id == cohort.id)):
        sent_keys[send.enrolment_id].add((send.rule, send.key))
        if send.local_day == today:
            sent_today[send.enrolment_id].add(send.rule)
    away_days = int(current_app.config.get("AT_RISK_DAYS", 3))
    for enrolment in enrolments:
        progress = summarise(course, done.get(enrolment.id, set()), statuses.get(enrolment.id, {}))
        due = rules.due_for(
            enrolment, course, progress, now,
            certificate_code=codes.get(enrolment.id), away_days=away_days,
        )  # fmt: skip
        for item in due:
            if (
                item.rule in sent_today[enrolment.id]
                or (item.rule, item.key) in sent_keys[enrolment.id]
            ):
                continue
            if not preferences.messages_on(enrolment.user):
                run.opted_out += 1
                continue
            if _queue_nudge(enrolment, item, today):
                sent_today[enrolment.id].add(item.rule)
                run.queued.append((enrolment.user_id, item.rule))


def _queue_nudge(enrolment: Enrolment, item: rules.Due, today) -> bool:
    user = enrolment.user
    channel = preferences.channel_of(user)
    if channel is None:
        return False
    unsubscribe = link("nudges.unsubscribe", token=preferences.unsubscribe_token(user))
    text = texts.render(
        f"nudge.{item.rule}", user.language, channel, unsubscribe=unsubscribe,
        link=link(item.endpoint, **item.values), **item.placeholders,
    )  # fmt: skip
    try:
        with db.session.begin_nested():
            message = queue_message(
                kind=f"nudge.{item.rule}", recipient=preferences.address(user, channel),
                subject=text.subject, body=text.body, channel=channel, user_id=user.id,
                cohort_id=enrolment.cohort_id, language=user.language,
            )  # fmt: skip
            db.session.add(
                NudgeSend(
                    rule=item.rule, key=item.key, enrolment_id=enrolment.id,
                    cohort_id=enrolment.cohort_id, local_day=today, outbox_id=message.id,
                )
            )  # fmt: skip
            db.session.flush()
    except IntegrityError:  # another run queued it first
        ids = db.session.info.get("lms.outbox.new", [])
        if ids:
            ids.pop()
        return False
    return True
