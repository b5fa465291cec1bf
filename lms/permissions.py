"""Permission rules as plain functions, called by services so pages, CLI and API agree.

`PermissionDenied` becomes a 403 page (and an audit entry) in the web layer. Anything
that belongs to one cohort (its pages, roster, people, reports, certificates, messages) is
checked with `ensure_visible`: whoever may not see it gets `Concealed`, a 404 exactly like
the one for a cohort that does not exist (and still an audit entry), so ids cannot be
probed for existence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class User(Protocol):
    """Whoever acts: a signed-in user, an anonymous visitor, or `SYSTEM`.

    A protocol rather than the model, because permissions sit below the packages whose
    services call them.
    """

    id: int | None
    role: str
    is_authenticated: bool
    organisation_id: int | None


class Cohort(Protocol):
    instructors: Sequence[User]
    organisation_id: int | None
    sponsor_sees_names: bool


class SystemActor:
    """The server's operator at the command line: acts as an admin, audited as `system`."""

    id = None
    role = "admin"
    name = "system"
    is_authenticated = True
    organisation_id = None


SYSTEM = SystemActor()


class PermissionDenied(Exception):
    """The actor may not do this."""


class NotFound(Exception):
    """The object does not exist (or must look as if it did not)."""


class Concealed(NotFound):
    """Denied, and answered as if the object did not exist (audited as a denial)."""


def ensure_visible(condition: bool, message: str = "permission denied") -> None:
    """Like `ensure`, for objects whose existence is itself not to be revealed."""
    if not condition:
        raise Concealed(message)


def ensure(condition: bool, message: str = "permission denied") -> None:
    if not condition:
        raise PermissionDenied(message)


def is_admin(user: User | None) -> bool:
    return bool(user and user.is_authenticated and user.role == "admin")


def require_role(user: User | None, *roles: str) -> None:
    ensure(bool(user and user.is_authenticated and user.role in roles), f"requires role {roles}")


def can_manage_cohort(user: User | None, cohort: Cohort) -> bool:
    """Admins, and instructors teaching this cohort."""
    if not user or not user.is_authenticated:
        return False
    if user.role == "admin":
        return True
    return user.role == "instructor" and any(i.id == user.id for i in cohort.instructors)


def can_see_names(user: User | None, cohort: Cohort) -> bool:
    """Who may see trainees by name: the cohort's managers, and its sponsor when allowed."""
    if can_manage_cohort(user, cohort):
        return True
    return cohort.sponsor_sees_names and can_view_cohort_reports(user, cohort)


def can_view_cohort_reports(user: User | None, cohort: Cohort) -> bool:
    """Those who manage it, and sponsors of the cohort's organisation."""
    if can_manage_cohort(user, cohort):
        return True
    return bool(
        user
        and user.is_authenticated
        and user.role == "sponsor"
        and user.organisation_id is not None
        and user.organisation_id == cohort.organisation_id
    )
