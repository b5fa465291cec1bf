"""What staff do with messages: read a cohort's messages with their delivery status
(paginated, filtered by status, channel, kind or trainee), see each text's SMS segments
and cost, write to the cohort, its at-risk trainees or one person (with a preview in each
recipient's language first), and see the nudges' effect (who came back within 48 hours).
Permission first in each function: admins, and the cohort's instructors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.audit.services import record
from lms.auth.models import User
from lms.cohorts.models import Cohort, Enrolment
from lms.courses.catalogue import get_catalogue
from lms.errors import ServiceError
from lms.extensions import db
from lms.nudges import preferences, texts
from lms.nudges.links import link
from lms.nudges.models import NudgeSend
from lms.nudges.rules import RULES
from lms.outbox.models import STATUSES, OutboxMessage
from lms.outbox.segments import Segments, count_segments
from lms.outbox.services import queue_message
from lms.permissions import can_manage_cohort, ensure
from lms.progress.models import LessonCompletion
from lms.quizzes.models import QuizAttempt
from lms.reports.roster import roster_rows
from lms.reports.sections import Section

AUDIENCES = ("all", "at_risk", "one")
MAX_TEXT = 600
PER_PAGE = 50


@dataclass(frozen=True)
class MessageFilter:
    status: str = ""
    channel: str = ""
    kind: str = ""
    user_id: int | None = None


def cost_of(segments: Segments, channel: str) -> Decimal:
    """What an SMS costs (WhatsApp and e-mail are counted as free here)."""
    if channel != "sms":
        return Decimal(0)
    return segments.cost(current_app.config.get("SMS_COST_PER_SEGMENT") or 0)


def messages_page(actor: Any, cohort: Cohort, filters: MessageFilter, page: int = 1) -> tuple:
    """(rows, total) of the cohort's messages, newest first."""
    ensure(can_manage_cohort(actor, cohort))
    query = select(OutboxMessage).where(OutboxMessage.cohort_id == cohort.id)
    if filters.status in STATUSES:
        query = query.where(OutboxMessage.status == filters.status)
    if filters.channel in preferences.CHANNELS:
        query = query.where(OutboxMessage.channel == filters.channel)
    if filters.kind:
        query = query.where(OutboxMessage.kind == filters.kind[:60])
    if filters.user_id:
        query = query.where(OutboxMessage.user_id == filters.user_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return list(rows), total


def set_message_hours(actor: Any, cohort: Cohort, from_hour: int, until_hour: int) -> None:
    """The local hours nudges may go out in (the cohort's timezone): [from, until)."""
    ensure(can_manage_cohort(actor, cohort))
    if not (0 <= from_hour < until_hour <= 24):
        raise ServiceError(
            _("The hours must run forward, from 0 to 24 (e.g. from 9 until 21)."), field="hours"
        )
    cohort.messages_from_hour, cohort.messages_until_hour = from_hour, until_hour
    record("cohort.message_hours", actor, cohort, hours=f"{from_hour}-{until_hour}")
    db.session.flush()


def enrolment_choices(actor: Any, cohort: Cohort) -> list[tuple[int, str]]:
    """(enrolment id, name) of the trainees one may write to, by name."""
    ensure(can_manage_cohort(actor, cohort))
    rows = db.session.scalars(
        select(Enrolment).where(Enrolment.cohort_id == cohort.id, Enrolment.status != "withdrawn")
    )
    return sorted(((e.id, e.user.name) for e in rows), key=lambda pair: pair[1].lower())


@dataclass(frozen=True)
class Draft:
    user: User
    channel: str | None
    language: str
    subject: str
    body: str
    segments: Segments
    cost: Decimal
    reachable: bool  # has a channel and has not opted out


def _recipients(actor: Any, cohort: Cohort, audience: str, enrolment_id: int | None) -> list:
    enrolments = select(Enrolment).where(
        Enrolment.cohort_id == cohort.id, Enrolment.status != "withdrawn"
    )
    if audience == "one":
        found = db.session.scalars(enrolments.where(Enrolment.id == (enrolment_id or 0))).all()
        if not found:
            raise ServiceError(_("Choose the trainee to write to."), field="enrolment")
        return [e.user for e in found]
    if audience == "at_risk":
        course = get_catalogue().get(cohort.course_slug)
        if course is None:
            return []
        rows = roster_rows(actor, cohort, course, at_risk_only=True)
        return [row.enrolment.user for row in rows if row.enrolment.status != "withdrawn"]
    return [e.user for e in db.session.scalars(enrolments.order_by(Enrolment.id))]


def drafts(
    actor: Any, cohort: Cohort, audience: str, text: str, enrolment_id: int | None = None
) -> list[Draft]:
    """Each recipient's message as it will be sent, in their language, with its cost."""
    ensure(can_manage_cohort(actor, cohort))
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("Write the message first."), field="text")
    if len(text) > MAX_TEXT:
        raise ServiceError(_("Please use at most %(n)d characters.", n=MAX_TEXT), field="text")
    if audience not in AUDIENCES:
        raise ServiceError(_("Choose who receives the message."), field="audience")
    sender = getattr(actor, "name", "") or _("Your instructor")
    result = []
    for user in _recipients(actor, cohort, audience, enrolment_id):
        channel = preferences.channel_of(user)
        unsubscribe = link("nudges.unsubscribe", token=preferences.unsubscribe_token(user))
        rendered = texts.render(
            "message.instructor", user.language, channel or "sms", unsubscribe=unsubscribe,
            text=text, sender=sender, cohort=cohort.name,
        )  # fmt: skip
        segments = count_segments(rendered.body)
        result.append(
            Draft(
                user=user, channel=channel, language=user.language, subject=rendered.subject,
                body=rendered.body, segments=segments, cost=cost_of(segments, channel or ""),
                reachable=channel is not None and preferences.messages_on(user),
            )
        )  # fmt: skip
    return result


def send_drafts(actor: Any, cohort: Cohort, audience: str, text: str, enrolment_id=None) -> int:
    """Queue the message to every reachable recipient; returns how many were queued."""
    queued = 0
    for draft in drafts(actor, cohort, audience, text, enrolment_id):
        if not draft.reachable:
            continue
        queue_message(
            kind="message.instructor", recipient=preferences.address(draft.user, draft.channel),
            subject=draft.subject, body=draft.body, channel=draft.channel,
            user_id=draft.user.id, cohort_id=cohort.id, language=draft.language,
        )  # fmt: skip
        queued += 1
    record("message.compose", actor, cohort, audience=audience, recipients=queued)
    return queued


@dataclass(frozen=True)
class Effect:
    rule: str
    nudged: int  # trainees nudged by this rule
    came_back: int  # of them, active (a lesson done, a quiz submitted) within 48 hours after


def effect(actor: Any, cohort: Cohort) -> list[Effect]:
    """Per nudge rule, for the cohort's managers."""
    ensure(can_manage_cohort(actor, cohort))
    return effect_of([cohort.id])


def effect_of(cohort_ids: list[int]) -> list[Effect]:
    """Per nudge rule: trainees nudged, and how many did something (a lesson, a quiz)
    within 48 hours of one of its nudges. The caller has checked permissions."""
    sends = db.session.execute(
        select(NudgeSend.rule, NudgeSend.enrolment_id, NudgeSend.created_at).where(
            NudgeSend.cohort_id.in_(cohort_ids)
        )
    ).all()
    enrolments = {enrolment_id for _rule, enrolment_id, _at in sends}
    activity: dict[int, list] = {}
    if enrolments:
        lessons = select(LessonCompletion.enrolment_id, LessonCompletion.completed_at).where(
            LessonCompletion.enrolment_id.in_(enrolments)
        )
        attempts = select(QuizAttempt.enrolment_id, QuizAttempt.submitted_at).where(
            QuizAttempt.enrolment_id.in_(enrolments)
        )
        for enrolment_id, at in [*db.session.execute(lessons), *db.session.execute(attempts)]:
            activity.setdefault(enrolment_id, []).append(at)
    nudged: dict[str, set[int]] = {rule: set() for rule in RULES}
    back: dict[str, set[int]] = {rule: set() for rule in RULES}
    window = timedelta(hours=48)
    for rule, enrolment_id, sent_at in sends:
        nudged.setdefault(rule, set()).add(enrolment_id)
        if any(sent_at < at <= sent_at + window for at in activity.get(enrolment_id, ())):
            back.setdefault(rule, set()).add(enrolment_id)
    return [Effect(rule, len(nudged[rule]), len(back.get(rule, ()))) for rule in nudged]


def report_section(report: Any) -> Section | None:
    """The nudges' effect in the sponsor and instructor reports (lms.reports.sections)."""
    cohort_ids = [c["id"] for c in getattr(report, "cohorts", []) if "id" in c]
    rows = [e for e in effect_of(cohort_ids) if e.nudged] if cohort_ids else []
    if not rows:
        return None
    return Section(
        id="nudges",
        title=_("Nudges and their effect"),
        columns=(_("Nudge"), _("Trainees nudged"), _("Came back within 48 hours")),
        rows=[(RULE_LABELS.get(e.rule, e.rule)(), e.nudged, e.came_back) for e in rows],
        note=_("Came back: did a lesson or a quiz within 48 hours of the reminder."),
    )


RULE_LABELS = {
    "day_open": lambda: _("Day N is open"),
    "not_started": lambda: _("You have not started"),
    "away": lambda: _("You have been away N days"),
    "one_quiz_left": lambda: _("One quiz left"),
    "certificate_ready": lambda: _("Your certificate is ready"),
}
