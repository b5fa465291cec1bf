"""Deletion requests: a trainee asks for erasure (and may withdraw), admins are told by
e-mail and see the requests listed; erasing the person closes them (`services.erase`).

The e-mail to admins names no one (only the request's number and a link), so nothing
about the person is left in the outbox once they are erased. Services flush; the caller
commits.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.audit.services import record
from lms.auth.models import User
from lms.clock import utcnow_naive
from lms.extensions import db
from lms.outbox.services import queue_message
from lms.people.models import DONE, PENDING, STATUSES, WITHDRAWN, DeletionRequest
from lms.permissions import ensure, is_admin, require_role
from lms.public import external_url
from lms.web.forms import Page

LANGUAGES = ("en", "ur", "id")


def _pending(person: User) -> DeletionRequest | None:
    return db.session.scalar(
        select(DeletionRequest).where(
            DeletionRequest.user_id == person.id, DeletionRequest.status == PENDING
        )
    )


def may_request(actor: User) -> bool:
    """Trainees may ask; staff accounts are disabled by an admin, not erased."""
    return bool(actor and actor.is_authenticated and actor.role == "trainee")


def current_request(actor: User) -> DeletionRequest | None:
    """The actor's own pending request, if any (trainees only)."""
    ensure(may_request(actor), "only trainees ask for deletion")
    return _pending(actor)


def request_deletion(actor: User) -> DeletionRequest:
    """Record the actor's request (once: asking again returns the pending one) and tell
    every admin by e-mail."""
    ensure(may_request(actor), "only trainees ask for deletion")
    existing = _pending(actor)
    if existing is not None:
        return existing
    request = DeletionRequest(user_id=actor.id, status=PENDING, requested_at=utcnow_naive())
    try:
        with db.session.begin_nested():
            db.session.add(request)
    except IntegrityError:  # asked a moment ago from another tab (one pending per person)
        return _pending(actor)
    record("person.deletion_requested", actor, actor, request_id=request.id)
    _tell_admins(request)
    return request


def withdraw_deletion(actor: User) -> DeletionRequest | None:
    """Withdraw the actor's pending request; None when there was none."""
    ensure(may_request(actor), "only trainees ask for deletion")
    request = _pending(actor)
    if request is None:
        return None
    request.status, request.closed_at = WITHDRAWN, utcnow_naive()
    record("person.deletion_withdrawn", actor, actor, request_id=request.id)
    return request


def close_requests(actor: User, person: User) -> list[int]:
    """Mark the person's pending requests done (erasure calls this); their ids."""
    ensure(is_admin(actor), "only admins erase people")
    request = _pending(person)
    if request is None:
        return []
    request.status, request.closed_at = DONE, utcnow_naive()
    request.handled_by_id = getattr(actor, "id", None)
    return [request.id]


def pending_for(actor: User, person: User) -> DeletionRequest | None:
    """An admin's view of someone's pending request."""
    require_role(actor, "admin")
    return _pending(person)


def deletion_requests(
    actor: User, status: str = PENDING, page: int = 1, per_page: int = 50
) -> Page:
    """Requests with `status`, oldest first (pending ones are answered in that order)."""
    require_role(actor, "admin")
    status = status if status in STATUSES else PENDING
    query = select(DeletionRequest).where(DeletionRequest.status == status)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order = DeletionRequest.requested_at if status == PENDING else DeletionRequest.closed_at.desc()
    items = db.session.scalars(
        query.order_by(order, DeletionRequest.id).offset((page - 1) * per_page).limit(per_page)
    )
    return Page(list(items), page, per_page, total)


def _admins() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.role == "admin", User.active.is_(True), User.email.is_not(None))
            .order_by(User.id)
        )
    )


def _tell_admins(request: DeletionRequest) -> None:
    site = current_app.config["SITE_NAME"]
    link = external_url("people.requests")
    for admin in _admins():
        language = admin.language if admin.language in LANGUAGES else "en"
        with force_locale(language):
            subject = _("%(site)s: a request to delete personal data", site=site)
            body = _(
                "A trainee asked for their personal data to be deleted (request "
                "%(number)s).\nOpen the list of deletion requests to erase the account: "
                "%(link)s",
                number=request.id,
                link=link,
            )
        queue_message(
            kind="person.deletion_requested",
            recipient=admin.email,
            subject=subject,
            body=body,
            channel="email",
            user_id=admin.id,
            language=language,
        )
