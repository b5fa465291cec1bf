"""The text of every message, per language (en, ur, id), through the translation
catalogues like the interface strings (so `make translations` collects them and a test
checks each language keeps every placeholder).

`render(kind, language, channel, **values)` returns `Text(subject, body)`; SMS and
WhatsApp texts are short (a segment or two), e-mails end with the unsubscribe link.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import force_locale
from flask_babel import gettext as _

LANGUAGES = ("en", "ur", "id")


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def _day_open(v: dict) -> str:
    return _("Day %(day)s of %(course)s is open. Start here: %(link)s", **v)


def _not_started(v: dict) -> str:
    return _("%(name)s, your course %(course)s has started. Begin here: %(link)s", **v)


def _away(v: dict) -> str:
    return _(
        "%(name)s, you have been away %(days)s days. Continue where you left off: %(link)s", **v
    )


def _one_quiz_left(v: dict) -> str:
    return _("One quiz left to finish %(course)s: %(quiz)s. %(link)s", **v)


def _certificate_ready(v: dict) -> str:
    return _("Well done, %(name)s! Your certificate for %(course)s is ready: %(link)s", **v)


def _instructor(v: dict) -> str:
    return _("%(text)s\n- %(sender)s, %(cohort)s", **v)


def _login_code(v: dict) -> str:
    return _("Your sign-in code for %(site)s is %(code)s. It expires in 10 minutes.", **v)


BODIES: dict[str, Callable[[dict], str]] = {
    "nudge.day_open": _day_open,
    "nudge.not_started": _not_started,
    "nudge.away": _away,
    "nudge.one_quiz_left": _one_quiz_left,
    "nudge.certificate_ready": _certificate_ready,
    "message.instructor": _instructor,
    "login.code": _login_code,
}
# The placeholders each kind needs (checked by the tests in every language).
PLACEHOLDERS = {
    "nudge.day_open": ("day", "course", "link"),
    "nudge.not_started": ("name", "course", "link"),
    "nudge.away": ("name", "days", "link"),
    "nudge.one_quiz_left": ("course", "quiz", "link"),
    "nudge.certificate_ready": ("name", "course", "link"),
    "message.instructor": ("text", "sender", "cohort"),
    "login.code": ("site", "code"),
}


def _subject(kind: str, values: dict) -> str:
    if kind == "login.code":
        return _("Your sign-in code")
    if kind == "message.instructor":
        return _("A message from %(sender)s", sender=values.get("sender", ""))
    return _("%(course)s: a reminder", course=values.get("course", ""))


def render(
    kind: str, language: str, channel: str, unsubscribe: str | None = None, **values: object
) -> Text:
    """The message in `language`; e-mails get a subject and the unsubscribe link, SMS and
    WhatsApp the reply word that stops messages (nothing for codes the person asked for)."""
    language = language if language in LANGUAGES else "en"
    with force_locale(language):
        body = BODIES[kind](values)
        subject = _subject(kind, values) if channel == "email" else ""
        if kind.startswith("login."):
            return Text(subject, body)
        if channel == "email" and unsubscribe:
            body += "\n\n" + _("To stop these messages: %(link)s", link=unsubscribe)
        elif channel in ("sms", "whatsapp"):
            body += " " + _("Reply STOP to stop.")
    return Text(subject, body)
